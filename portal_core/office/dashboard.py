"""The office home's figures below the set-up checklist: clients per portal status, recent activity
and sign-ins over the last 30 days (a constant number of queries, however many clients)."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse

from ..selectors import account_status_counts, logins_per_day, recent_activity

CHART_DAYS = 30
CHART_WIDTH, CHART_HEIGHT = 300, 100
CHART_TOP_GAP = 6  # room above the tallest bar


def contact_url(contact_id: int | None) -> str | None:
    """The contact's page in the office, when that page exists (the contacts pages are optional)."""
    if contact_id is None:
        return None
    try:
        return reverse("office:contact-detail", kwargs={"pk": contact_id})
    except NoReverseMatch:
        return None


def logins_chart(points: list[tuple]) -> dict:
    """Bar geometry in a ``CHART_WIDTH`` × ``CHART_HEIGHT`` view box, with the figures it summarises."""
    total = sum(count for _day, count in points)
    peak = max((count for _day, count in points), default=0)
    slot = CHART_WIDTH / max(len(points), 1)
    bars = []
    for index, (day, count) in enumerate(points):
        height = (CHART_HEIGHT - CHART_TOP_GAP) * count / peak if peak else 0
        height = max(height, 1.5)  # a stub marks a day without sign-ins
        bars.append(
            {
                "day": day,
                "count": count,
                "x": round(index * slot + slot * 0.15, 2),
                "width": round(slot * 0.7, 2),
                "y": round(CHART_HEIGHT - height, 2),
                "height": round(height, 2),
            }
        )
    busiest = max(points, key=lambda point: point[1]) if peak else None
    summary = f"Sign-ins over the last {len(points)} days: {total} in total"
    if busiest:
        summary += f", most on {busiest[0].day} {busiest[0]:%B} ({busiest[1]})"
    # The y axis: 0, the peak and (when it is a whole number in between) its half, top down.
    y_ticks = sorted({0, peak, *([peak // 2] if peak >= 4 and peak % 2 == 0 else [])}, reverse=True)
    middle = points[len(points) // 2][0] if points else None
    return {
        "y_ticks": y_ticks if peak else [1, 0],
        "x_ticks": [points[0][0], middle, points[-1][0]] if points else [],
        "bars": bars,
        "total": total,
        "peak": peak,
        "summary": summary + ".",
        "first": points[0][0] if points else None,
        "last": points[-1][0] if points else None,
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
    }


def dashboard_context() -> dict:
    """What the office home shows below the set-up checklist."""
    counts = account_status_counts()
    reached = counts["invited"] + counts["joined"]
    activity = [
        {
            "entry": entry,
            "who": entry.contact.full_name
            if entry.contact
            else (entry.company.name if entry.company else ""),
            "url": contact_url(entry.contact_id),
        }
        for entry in recent_activity(10)
    ]
    return {
        "counts": counts,
        "joined_percent": round(100 * counts["joined"] / reached) if reached else 0,
        "activity": activity,
        "logins": logins_chart(logins_per_day(days=CHART_DAYS)),
    }
