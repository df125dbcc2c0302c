from modules import base


class ProposalsConfig(base.ModuleConfig):
    name = "modules.proposals"
    label = "proposals"
    verbose_name = "Proposals"
    key = "proposals"
    icon = "file-signature"
    description = "Proposals and quotes your clients can review, sign and accept online."
    takes_payments = True

    def ready(self) -> None:
        from portal_core.payments.services import payment_succeeded

        from . import receivers

        payment_succeeded.connect(receivers.payment_received, dispatch_uid="proposals.payment_received")

    def enabled(self, tenant) -> None:
        """Switched on again: each open proposal's reminder and expiry timer is set again."""
        from django_tenants.utils import schema_context

        from .services import proposals_rearm

        with schema_context(tenant.schema_name):
            proposals_rearm()
