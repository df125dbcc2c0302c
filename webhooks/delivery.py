"""Sending a delivery: one signed POST, its attempt logged, then success, a retry or giving up.

Runs in the worker, inside the office's schema. Retries follow the Standard Webhooks schedule
(immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h, each ±10 %). A retry sets a queue timer
(``tenants.queue.enqueue_at``) in the same transaction as the failed attempt; the timer loop
beside the worker enqueues it when it is due, so it leaves on time. Should a timer or its task be
lost (a worker killed, Redis restarted), the sweeper (:func:`webhooks.tasks.deliveries_due`, each
minute) sends it a few minutes late instead of never.
"""

from __future__ import annotations

import functools
import json
import logging
import random
import ssl
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from urllib.parse import unquote, urlsplit, urlunsplit

import httpx
from django.contrib.auth import get_user_model
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from tenants.mail import Button, email_send, platform_brand
from tenants.queue import enqueue_at

from . import clock
from .due import sweep_mark
from .models import RESPONSE_EXCERPT_MAX, WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEvent
from .services import DELIVERY_TASK, OPEN_STATUSES, endpoint_disable
from .signing import signed_headers
from .targets import DEFAULT_PORTS, Target, TargetRefused, target_resolve

logger = logging.getLogger(__name__)

# Seconds to wait before attempt 1, 2, … (Standard Webhooks); attempt 8 is the last.
RETRY_SCHEDULE: tuple[float, ...] = (0, 5, 5 * 60, 30 * 60, 2 * 3600, 5 * 3600, 10 * 3600, 10 * 3600)
RETRY_AFTER_CEILING = 10 * 3600
TIMEOUT_SECONDS = 10.0
FAILING_DISABLE_AFTER = timedelta(days=5)
USER_AGENT = "Portico-Webhooks/1.0"


def _jitter(seconds: float) -> float:
    return seconds * random.uniform(0.9, 1.1)  # noqa: S311 - spreading retries, not a secret


def event_body(event: WebhookEvent) -> str:
    """The JSON body of an event, the same bytes on every attempt."""
    timestamp = event.created.astimezone(UTC).isoformat().replace("+00:00", "Z")
    return json.dumps(
        {"type": event.type, "timestamp": timestamp, "data": event.payload},
        separators=(",", ":"),
        ensure_ascii=False,
    )


