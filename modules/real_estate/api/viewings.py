"""``/api/v1/real-estate/viewings/``: the clients' viewing requests and the appointments they become,
with one URL for each thing the office does to one (confirm, propose, reschedule, cancel, mark
visited). Each emails the client as the office console does."""

from __future__ import annotations

from django.db.models import Min, OuterRef, Subquery
from django.db.models.functions import Coalesce
from drf_spectacular.utils import extend_schema_view
from rest_framework import serializers

from .. import services
from ..models import Viewing, ViewingSlot
from . import serializers as s
from .base import LIST_DESCRIPTION, ListRows, OfficeView, RowAction, ShowRow, doc


def viewing_queryset():
    """Viewings ready for a list, each with ``when_at``: its confirmed time, else the proposed one,
    else its earliest preferred slot (what ``from`` and ``to`` filter on)."""
    slots = ViewingSlot.objects.filter(viewing=OuterRef("pk")).order_by().values("viewing")
    first_slot = Subquery(slots.annotate(first=Min("start")).values("first"))
    return Viewing.objects.for_listing().annotate(when_at=Coalesce("start", "proposed_start", first_slot))


@extend_schema_view(
    get=doc(
        "viewings_list",
        "List viewings",
        s.ViewingSerializer(many=True),
        codes=(400,),
        description=LIST_DESCRIPTION.replace("Newest first", "Newest request first")
        + " For the agenda: ``status=confirmed`` with ``from`` and ``to``.",
        parameters=(s.ViewingFilterSerializer,),
    )
)
class ViewingListView(ListRows, OfficeView):
    FilterSerializer = s.ViewingFilterSerializer
    lookups = {
        "status": "status",
        "from": "when_at__gte",
        "to": "when_at__lt",
        "contact": "offered__deal__contact_id",
        "offer": "offered_id",
    }
    OutputSerializer = serializer_class = s.ViewingSerializer

    def get_queryset(self):
        return viewing_queryset()


@extend_schema_view(get=doc("viewings_retrieve", "Get a viewing", s.ViewingSerializer, model="Viewing"))
class ViewingDetailView(ShowRow, OfficeView):
    OutputSerializer = serializer_class = s.ViewingSerializer

    def get_queryset(self):
        return viewing_queryset()


class ViewingAction(RowAction, OfficeView):
    """An action on one viewing; answers with the viewing."""

    InputSerializer = s.ViewingTimeSerializer
    OutputSerializer = serializer_class = s.ViewingSerializer

    def get_queryset(self):
        return viewing_queryset()


def _action(operation: str, summary: str, description: str, request=s.ViewingTimeSerializer):
    return extend_schema_view(
        post=doc(
            f"viewings_{operation}",
            summary,
            s.ViewingSerializer,
            codes=(400,),
            model="Viewing",
            description=description,
            request=request,
        )
    )


@_action(
    "confirm",
    "Confirm a viewing",
    "Confirms a requested viewing at ``start``, one of the client's preferred times "
    "(``preferred_slots``) that is still to come; to offer another time, use ``propose``. The "
    "client is emailed; event ``real_estate.viewing_confirmed``.",
)
class ViewingConfirmView(ViewingAction):
    def act(self, row, data, actor):
        if data["start"] not in {slot.start for slot in row.slots.all()}:
            raise serializers.ValidationError(
                {"start": ["Not one of the client's preferred times: propose it instead."]}
            )
        services.viewing_confirm(viewing=row, start=data["start"], actor=actor)


@_action(
    "propose",
    "Propose another time",
    "Answers a request with another future time (within a year), which the client accepts in the "
    "portal to confirm it; one of the client's own preferred times confirms the viewing at once. "
    "The client is emailed; event ``real_estate.viewing_proposed``.",
)
class ViewingProposeView(ViewingAction):
    def act(self, row, data, actor):
        services.viewing_confirm(viewing=row, start=data["start"], actor=actor)


@_action(
    "reschedule",
    "Move a viewing",
    "Moves a confirmed viewing to another future time (it stays confirmed; event "
    "``real_estate.viewing_confirmed`` with ``rescheduled: true``), or replaces a pending proposal. "
    "The client is emailed.",
)
class ViewingRescheduleView(ViewingAction):
    def act(self, row, data, actor):
        services.viewing_reschedule(viewing=row, start=data["start"], actor=actor)


@_action(
    "cancel",
    "Cancel a viewing",
    "Cancels a requested, proposed or confirmed viewing that has not taken place. The client is "
    "emailed, with the reason when given; event ``real_estate.viewing_cancelled``.",
    s.ViewingCancelSerializer,
)
class ViewingCancelView(ViewingAction):
    InputSerializer = s.ViewingCancelSerializer

    def act(self, row, data, actor):
        services.viewing_cancel(viewing=row, by=Viewing.Party.OFFICE, actor=actor, reason=data["reason"])


@_action(
    "mark_visited",
    "Mark a viewing as visited",
    "Records that a confirmed viewing took place: the property moves to the client's “Visited” group "
    "and the client can give feedback. Marking it twice changes nothing.",
    None,
)
class ViewingMarkVisitedView(ViewingAction):
    InputSerializer = None

    def act(self, row, data, actor):
        services.viewing_mark_visited(viewing=row, actor=actor)
