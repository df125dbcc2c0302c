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

        from . import receivers

        payment_succeeded.connect(receivers.payment_received, dispatch_uid="invoices.payment_received")
        payment_refunded.connect(receivers.payment_refunded, dispatch_uid="invoices.payment_refunded")