def retry_after_seconds(value: str | None, now: datetime) -> float | None:
    """A ``Retry-After`` header in seconds: a number of seconds or an HTTP date."""
    value = (value or "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


def retry_delay(attempts_made: int, retry_after: float | None = None) -> timedelta | None:
    """How long to wait before the next attempt, or ``None`` when the schedule is used up.

    The schedule's step with ±10 % jitter; a longer ``Retry-After`` is honoured up to twice the
    step (and never beyond 10 hours)."""
    if attempts_made >= len(RETRY_SCHEDULE):
        return None
    step = RETRY_SCHEDULE[attempts_made]
    delay = _jitter(step)
    if retry_after is not None and retry_after > delay:
        delay = max(delay, min(retry_after, step * 2, RETRY_AFTER_CEILING))
    return timedelta(seconds=delay)


@dataclass
class Outcome:
    started: datetime
    duration_ms: int = 0
    status_code: int | None = None
    excerpt: str = ""
    error: str = ""
    retry_after: str | None = None

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def _pinned_request(target: Target, url: str) -> tuple[str, dict[str, str], dict, tuple | None]:
    """The URL rewritten to the checked address, with the real host in ``Host`` and TLS SNI."""
    parts = urlsplit(url)
    address = f"[{target.address.split('%', 1)[0]}]" if ":" in target.address else target.address
    pinned = urlunsplit((target.scheme, f"{address}:{target.port}", parts.path or "/", parts.query, ""))
    host = f"[{target.host}]" if ":" in target.host else target.host
    headers = {"host": host if DEFAULT_PORTS[target.scheme] == target.port else f"{host}:{target.port}"}
    literal = ":" in target.host or target.host.replace(".", "").isdigit()
    extensions = {"sni_hostname": target.host} if target.is_https and not literal else {}
    auth = (unquote(parts.username), unquote(parts.password or "")) if parts.username else None
    return pinned, headers, extensions, auth


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """httpx's default TLS settings, built once per process: otherwise each attempt loads the CA
    bundle again (some 15 ms of CPU)."""
    return httpx.create_ssl_context(trust_env=False)


def _read_excerpt(response: httpx.Response) -> str:
    data = b""
    for chunk in response.iter_bytes():
        data += chunk
        if len(data) >= RESPONSE_EXCERPT_MAX:
            break
    return data[:RESPONSE_EXCERPT_MAX].decode("utf-8", errors="replace")[:RESPONSE_EXCERPT_MAX]


def _send(endpoint: WebhookEndpoint, event: WebhookEvent) -> Outcome:
    outcome = Outcome(started=timezone.now())
    started_at = time.monotonic()
    try:
        target = target_resolve(endpoint.url)  # again now: DNS may have changed since it was saved
    except TargetRefused as exc:
        outcome.error = f"Not sent: {exc}"
        return outcome
    body = event_body(event)
    headers = {
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        **signed_headers(
            secrets=endpoint.signing_secrets(), msg_id=event.id, timestamp=int(time.time()), body=body
        ),
    }
    url, host_header, extensions, auth = _pinned_request(target, endpoint.url)
    try:
        with (
            httpx.Client(
                timeout=TIMEOUT_SECONDS, follow_redirects=False, trust_env=False, verify=_tls_context()
            ) as client,
            client.stream(
                "POST",
                url,
                content=body.encode(),
                headers={**headers, **host_header},
                auth=auth,
                extensions=extensions,
            ) as response,
        ):
            outcome.status_code = response.status_code
            outcome.retry_after = response.headers.get("retry-after")
            try:
                outcome.excerpt = _read_excerpt(response)
            except httpx.HTTPError as exc:
                outcome.error = f"The response body could not be read: {exc}"
    except httpx.TimeoutException:
        outcome.error = f"No answer within {TIMEOUT_SECONDS:g} seconds."
    except httpx.HTTPError as exc:
        outcome.error = f"{type(exc).__name__}: {exc}"[:1000]
    except Exception as exc:  # a receiver must never make the worker fail
        logger.exception("webhook delivery to %s failed", endpoint.url)
        outcome.error = f"{type(exc).__name__}: {exc}"[:1000]
    outcome.duration_ms = int((time.monotonic() - started_at) * 1000)
    return outcome


def delivery_attempt(delivery_id: int) -> str | None:
    """Make the next attempt of a delivery, if it is still open and due. Returns its new status.

    Safe to run twice, or at once in two workers: the delivery row is locked (``SKIP LOCKED``) for
    the whole attempt, and a finished or not-yet-due delivery is left alone, so one scheduled
    attempt is sent once. A 2xx answer succeeds; ``410 Gone`` disables the endpoint; anything
    else schedules a retry until the schedule runs out (``gave_up``): the delivery's next attempt
    time and its queue timer are written together, and an endpoint failing for five days is
    disabled. Owners are emailed when an endpoint is disabled.
    """
    disabled: tuple[WebhookEndpoint, str] | None = None
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("endpoint", "event")
            .filter(pk=delivery_id, status__in=OPEN_STATUSES)
            .first()
        )
        if delivery is None:
            return None  # finished, deleted, or being attempted by another worker right now
        now = clock.now()
        if delivery.next_attempt_at is not None and delivery.next_attempt_at > now:
            # A duplicate task, or a timer fired by a machine whose clock runs ahead: set the
            # retry's timer again (a no-op when it is there), so the attempt still leaves on time.
            enqueue_at(delivery.next_attempt_at, DELIVERY_TASK, delivery.pk, log_success=False)
            return None
        due_at = delivery.next_attempt_at
        endpoint = delivery.endpoint
        if not endpoint.enabled:
            _finish(delivery, WebhookDelivery.Status.GAVE_UP, now)
            return delivery.status

        outcome = _send(endpoint, delivery.event)
        delivery.attempt_count += 1
        WebhookAttempt.objects.create(
            delivery=delivery,
            number=delivery.attempt_count,
            due_at=due_at,
            started=outcome.started,
            duration_ms=outcome.duration_ms,
            status_code=outcome.status_code,
            response_excerpt=outcome.excerpt,
            error=outcome.error,
        )
        now = clock.now()
        if outcome.succeeded:
            WebhookEndpoint.objects.filter(pk=endpoint.pk, failing_since__isnull=False).update(
                failing_since=None
            )
            _finish(delivery, WebhookDelivery.Status.SUCCEEDED, now)
        elif outcome.status_code == 410:
            _finish(delivery, WebhookDelivery.Status.GAVE_UP, now)
            disabled = (endpoint, "The endpoint answered 410 Gone.")
        else:
            WebhookEndpoint.objects.filter(pk=endpoint.pk, failing_since__isnull=True).update(
                failing_since=now
            )
            # A success in another worker may have cleared it meanwhile: then this failure starts anew.
            failing_since = (
                WebhookEndpoint.objects.filter(pk=endpoint.pk).values_list("failing_since", flat=True).get()
                or now
            )
            delay = retry_delay(delivery.attempt_count, retry_after_seconds(outcome.retry_after, now))
            if failing_since <= now - FAILING_DISABLE_AFTER:
                _finish(delivery, WebhookDelivery.Status.GAVE_UP, now)
                since = failing_since.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
                disabled = (endpoint, f"Every delivery failed since {since} (5 days).")
            elif delay is None:
                _finish(delivery, WebhookDelivery.Status.GAVE_UP, now)
            else:
                delivery.status = WebhookDelivery.Status.FAILED
                delivery.next_attempt_at = now + delay
                delivery.queued_at = delivery.next_attempt_at  # the timer queues it then
                delivery.save(update_fields=["status", "attempt_count", "next_attempt_at", "queued_at"])
                enqueue_at(delivery.next_attempt_at, DELIVERY_TASK, delivery.pk, log_success=False)
                sweep_mark(delivery.next_attempt_at)
    if disabled is not None:
        endpoint, reason = disabled
        if endpoint_disable(endpoint=endpoint, reason=reason):
            owners_notify_disabled(endpoint=endpoint, reason=reason)
    return delivery.status


