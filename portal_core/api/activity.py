"""``/api/v1/activity/``: the activity log of the office's clients, newest first (read-only)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema

from ..models import ActivityEntry
from . import serializers as s
from .base import CreatedCursorPagination, PorticoGenericView


class NewestFirstPagination(CreatedCursorPagination):
    ordering = ("-created", "-id")


class ActivityListView(PorticoGenericView):
    """The activity log, read-only."""

    FilterSerializer = s.ActivityFilterSerializer
    OutputSerializer = s.ActivityEntrySerializer
    serializer_class = OutputSerializer
    pagination_class = NewestFirstPagination

    def get_queryset(self):
        return ActivityEntry.objects.all()

    @extend_schema(
        operation_id="activity_list",
        summary="List activity",
        description="Everything that happened to or by the office's clients, newest first, 50 a page "
        "(``page_size`` up to 200); follow ``next`` for the rest.",
        parameters=[FilterSerializer],
        responses={200: OutputSerializer(many=True), **s.error_responses(400)},
        tags=["activity"],
    )
    def get(self, request):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        f = filters.validated_data
        queryset = self.get_queryset()
        for name in ("contact", "company"):
            if name in f:
                queryset = queryset.filter(**{f"{name}_id": f[name]})
        for name in ("verb", "module"):
            if name in f:
                queryset = queryset.filter(**{name: f[name]})
        if "since" in f:
            queryset = queryset.filter(created__gte=f["since"])
        return self.paginated(queryset, self.OutputSerializer)
