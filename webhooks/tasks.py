"""Background work of webhooks: the sweeper, a safety net for deliveries whose queued task or
timer was lost, and the daily pruning of the log.

First attempts are enqueued with the change that caused the event and retries by their queue
timers (``tenants.queue``), on time; the sweeper only finds deliveries that should have left
minutes ago (a worker killed with tasks in hand, Redis restarted)."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db import transaction
from django.db.models import Q

from tenants.due_work import due_backstop, due_visit
from tenants.queue import enqueue

from . import clock
from .due import PRUNE, SWEEP
from .models import WebhookDelivery
from .services import DELIVERY_TASK, OPEN_STATUSES

logger = logging.getLogger(__name__)

SWEEP_BATCH = 500
# A delivery queued (or due by its timer) this long ago and still open was lost: a worker died
# with it, or Redis dropped its task or timer.
QUEUED_STALE_AFTER = timedelta(minutes=5)
# Once in this while the sweeper visits every active office, in case work was left unmarked.
BACKSTOP_EVERY = timedelta(hours=1)
SWEEP_BACKSTOP = "webhooks.sweep-every-office"


def deliveries_enqueue_due() -> int:
    """In the current office's schema: enqueue every open delivery whose attempt is due and that
    is not waiting in the queue or for its timer (``queued_at`` unset, or older than
    :data:`QUEUED_STALE_AFTER`). Returns how many were enqueued."""
    now = clock.now()
    with transaction.atomic():
        due = list(
            WebhookDelivery.objects.select_for_update(skip_locked=True)
            .filter(status__in=OPEN_STATUSES, next_attempt_at__lte=now)
            .filter(Q(queued_at__isnull=True) | Q(queued_at__lte=now - QUEUED_STALE_AFTER))
            .order_by("next_attempt_at")
            .values_list("pk", flat=True)[:SWEEP_BATCH]
        )
        WebhookDelivery.objects.filter(pk__in=due).update(queued_at=now)
        for pk in due:
            enqueue(DELIVERY_TASK, pk, log_success=False)
    return len(due)


def deliveries_next_due():
    """In the current office's schema: when the sweeper could next find something here (an open
    delivery due, and not waiting in the queue or for its timer); ``None`` when nothing is open."""
    from django.db.models import Case, DateTimeField, ExpressionWrapper, F, Min, When
    from django.db.models.functions import Greatest

    stale_at = ExpressionWrapper(F("queued_at") + QUEUED_STALE_AFTER, output_field=DateTimeField())
    return WebhookDelivery.objects.filter(status__in=OPEN_STATUSES, next_attempt_at__isnull=False).aggregate(
        due=Min(
            Case(
                When(queued_at__isnull=True, then=F("next_attempt_at")),
                default=Greatest(F("next_attempt_at"), stale_at),
            )
        )
    )["due"]


def deliveries_due() -> int:
    """The sweeper, run each minute by a django-q schedule in the public schema: in every active
    office the index of due work (``tenants.due_work``) says may have a lost delivery, enqueue the
    deliveries that are overdue and no longer waiting for anything. Idle offices are not visited;
    once an hour every active office is (a backstop). It sends nothing on schedule: retries leave
    by their timers."""
    now = clock.now()
    full = due_backstop(SWEEP_BACKSTOP, now=now, every=BACKSTOP_EVERY)
    return due_visit(SWEEP, now=now, visit=deliveries_enqueue_due, next_due=deliveries_next_due, full=full)


def events_prune_schema(*, older_than: timedelta) -> int:
    """In the current office's schema: delete events (with their deliveries and attempts) older
    than ``older_than`` whose every delivery is finished. Returns how many events went."""
    from .models import WebhookEvent

    cutoff = clock.now() - older_than
    old = WebhookEvent.objects.filter(created__lt=cutoff).exclude(deliveries__status__in=OPEN_STATUSES)
    _, per_model = old.delete()
    return per_model.get(WebhookEvent._meta.label, 0)


def events_next_prune():
    """In the current office's schema: when its oldest logged event is old enough to go."""
    from django.conf import settings
    from django.db.models import Min

    from .models import WebhookEvent

    oldest = WebhookEvent.objects.aggregate(oldest=Min("created"))["oldest"]
    return None if oldest is None else oldest + timedelta(days=settings.PORTICO_WEBHOOKS_LOG_DAYS)


def events_prune() -> int:
    """Daily, from the public schema: every office's delivery log keeps
    ``PORTICO_WEBHOOKS_LOG_DAYS`` days (30 by default); deliveries still retrying are kept. Only the
    offices whose oldest event is old enough are visited (``tenants.due_work``)."""
    from django.conf import settings

    older_than = timedelta(days=settings.PORTICO_WEBHOOKS_LOG_DAYS)
    return due_visit(
        PRUNE,
        now=clock.now(),
        visit=lambda: events_prune_schema(older_than=older_than),
        next_due=events_next_prune,
        suspended_too=True,
    )
