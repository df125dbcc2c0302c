"""``/api/v1/real-estate/viewings/``: the clients' viewing requests and the appointments they become,
with one URL for each thing the office does to one (confirm, propose, reschedule, cancel, mark
visited). Each emails the client as the office console does."""

from __future__ import annotations

from django.db.models import Min, OuterRef, Subquery
from django.db.models.functions import Coalesce
from rest_framework import serializers

from portal_core.api.resources import LIST_DESCRIPTION, ListRows, OfficeResource, RowAction, ShowRow, doc

from .. import services
from ..models import Viewing, ViewingSlot
from . import serializers as s


def viewing_queryset():
    """Viewings ready for a list, each with ``when_at``: its confirmed time, else the proposed one,
    else its earliest preferred slot (what ``from`` and ``to`` filter on)."""
    slots = ViewingSlot.objects.filter(viewing=OuterRef("pk")).order_by().values("viewing")
    first_slot = Subquery(slots.annotate(first=Min("start")).values("first"))
    return Viewing.objects.for_listing().annotate(when_at=Coalesce("start", "proposed_start", first_slot))


class ViewingView(OfficeResource):
    resource = "viewings"
    OutputSerializer = s.ViewingSerializer

    def get_queryset(self):
        return viewing_queryset()


class ViewingListView(ListRows, ViewingView):
    FilterSerializer = s.ViewingFilterSerializer
    lookups = {
        "status": "status",
        "from": "when_at__gte",
        "to": "when_at__lt",
        "contact": "offered__deal__contact_id",
        "offer": "offered_id",
    }
    docs = {
        "list": doc(
            "List viewings",
            LIST_DESCRIPTION.replace("Newest first", "Newest request first")
            + " For the agenda: ``status=confirmed`` with ``from`` and ``to``.",
        )
    }


class ViewingDetailView(ShowRow, ViewingView):
    docs = {"retrieve": doc("Get a viewing")}


class ViewingAction(RowAction, ViewingView):
    """An action on one viewing; answers with the viewing. ``docs`` need only summary and
    description: each can be refused (400) by the viewing's state."""

    InputSerializer = s.ViewingTimeSerializer


def _doc(summary: str, description: str):
    return doc(summary, description, errors=(400,))


class ViewingConfirmView(ViewingAction):
    action = "confirm"
    docs = {
        "confirm": _doc(
            "Confirm a viewing",
            "Confirms a requested viewing at ``start``, one of the client's preferred times "
            "(``preferred_slots``) that is still to come; to offer another time, use ``propose``. The "
            "client is emailed; event ``real_estate.viewing_confirmed``.",
        )
    }

    def act(self, row, data, actor):
        if data["start"] not in {slot.start for slot in row.slots.all()}:
            raise serializers.ValidationError(
                {"start": ["Not one of the client's preferred times: propose it instead."]}
            )
        services.viewing_confirm(viewing=row, start=data["start"], actor=actor)


class ViewingProposeView(ViewingAction):
    action = "propose"
    docs = {
        "propose": _doc(
            "Propose another time",
            "Answers a request with another future time (within a year), which the client accepts in the "
            "portal to confirm it; one of the client's own preferred times confirms the viewing at once. "
            "The client is emailed; event ``real_estate.viewing_proposed``.",
        )
    }

    def act(self, row, data, actor):
        services.viewing_confirm(viewing=row, start=data["start"], actor=actor)


class ViewingRescheduleView(ViewingAction):
    action = "reschedule"
    docs = {
        "reschedule": _doc(
            "Move a viewing",
            "Moves a confirmed viewing to another future time (it stays confirmed; event "
            "``real_estate.viewing_confirmed`` with ``rescheduled: true``), or replaces a pending "
            "proposal. The client is emailed.",
        )
    }

    def act(self, row, data, actor):
        services.viewing_reschedule(viewing=row, start=data["start"], actor=actor)


class ViewingCancelView(ViewingAction):
    action = "cancel"
    InputSerializer = s.ViewingCancelSerializer
    docs = {
        "cancel": _doc(
            "Cancel a viewing",
            "Cancels a requested, proposed or confirmed viewing that has not taken place. The client is "
            "emailed, with the reason when given; event ``real_estate.viewing_cancelled``.",
        )
    }

    def act(self, row, data, actor):
        services.viewing_cancel(viewing=row, by=Viewing.Party.OFFICE, actor=actor, reason=data["reason"])


class ViewingMarkVisitedView(ViewingAction):
    action = "mark_visited"
    InputSerializer = None
    docs = {
        "mark_visited": _doc(
            "Mark a viewing as visited",
            "Records that a confirmed viewing took place: the property moves to the client's “Visited” "
            "group and the client can give feedback. Marking it twice changes nothing.",
        )
    }

    def act(self, row, data, actor):
        services.viewing_mark_visited(viewing=row, actor=actor)
