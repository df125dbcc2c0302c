from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import Signal, receiver

from modules.registry import registry
from tenants import routing
from tenants.signals import tenant_provisioned

from .models import PortalConfig
from .selectors import enabled_modules
from .services import portal_config_initialize


@receiver([post_save, post_delete], sender=PortalConfig, dispatch_uid="portal_core_config_changed")
def config_changed(sender, **kwargs) -> None:
    """Every process keeps the configuration (``selectors.portal_config_get``): tell them all."""
    routing.clear_local()
    transaction.on_commit(routing.invalidate)


@receiver(tenant_provisioned, dispatch_uid="portal_core_tenant_provisioned")
def office_portal_create(sender, *, tenant, time_zone: str = "", **kwargs) -> None:
    """A new office's portal starts with its configuration, named after the office, in the time zone
    its owner chose at sign-up."""
    portal_config_initialize(company_name=tenant.name, time_zone=time_zone)


class ModuleSignal(Signal):
    """A signal that respects modules, in the style of pretix's ``EventPluginSignal``: a receiver
    that lives in a module's package runs only when the current office (the schema in use) has
    that module switched on; every other receiver (the core's) runs first, then the modules' in the
    registry's order. Send it inside the office's schema, like any office work."""

    def _live_receivers(self, sender):
        sync_receivers, async_receivers = super()._live_receivers(sender)
        if not sync_receivers and not async_receivers:
            return sync_receivers, async_receivers
        enabled = set(enabled_modules())
        order = {module.key: index for index, module in enumerate(registry, start=1)}

        def admitted(receivers: list) -> list:
            ranked = []
            for position, func in enumerate(receivers):
                module = registry.module_for_code(getattr(func, "__module__", "") or "")
                if module is None:
                    ranked.append((0, position, func))
                elif module.key in enabled:
                    ranked.append((order[module.key], position, func))
            return [func for *_rank, func in sorted(ranked, key=lambda r: r[:2])]

        return admitted(sync_receivers), admitted(async_receivers)


@dataclass(frozen=True)
class AcceptedItem:
    """One line a client accepted: what it is, how many, at what price (``Decimal`` s)."""

    description: str
    quantity: Decimal
    unit_price: Decimal
    tax_rate: Decimal = Decimal(0)
    discount_percent: Decimal = Decimal(0)


@dataclass(frozen=True)
class AcceptedProposal:
    """What a client accepted, as another module may act on it (the invoices module invoices it):
    the client, the chosen items with the document's terms, and the deposit already paid through
    ``portal_core.payments`` (its ``Payment`` id, or ``None``)."""

    proposal_id: int
    title: str
    contact_id: int | None
    company_id: int | None
    currency: str
    prices_include_tax: bool
    discount_percent: Decimal
    items: tuple[AcceptedItem, ...]
    deposit_payment_id: int | None = None


# Sent inside the office's schema, after the change commits, with ``accepted`` (an
# ``AcceptedProposal``) once a proposal counts as accepted: signed, and its deposit paid where one
# was asked. Only receivers of modules the office has on hear it.
proposal_accepted = ModuleSignal()
