"""Webhook writes: emitting events into the outbox, managing endpoints, redelivering.

Views, the API, tasks and the core's own services all go through these.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Callable, Iterable
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from tenants.queue import enqueue

from . import clock
from .catalogue import TEST_EVENT_TYPE, event_type_names
from .due import prune_mark, sweep_mark
from .models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from .signing import secret_new
from .targets import url_clean

ROTATION_OVERLAP = timedelta(hours=24)
# Enqueued with ``log_success=False``: every attempt is in the delivery log already, and listing
# each successful one in django-q2's task list costs the worker about as much as the attempt.
DELIVERY_TASK = "webhooks.delivery.delivery_attempt"
OPEN_STATUSES = (WebhookDelivery.Status.PENDING, WebhookDelivery.Status.FAILED)
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def event_id_new() -> str:
    """``evt_`` and a ULID: 48 bits of milliseconds then 80 random bits, so ids sort by time."""
    value = (time.time_ns() // 1_000_000) << 80 | secrets.randbits(80)
    chars = []
    for _ in range(26):
        chars.append(_CROCKFORD[value & 31])
        value >>= 5
    return "evt_" + "".join(reversed(chars))


def _plain_json(data: dict) -> dict:
    """The data as plain JSON (dates as ISO strings), as the body will carry it on every retry."""
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


_emission_gates: list[Callable[[str], bool]] = []


def emission_gate_add(gate: Callable[[str], bool]) -> None:
    """Let ``gate(event_type)`` decide, where an event is emitted, whether it is emitted at all (in
    the office's schema). The core adds one at start-up: a module switched off emits nothing."""
    if gate not in _emission_gates:
        _emission_gates.append(gate)


def event_emit(*, type: str, data: dict) -> WebhookEvent | None:  # noqa: A002 - the event's "type"
    """Record an event for every enabled endpoint subscribed to ``type``, in the caller's transaction.

    Writes the event (the outbox row) and one delivery per endpoint, and enqueues each delivery:
    with the database broker the queued task commits or rolls back with the change that caused
    the event; with Redis it is sent after the commit, and the sweeper catches any lost one.
    An event a gate refuses (``emission_gate_add``: a module the office has switched off) is not
    emitted at all; nor is an event no endpoint wants. Returns the event, or ``None`` when nothing
    was written.
    """
    events = events_emit(type=type, items=[data])
    return events[0] if events else None


def events_emit(*, type: str, items: Iterable[dict]) -> list[WebhookEvent]:  # noqa: A002
    """:func:`event_emit` for many events of one type (an import): the endpoints are read once and
    the events and deliveries written in bulk, in the caller's transaction."""
    if not all(gate(type) for gate in _emission_gates):
        return []
    endpoints = [e for e in WebhookEndpoint.objects.filter(enabled=True) if e.receives(type)]
    return _events_write(event_type=type, items=items, endpoints=endpoints)


def _events_write(
    *, event_type: str, items: Iterable[dict], endpoints: list[WebhookEndpoint]
) -> list[WebhookEvent]:
    if not endpoints:
        return []
    now = clock.now()
    with transaction.atomic():
        events = WebhookEvent.objects.bulk_create(
            [
                WebhookEvent(id=event_id_new(), type=event_type, payload=_plain_json(data), created=now)
                for data in items
            ],
            batch_size=1000,
        )
        deliveries = WebhookDelivery.objects.bulk_create(
            [
                WebhookDelivery(
                    endpoint=endpoint, event=event, next_attempt_at=now, queued_at=now, created=now
                )
                for event in events
                for endpoint in endpoints
            ],
            batch_size=1000,
        )
        for delivery in deliveries:
            enqueue(DELIVERY_TASK, delivery.pk, log_success=False)
        sweep_mark(now)
        prune_mark(now)
    return events


# --- endpoints ----------------------------------------------------------------------------------


def event_types_clean(event_types: Iterable[str] | None) -> list[str]:
    """The subscribed types, de-duplicated and sorted; an empty list means every type."""
    chosen = sorted({t.strip() for t in event_types or [] if t and t.strip()})
    unknown = [t for t in chosen if t not in event_type_names()]
    if unknown:
        raise ValidationError({"event_types": f"Unknown event type: {', '.join(unknown)}."})
    return chosen


def endpoint_create(
    *, url: str, description: str = "", event_types: Iterable[str] | None = None, enabled: bool = True
) -> WebhookEndpoint:
    """A new endpoint with its own secret. The URL must be http(s) and resolve to public addresses
    (unless ``PORTICO_WEBHOOKS_ALLOW_PRIVATE``); ``event_types`` empty means every event."""
    endpoint = WebhookEndpoint(
        url=url_clean(url),
        description=description.strip(),
        event_types=event_types_clean(event_types),
        enabled=enabled,
        secret=secret_new(),
    )
    endpoint.full_clean()
    endpoint.save()
    return endpoint


def endpoint_update(
    *,
    endpoint: WebhookEndpoint,
    url: str | None = None,
    description: str | None = None,
    event_types: Iterable[str] | None = None,
) -> WebhookEndpoint:
    """Change the URL (checked again), the description or the subscribed types (``[]`` = all)."""
    if url is not None and url.strip() != endpoint.url:
        endpoint.url = url_clean(url)
    if description is not None:
        endpoint.description = description.strip()
    if event_types is not None:
        endpoint.event_types = event_types_clean(event_types)
    endpoint.full_clean()
    endpoint.save()
    return endpoint


def endpoint_enable(*, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    """Send to this endpoint again (its URL is checked again); its failure streak starts over."""
    url_clean(endpoint.url)
    endpoint.enabled = True
    endpoint.disabled_reason = ""
    endpoint.failing_since = None
    endpoint.save(update_fields=["enabled", "disabled_reason", "failing_since", "updated"])
    return endpoint


def endpoint_disable(*, endpoint: WebhookEndpoint, reason: str = "Disabled by the office.") -> bool:
    """Stop sending to this endpoint; its waiting deliveries give up (they can be redelivered).

    Returns whether this call disabled it (``False`` when it already was)."""
    now = timezone.now()
    with transaction.atomic():
        changed = WebhookEndpoint.objects.filter(pk=endpoint.pk, enabled=True).update(
            enabled=False, disabled_reason=reason[:300], updated=now
        )
        deliveries_give_up(endpoint=endpoint)
    endpoint.enabled = False
    if changed:
        endpoint.disabled_reason = reason[:300]
    return bool(changed)


def deliveries_give_up(*, endpoint: WebhookEndpoint) -> int:
    """Give up the endpoint's waiting deliveries, except any being attempted right now (they give
    up by themselves when they see the endpoint is off)."""
    with transaction.atomic():
        waiting = list(
            WebhookDelivery.objects.select_for_update(skip_locked=True)
            .filter(endpoint=endpoint, status__in=OPEN_STATUSES)
            .values_list("pk", flat=True)
        )
        return WebhookDelivery.objects.filter(pk__in=waiting).update(
            status=WebhookDelivery.Status.GAVE_UP, next_attempt_at=None, finished_at=timezone.now()
        )


def endpoint_delete(*, endpoint: WebhookEndpoint) -> None:
    """Remove the endpoint with its deliveries and their log (the events stay)."""
    endpoint.delete()


def endpoint_secret_rotate(*, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    """A new secret; for 24 hours every message is signed with the old one too, so receivers can
    switch over without losing a message."""
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
        endpoint.previous_secret = endpoint.secret
        endpoint.previous_secret_expires_at = timezone.now() + ROTATION_OVERLAP
        endpoint.secret = secret_new()
        endpoint.save(update_fields=["secret", "previous_secret", "previous_secret_expires_at", "updated"])
    return endpoint


def endpoint_send_test(*, endpoint: WebhookEndpoint) -> WebhookEvent:
    """Send a ``webhook.test`` event to this endpoint only."""
    if not endpoint.enabled:
        raise ValidationError("Enable this endpoint before sending it a test event.")
    [event] = _events_write(
        event_type=TEST_EVENT_TYPE,
        items=[{"endpoint_id": endpoint.pk, "message": "A test event from Portico. It worked."}],
        endpoints=[endpoint],
    )
    return event


def delivery_redeliver(*, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send the event to the endpoint again, now: a finished delivery gets a new delivery (with a
    fresh retry schedule, the first one's log kept); a waiting one is simply made due now."""
    if not delivery.endpoint.enabled:
        raise ValidationError("Enable this endpoint before redelivering to it.")
    now = clock.now()
    with transaction.atomic():
        current = WebhookDelivery.objects.select_for_update().get(pk=delivery.pk)
        if current.is_open:
            current.next_attempt_at = now
            current.queued_at = now
            current.save(update_fields=["next_attempt_at", "queued_at"])
            again = current
        else:
            again = WebhookDelivery.objects.create(
                endpoint_id=current.endpoint_id,
                event_id=current.event_id,
                next_attempt_at=now,
                queued_at=now,
                created=now,
                redelivery_of=current,
            )
        enqueue(DELIVERY_TASK, again.pk, log_success=False)
        sweep_mark(now)
    again.refresh_from_db()
    return again
