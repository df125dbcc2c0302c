from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import PortalConfig
from .selectors import CONFIG_CACHE_KEY


@receiver([post_save, post_delete], sender=PortalConfig, dispatch_uid="portal_core_config_changed")
def config_changed(sender, **kwargs) -> None:
    cache.delete(CONFIG_CACHE_KEY)
    transaction.on_commit(lambda: cache.delete(CONFIG_CACHE_KEY))