def _finish(delivery: WebhookDelivery, status: str, now: datetime) -> None:
    delivery.status = status
    delivery.next_attempt_at = None
    delivery.queued_at = None
    delivery.finished_at = now
    delivery.save(update_fields=["status", "attempt_count", "next_attempt_at", "queued_at", "finished_at"])


def owners_notify_disabled(*, endpoint: WebhookEndpoint, reason: str) -> int:
    """Email the office's owners (its superusers) that an endpoint was switched off, and why."""
    from tenants.hosts import current_base_url

    owners = list(
        get_user_model()
        .objects.filter(is_superuser=True, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    if not owners:
        return 0
    try:
        link = f"{current_base_url()}/office/webhooks/{endpoint.pk}/"
    except Exception:  # no primary domain (a test schema): the email still says what happened
        link = ""
    context = {"endpoint": endpoint, "reason": reason, "link": link}
    try:
        with translation.override("en"):
            email_send(
                subject=f"Webhook endpoint disabled: {endpoint.url}"[:200],
                text=render_to_string("webhooks/email/endpoint_disabled.txt", context),
                to=owners,
                brand=platform_brand(),
                button=Button(link, "Open the endpoint") if link else None,
            )
    except Exception:
        logger.exception("could not email the owners about webhook endpoint %s", endpoint.pk)
        return 0
    return len(owners)
