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
from django_tenants.utils import schema_context

from tenants.queue import enqueue

from . import clock
from .models import WebhookDelivery
from .services import DELIVERY_TASK, OPEN_STATUSES

logger = logging.getLogger(__name__)

SWEEP_BATCH = 500
# A delivery queued (or due by its timer) this long ago and still open was lost: a worker died
# with it, or Redis dropped its task or timer.
QUEUED_STALE_AFTER = timedelta(minutes=5)


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


def deliveries_due() -> int:
    """The sweeper, run each minute by a django-q schedule in the public schema: for every active
    office, enqueue the deliveries that are overdue and no longer waiting for anything, in its own
    schema. One office's trouble stops no other. It sends nothing on schedule: retries leave by
    their timers."""
    from tenants.models import Tenant

    total = 0
    schemas = Tenant.objects.filter(status=Tenant.Status.ACTIVE).values_list("schema_name", flat=True)
    for schema in list(schemas):
        try:
            with schema_context(schema):
                total += deliveries_enqueue_due()
        except Exception:
            logger.exception("webhook sweep failed in schema %s", schema)
    return total


def events_prune_schema(*, older_than: timedelta) -> int:
    """In the current office's schema: delete events (with their deliveries and attempts) older
    than ``older_than`` whose every delivery is finished. Returns how many events went."""
    from .models import WebhookEvent

    cutoff = clock.now() - older_than
    old = WebhookEvent.objects.filter(created__lt=cutoff).exclude(deliveries__status__in=OPEN_STATUSES)
    _, per_model = old.delete()
    return per_model.get(WebhookEvent._meta.label, 0)


def events_prune() -> int:
    """Daily, from the public schema: every office's delivery log keeps
    ``PORTICO_WEBHOOKS_LOG_DAYS`` days (30 by default); deliveries still retrying are kept."""
    from django.conf import settings

    from tenants.models import Tenant

    older_than = timedelta(days=settings.PORTICO_WEBHOOKS_LOG_DAYS)
    total = 0
    served = Tenant.objects.filter(status__in=[Tenant.Status.ACTIVE, Tenant.Status.SUSPENDED])
    for schema in list(served.values_list("schema_name", flat=True)):
        try:
            with schema_context(schema):
                total += events_prune_schema(older_than=older_than)
        except Exception:
            logger.exception("webhook log pruning failed in schema %s", schema)
    return total
