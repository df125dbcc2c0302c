"""``/stripe/connect/webhook/`` on the platform host: Stripe's Connect events for every office.

The signature is checked with the library's own ``Webhook.construct_event`` (a bad or missing one:
400, nothing written); the event's ``account`` names the office (``tenants.StripeAccount``), and
the event is applied in that office's schema, once per event id. An account Portico does not know
gets 200 (Stripe stops retrying) and a log line."""

from __future__ import annotations

import logging

import stripe
from django.conf import settings
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from django_tenants.utils import tenant_context

from tenants.models import StripeAccount

from .services import stripe_event_handle

logger = logging.getLogger(__name__)


@csrf_exempt
@require_POST
def connect_webhook(request):
    secret = settings.STRIPE_CONNECT_WEBHOOK_SECRET
    if not secret:
        logger.error("A Stripe Connect event arrived but STRIPE_CONNECT_WEBHOOK_SECRET is not set.")
        return JsonResponse({"message": "Stripe events are not configured."}, status=400)
    try:
        event = stripe.Webhook.construct_event(
            request.body, request.headers.get("Stripe-Signature", ""), secret
        )
    except (ValueError, stripe.SignatureVerificationError):
        return JsonResponse({"message": "The signature does not match."}, status=400)
    data = event.to_dict()
    account = data.get("account") or ""
    link = StripeAccount.objects.select_related("tenant").filter(account_id=account).first()
    if link is None:
        logger.warning("Stripe event %s for an unknown account %r", data.get("id"), account)
        return JsonResponse({"received": True, "handled": False})
    with tenant_context(link.tenant):
        changed = stripe_event_handle(data)
    return JsonResponse({"received": True, "handled": changed})
