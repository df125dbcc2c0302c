"""Portal → Payments: the office connects its own Stripe account (Stripe's onboarding, then back
here), sees how it stands (not connected, details needed, active, restricted), disconnects it, and
sees the payments recorded."""

from __future__ import annotations

import logging

import stripe
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ImproperlyConfigured
from django.shortcuts import redirect
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from ..payments import services
from ..payments.models import Payment, StripeConnection
from .shell import render_office, staff_required

logger = logging.getLogger(__name__)

Status = StripeConnection.Status
STATUS_TEXT = {
    Status.NOT_CONNECTED: "Connect your Stripe account to let clients pay by card in their portal.",
    Status.DETAILS_NEEDED: "Stripe needs a few more details before you can take payments.",
    Status.ACTIVE: "Clients can pay by card. The money goes straight to your Stripe account.",
    Status.RESTRICTED: "Stripe has paused card payments on your account until it has what it asks for.",
}


@staff_required
def payments_page(request):
    connection = services.connection_get()
    context = {
        "connection": connection,
        "status_text": STATUS_TEXT[connection.status],
        "configured": bool(settings.STRIPE_SECRET_KEY),
        "payments": Payment.objects.all()[:25],
    }
    return render_office(request, "portal_core/office/payments.html", context)


def _absolute(request, name: str) -> str:
    return request.build_absolute_uri(reverse(name))


@staff_required
def payments_connect(request):
    """POST from the page, or GET when Stripe sends the office back for a fresh onboarding link."""
    if request.method not in ("GET", "POST"):
        return redirect("office:payments")
    try:
        url = services.connect_start(
            email=request.user.email,
            return_url=_absolute(request, "office:payments-return"),
            refresh_url=_absolute(request, "office:payments-connect"),
        )
    except ImproperlyConfigured:
        messages.error(request, "Card payments are not set up on this platform yet.")
        return redirect("office:payments")
    except stripe.StripeError as exc:
        logger.warning("Stripe refused the onboarding link: %s", exc)
        messages.error(request, "Stripe could not be reached just now. Please try again in a minute.")
        return redirect("office:payments")
    return redirect(url)


@staff_required
def payments_return(request):
    try:
        connection = services.account_refresh()
    except (ImproperlyConfigured, stripe.StripeError) as exc:
        logger.warning("Could not refresh the Stripe account: %s", exc)
        messages.warning(request, "Back from Stripe. Its answer will show here in a moment.")
        return redirect("office:payments")
    if connection.status == Status.ACTIVE:
        messages.success(request, "Stripe is connected: clients can now pay by card.")
    else:
        messages.warning(request, STATUS_TEXT[connection.status])
    return redirect("office:payments")


@staff_required
@require_POST
def payments_disconnect(request):
    services.disconnect()
    messages.success(request, "Stripe is disconnected. Payments already recorded stay.")
    return redirect("office:payments")


urlpatterns = [
    path("payments/", payments_page, name="payments"),
    path("payments/connect/", payments_connect, name="payments-connect"),
    path("payments/return/", payments_return, name="payments-return"),
    path("payments/disconnect/", payments_disconnect, name="payments-disconnect"),
]
