"""The operators' dashboard on the admin's home: offices by status, sign-ups per week, clients
using the portals, and a chart of the sign-ups (a few queries, however many offices)."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count
from django.db.models.functions import TruncWeek
from django.utils import timezone

from .models import Tenant
from .selectors import tenant_usage_counts

WEEKS = 12
# What counts as an office: the pool's ready schemas and the template they are cloned from do not.
OFFICES = [Tenant.Status.ACTIVE, Tenant.Status.SUSPENDED]
CHART_WIDTH, CHART_HEIGHT = 300, 100


def signups_per_week(weeks: int = WEEKS) -> list[tuple]:
    """(Monday, offices created that week) for the last ``weeks`` weeks, oldest first, zeros kept."""
    today = timezone.localdate()
    this_monday = today - timedelta(days=today.weekday())
    first = this_monday - timedelta(weeks=weeks - 1)
    rows = (
        Tenant.objects.filter(status__in=OFFICES, created__date__gte=first)
        .annotate(week=TruncWeek("created"))
        .values("week")
        .annotate(n=Count("pk"))
    )
    counts = {row["week"].date() if hasattr(row["week"], "date") else row["week"]: row["n"] for row in rows}
    return [(first + timedelta(weeks=i), counts.get(first + timedelta(weeks=i), 0)) for i in range(weeks)]


def operator_dashboard() -> dict:
    by_status = dict(Tenant.objects.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    offices = list(Tenant.objects.filter(status__in=OFFICES).values_list("schema_name", flat=True))
    usage = tenant_usage_counts(offices)
    weeks = signups_per_week()
    peak = max((n for _w, n in weeks), default=0)
    slot = CHART_WIDTH / len(weeks)
    bars = [
        {
            "week": week,
            "count": n,
            "x": round(i * slot + slot * 0.15, 2),
            "width": round(slot * 0.7, 2),
            "height": round(max((CHART_HEIGHT - 6) * n / peak if peak else 0, 1.5), 2),
        }
        for i, (week, n) in enumerate(weeks)
    ]
    for bar in bars:
        bar["y"] = round(CHART_HEIGHT - bar["height"], 2)
    return {
        "active": by_status.get(Tenant.Status.ACTIVE, 0),
        "suspended": by_status.get(Tenant.Status.SUSPENDED, 0),
        "pooled": by_status.get(Tenant.Status.POOLED, 0),
        "clients": sum(u["portal_accounts"] for u in usage.values()),
        "staff": sum(u["staff"] for u in usage.values()),
        "signups": sum(n for _w, n in weeks),
        "bars": bars,
        "peak": peak,
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "summary": f"Sign-ups per week, last {len(weeks)} weeks: {sum(n for _w, n in weeks)} in total.",
    }
