from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from tenants import routing

from .models import PortalConfig


@receiver([post_save, post_delete], sender=PortalConfig, dispatch_uid="portal_core_config_changed")
def config_changed(sender, **kwargs) -> None:
    """Every process keeps the configuration (``selectors.portal_config_get``): tell them all."""
    routing.clear_local()
    transaction.on_commit(routing.invalidate)
