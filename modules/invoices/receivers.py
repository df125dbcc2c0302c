"""What the invoices module hears from the core (run only where the module is on)."""

from .services import invoice_payments_recount, payment_apply


def payment_received(sender, *, payment, **kwargs) -> None:
    payment_apply(payment=payment)


def payment_refunded(sender, *, payment, **kwargs) -> None:
    invoice_payments_recount(payment=payment)
