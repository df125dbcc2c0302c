"""Delivery status of the emails sent to portal accounts, from the email provider's tracking
webhooks (django-anymail: ``/anymail/<provider>/tracking/`` on the platform host, protected by
``ANYMAIL["WEBHOOK_SECRET"]``).

One webhook URL serves every office, so each message carries, as anymail metadata, the schema of
its office and the id of its :class:`SentEmail` row; the provider echoes the metadata back with
each event. An event moves the status forward only (a late "delivered" does not undo "opened").
"""

from __future__ import annotations

from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context

from .models import SentEmail

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


def message_track_and_send(message, *, kind: str, account) -> SentEmail:
    """Log ``message`` for ``account``, send it, and keep the provider's message id. A send that
    raises is logged as failed and the error goes on to the caller."""
    sent = SentEmail.objects.create(account=account, kind=kind, to=message.to[0])
    message.metadata = {SCHEMA_KEY: connection.schema_name, EMAIL_KEY: str(sent.pk)}
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


def tracking_event_apply(event) -> bool:
    """Apply one anymail ``AnymailTrackingEvent``. Returns whether a logged email changed."""
    metadata = event.metadata or {}
    schema, pk = metadata.get(SCHEMA_KEY), str(metadata.get(EMAIL_KEY, ""))
    status = event.event_type
    if not schema or not pk.isdigit() or status not in RANK or not _served_schema(schema):
        return False
    with schema_context(schema):
        sent = SentEmail.objects.filter(pk=int(pk)).first()
        if sent is None or (sent.message_id and str(event.message_id) != sent.message_id):
            return False
        if RANK[status] < RANK.get(sent.status, 0):
            return False
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
