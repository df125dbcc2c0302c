from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from . import routing
from .models import Domain, Tenant


@receiver([post_save, post_delete], sender=Tenant, dispatch_uid="tenants_route_tenant_changed")
@receiver([post_save, post_delete], sender=Domain, dispatch_uid="tenants_route_domain_changed")
def routes_changed(sender, **kwargs) -> None:
    routing.routes.clear()
    transaction.on_commit(routing.invalidate)
