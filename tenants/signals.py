from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import Signal, receiver

from . import routing
from .models import ApiKey, CustomDomain, Domain, Plan, Tenant

# Sent inside a new office's schema, in the transaction that makes the office (``tenant_provision``),
# with ``tenant`` and ``owner_id``: whatever lives in an office's schema adds its first rows here
# (the portal core its configuration). A receiver's error undoes the whole sign-up.
tenant_provisioned = Signal()


@receiver([post_save, post_delete], sender=Tenant, dispatch_uid="tenants_route_tenant_changed")
@receiver([post_save, post_delete], sender=Domain, dispatch_uid="tenants_route_domain_changed")
@receiver([post_save, post_delete], sender=ApiKey, dispatch_uid="tenants_route_api_key_changed")
@receiver([post_save, post_delete], sender=Plan, dispatch_uid="tenants_route_plan_changed")
@receiver([post_save, post_delete], sender=CustomDomain, dispatch_uid="tenants_route_custom_domain_changed")
def routes_changed(sender, **kwargs) -> None:
    """Routes, API key grants, plan limits and the hosts Caddy may ask a certificate for are cached
    per process (``routing``, ``grants``, ``health``)."""
    routing.clear_local()
    transaction.on_commit(routing.invalidate)


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="tenants_credentials_user_saved")
def user_credentials_ended(sender, instance, created, **kwargs):
    """A new password (``set_password`` was called) or a disabled user ends every session and JWT."""
    if created:
        return
    if getattr(instance, "_password", None) is not None or not instance.is_active:
        from . import credentials

        credentials.bump(credentials.USER, instance.pk)
