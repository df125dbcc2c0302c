"""Webhook work for later, marked in the public index of due work (``tenants.due_work``), so that
the minute sweeper and the daily pruning visit only the offices that have something to do."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings

from tenants.due_work import due_mark

SWEEP = "webhooks.sweep"
PRUNE = "webhooks.prune"


def sweep_mark(when: datetime) -> None:
    """A delivery of this office's will be due at ``when`` (the sweeper checks it was not lost)."""
    due_mark(SWEEP, when)


def prune_mark(created: datetime) -> None:
    """An event of this office's was logged at ``created``: its log is trimmed after the kept days."""
    due_mark(PRUNE, created + timedelta(days=settings.PORTICO_WEBHOOKS_LOG_DAYS))
