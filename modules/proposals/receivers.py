"""What the proposals module hears from the core (run only where the module is on)."""

from .services import deposit_apply


def payment_received(sender, *, payment, **kwargs) -> None:
    deposit_apply(payment=payment)
