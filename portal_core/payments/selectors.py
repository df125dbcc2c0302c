"""Reads of the office's payments set-up."""

from .models import StripeConnection


def stripe_connected() -> bool:
    """Can the office take card payments (its Stripe account connected and active)?"""
    return StripeConnection.objects.filter(
        status=StripeConnection.Status.ACTIVE, charges_enabled=True
    ).exists()
