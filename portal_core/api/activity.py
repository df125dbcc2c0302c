"""``/api/v1/activity/``: the activity log of the office's clients, newest first (read-only)."""

from __future__ import annotations

from ..models import ActivityEntry
from . import serializers as s
from .resources import CursorPagination, ListRows, OfficeResource, doc


class NewestFirstPagination(CursorPagination):
    ordering = ("-created", "-id")


class ActivityListView(ListRows, OfficeResource):
    """The activity log, read-only."""

    resource = "activity"
    FilterSerializer = s.ActivityFilterSerializer
    OutputSerializer = s.ActivityEntrySerializer
    pagination_class = NewestFirstPagination
    lookups = {
        "contact": "contact_id",
        "company": "company_id",
        "verb": "verb",
        "module": "module",
        "since": "created__gte",
    }
    docs = {
        "list": doc(
            "List activity",
            "Everything that happened to or by the office's clients, newest first, 50 a page "
            "(``page_size`` up to 200); follow ``next`` for the rest.",
        )
    }

    def get_queryset(self):
        return ActivityEntry.objects.all()
