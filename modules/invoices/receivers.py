"""What the invoices module hears from the core (run only where the module is on)."""

from tenants.queue import enqueue

from .services import RECEIPT_TASK, invoice_from_accepted, invoice_payments_recount, payment_apply


def payment_received(sender, *, payment, **kwargs) -> None:
    if payment_apply(payment=payment) is not None:
        enqueue(RECEIPT_TASK, payment.pk)


def payment_refunded(sender, *, payment, **kwargs) -> None:
    invoice_payments_recount(payment=payment)


def proposal_accepted(sender, *, accepted, **kwargs) -> None:
    """A client accepted a proposal (and paid its deposit): invoice what they accepted."""
    invoice_from_accepted(accepted=accepted)
