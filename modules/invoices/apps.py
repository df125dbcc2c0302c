from modules import base


class InvoicesConfig(base.ModuleConfig):
    name = "modules.invoices"
    label = "invoices"
    verbose_name = "Invoices"
    key = "invoices"
    icon = "receipt"
    description = "Invoices your clients can view, download and pay from the portal."
    takes_payments = True

    def ready(self) -> None:
        from portal_core.payments.services import payment_refunded, payment_succeeded
        from portal_core.signals import proposal_accepted

        from . import receivers

        payment_succeeded.connect(receivers.payment_received, dispatch_uid="invoices.payment_received")
        payment_refunded.connect(receivers.payment_refunded, dispatch_uid="invoices.payment_refunded")
        proposal_accepted.connect(receivers.proposal_accepted, dispatch_uid="invoices.proposal_accepted")

    def enabled(self, tenant) -> None:
        """Switched on again: the timers that fired while it was off did nothing, so each open
        invoice's next reminder and each running schedule's next invoice are set again (a schedule's
        dates passed meanwhile are issued now)."""
        from django_tenants.utils import schema_context

        from .services import recurring_rearm, reminders_rearm

        with schema_context(tenant.schema_name):  # the hook may run after the request left the schema
            reminders_rearm()
            recurring_rearm()
