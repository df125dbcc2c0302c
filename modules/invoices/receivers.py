"""What the invoices module hears from the core (run only where the module is on)."""

from .services import payment_apply


def payment_received(sender, *, payment, **kwargs) -> None:
    payment_apply(payment=payment)
