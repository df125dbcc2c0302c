"""The one place Portico talks to Stripe: a ``StripeClient`` with the platform's key, pointed at
``STRIPE_API_BASE`` (Stripe itself, or the fake Stripe server of development and tests). Calls for
an office go to its own account (the ``Stripe-Account`` header: direct charges)."""

from __future__ import annotations

import stripe
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def client() -> stripe.StripeClient:
    if not settings.STRIPE_SECRET_KEY:
        raise ImproperlyConfigured("STRIPE_SECRET_KEY is not set: card payments are not configured.")
    stripe.api_base = settings.STRIPE_API_BASE
    return stripe.StripeClient(
        settings.STRIPE_SECRET_KEY,
        base_addresses={"api": settings.STRIPE_API_BASE, "connect": settings.STRIPE_API_BASE},
        max_network_retries=2,
    )


def on_account(account_id: str) -> dict:
    """Request options for a call made on the office's own Stripe account."""
    return {"stripe_account": account_id}
