"""Reads for the portal core. The configuration is cached per tenant (cache keys carry the schema)."""

from django.core.cache import cache

from .models import PortalConfig

CONFIG_CACHE_KEY = "portal_core:config"


def portal_config_get() -> PortalConfig:
    config = cache.get(CONFIG_CACHE_KEY)
    if config is None:
        config, _ = PortalConfig.objects.get_or_create(singleton=True)
        cache.set(CONFIG_CACHE_KEY, config, 300)
    return config


def enabled_modules() -> list[str]:
    from modules.registry import registry

    return [key for key in portal_config_get().enabled_modules if key in registry]


def module_is_enabled(key: str) -> bool:
    return key in enabled_modules()
