"""Delivery status of the emails sent to portal accounts, from the email provider's tracking
webhooks (django-anymail: ``/anymail/<provider>/tracking/`` on the platform host, protected by
``ANYMAIL["WEBHOOK_SECRET"]``).

One webhook URL serves every office, so each message carries, as anymail metadata, the schema of
its office and the id of its :class:`SentEmail` row; the provider echoes the metadata back with
each event. An event moves the status forward only (a late "delivered" does not undo "opened").

Every email to a client carries the schema, so a bounce or a complaint about any of them marks the
address failing on the office's contacts (``email_preferences.email_failing_mark``): notifications
to it stop until the address changes or the office marks it as working.
"""

from __future__ import annotations

from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context

from .models import EMAIL_COMPLAINT_REASON, SentEmail

SCHEMA_KEY = "portico_schema"
EMAIL_KEY = "portico_email"
# How far along an email is; a problem outranks everything, and later news wins within a rank.
RANK = {
    "sent": 0,
    "queued": 1,
    "deferred": 2,
    "delivered": 3,
    "opened": 4,
    "clicked": 5,
    "unsubscribed": 6,
    "bounced": 7,
    "rejected": 7,
    "failed": 7,
    "complained": 8,
}


FAILING = {"bounced", "complained"}
SOFT_BOUNCES = {"SoftBounce", "Transient"}  # Postmark's: a full mailbox, tried again later


def address_failing(event) -> bool:
    """Whether the event says the address does not work: a hard bounce, a spam complaint, or a
    rejection of an invalid address (a soft bounce is only news)."""
    esp_event = event.esp_event if isinstance(event.esp_event, dict) else {}
    if event.event_type == "rejected":
        return event.reject_reason == "invalid"
    return event.event_type in FAILING and esp_event.get("Type") not in SOFT_BOUNCES


def message_metadata() -> dict[str, str]:
    """What every client email carries, so the provider's events find their office."""
    return {SCHEMA_KEY: connection.schema_name}


def message_track_and_send(message, *, kind: str, account) -> SentEmail:
    """Log ``message`` for ``account``, send it, and keep the provider's message id. A send that
    raises is logged as failed and the error goes on to the caller."""
    sent = SentEmail.objects.create(account=account, kind=kind, to=message.to[0])
    message.metadata = {**message_metadata(), EMAIL_KEY: str(sent.pk)}
    try:
        message.send()
    except Exception as error:
        sent.status, sent.status_detail = SentEmail.Status.FAILED, str(error)[:300]
        sent.save(update_fields=["status", "status_detail"])
        raise
    status = getattr(message, "anymail_status", None)  # set by anymail's backends only
    if status is not None:
        message_id = status.message_id  # a set when recipients got different ids; ours has one
        sent.message_id = "" if message_id is None or isinstance(message_id, set) else str(message_id)[:255]
        statuses = status.status or set()
        if len(statuses) == 1 and (reported := next(iter(statuses))) in RANK:
            sent.status = reported
        sent.save(update_fields=["message_id", "status"])
    return sent


def _served_schema(schema: str) -> bool:
    from tenants.models import Tenant

    return Tenant.objects.filter(
        schema_name=schema, status__in=[Tenant.Status.ACTIVE, Tenant.Status.SUSPENDED]
    ).exists()


def _failing_reason(event) -> str:
    if event.event_type == "complained":
        return EMAIL_COMPLAINT_REASON
    return (event.description or event.mta_response or "bounced")[:300]


def tracking_event_apply(event) -> bool:
    """Apply one anymail ``AnymailTrackingEvent``. Returns whether a logged email or a contact
    changed."""
    metadata = event.metadata or {}
    schema, pk = metadata.get(SCHEMA_KEY), str(metadata.get(EMAIL_KEY, ""))
    status = event.event_type
    if not schema or status not in RANK or not _served_schema(schema):
        return False
    from .email_preferences import email_failing_mark

    changed = False
    with schema_context(schema):
        if event.recipient and address_failing(event):
            changed = (
                email_failing_mark(email=event.recipient, reason=_failing_reason(event), at=event.timestamp)
                > 0
            )
        if not pk.isdigit():
            return changed
        sent = SentEmail.objects.filter(pk=int(pk)).first()
        if sent is None or (sent.message_id and str(event.message_id) != sent.message_id):
            return changed
        if RANK[status] < RANK.get(sent.status, 0):
            return changed
        sent.status = status
        sent.status_detail = (event.description or event.mta_response or "")[:300]
        sent.status_at = event.timestamp or timezone.now()
        sent.save(update_fields=["status", "status_detail", "status_at"])
    return True


def tracking_received(sender, event, esp_name, **kwargs) -> None:
    """anymail's ``tracking`` signal. An error answers the provider with a 500, so it retries."""
    tracking_event_apply(event)


def connect() -> None:
    from anymail.signals import tracking

    tracking.connect(tracking_received, dispatch_uid="portal_core_email_tracking")
