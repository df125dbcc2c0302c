"""Writes for the portal core."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from modules.registry import registry

from .models import PortalConfig


def portal_config_initialize(*, company_name: str, time_zone: str = "") -> PortalConfig:
    """Create the office's configuration in its fresh schema (used when a tenant is provisioned)."""
    return PortalConfig.objects.create(
        company_name=company_name, portal_name=company_name, time_zone=time_zone or settings.TIME_ZONE
    )


def portal_config_update(*, config: PortalConfig, **fields) -> PortalConfig:
    for name, value in fields.items():
        setattr(config, name, value)
    config.full_clean()
    config.save()
    return config


def _tenant():
    tenant = getattr(connection, "tenant", None)
    if tenant is None or not getattr(tenant, "slug", None):
        raise ValidationError("Modules can only be changed inside an office.")
    return tenant


def module_enable(*, key: str) -> PortalConfig:
    """Switch a module on for the current tenant, within its plan."""
    module = registry.get(key)
    if module is None:
        raise ValidationError(f"There is no module “{key}”.")
    tenant = _tenant()
    plan = tenant.plan
    if plan is not None and not plan.allows_module(key):
        raise ValidationError(f"Your plan ({plan.name}) does not include {module.name}.")
    with transaction.atomic():
        config = PortalConfig.objects.select_for_update().get(singleton=True)
        if key in config.enabled_modules:
            return config
        config.enabled_modules = [*config.enabled_modules, key]
        config.save(update_fields=["enabled_modules", "updated"])
        transaction.on_commit(lambda: module.config.enabled(tenant))
    return config


def module_disable(*, key: str) -> PortalConfig:
    """Switch a module off. Its data stays; its pages, API and navigation disappear."""
    module = registry.get(key)
    if module is None:
        raise ValidationError(f"There is no module “{key}”.")
    tenant = _tenant()
    with transaction.atomic():
        config = PortalConfig.objects.select_for_update().get(singleton=True)
        if key not in config.enabled_modules:
            return config
        config.enabled_modules = [k for k in config.enabled_modules if k != key]
        config.save(update_fields=["enabled_modules", "updated"])
        transaction.on_commit(lambda: module.config.disabled(tenant))
    return config
