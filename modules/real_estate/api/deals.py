"""``/api/v1/real-estate/deals/`` and ``offers/``: each contact's search, the properties offered
through it, and where each one stands for the client."""

from __future__ import annotations

from django.db.models import Count

from portal_core.api.resources import (
    LIST_DESCRIPTION,
    ChangeRow,
    CreateRow,
    ListRows,
    OfficeResource,
    RowAction,
    ShowRow,
    doc,
)

from .. import services
from ..models import Deal, OfferedProperty
from . import serializers as s
from .base import OfferedCursorPagination

OFFER_LIST = (
    "Latest offer first, 50 a page (``page_size`` up to 200); follow ``next`` for the rest. Each offer "
    "says where it stands for the client: new or seen, interest (with rejection reasons), favourite, "
    "the group the client sees it in, the latest viewing and the feedback."
)


def offer_queryset():
    return OfferedProperty.objects.for_listing()


class DealView(OfficeResource):
    resource = "deals"
    OutputSerializer = s.DealSerializer

    def get_queryset(self):
        return Deal.objects.select_related("contact").annotate(offer_count=Count("offered_properties"))


class DealListView(ListRows, CreateRow, DealView):
    """Deals: list and create."""

    FilterSerializer = s.DealFilterSerializer
    InputSerializer = s.DealCreateSerializer
    lookups = {"contact": "contact_id", "status": "status"}
    docs = {
        "list": doc("List deals", LIST_DESCRIPTION),
        "create": doc(
            "Open a deal",
            "A contact's search, through which properties are offered to them. Logged on the contact.",
        ),
    }

    def create(self, data, actor):
        return services.deal_create(**data, actor=actor)


class DealDetailView(ShowRow, ChangeRow, DealView):
    """One deal: read, replace, change."""

    InputSerializer = s.DealWriteSerializer
    docs = {
        "retrieve": doc("Get a deal"),
        "update": doc(
            "Replace a deal",
            "Fields left out take their defaults (no notes, open). Its contact does not change.",
        ),
        "partial_update": doc(
            "Change a deal", "Only the fields sent change; ``status`` won or lost closes it to new offers."
        ),
    }

    def change(self, row, data, actor):
        services.deal_update(deal=row, **data)


class DealOfferListView(ListRows, CreateRow, OfficeResource):
    """The properties offered through one deal: list, and offer one more."""

    resource = "deal_offers"
    parent_queryset = Deal.objects.all()
    path_ids = {"id": "The deal's id."}
    InputSerializer = s.OfferCreateSerializer
    OutputSerializer = s.OfferSerializer
    pagination_class = OfferedCursorPagination
    docs = {
        "list": doc("List a deal's offered properties", OFFER_LIST),
        "create": doc(
            "Offer a property",
            "The property is in the client's portal at once, marked new; event "
            "``real_estate.property_offered``. Refused (400) when the deal is closed, the property is "
            "sold, or this client already has it.",
        ),
    }

    def get_queryset(self):
        return offer_queryset().filter(deal=self.parent)

    def create(self, data, actor):
        return services.property_offer(deal=self.parent, property=data["property"], actor=actor)


class OfferView(OfficeResource):
    resource = "offers"
    OutputSerializer = s.OfferSerializer
    pagination_class = OfferedCursorPagination

    def get_queryset(self):
        return offer_queryset()


class OfferListView(ListRows, OfferView):
    """Every offered property, across deals."""

    FilterSerializer = s.OfferFilterSerializer
    lookups = {
        "deal": "deal_id",
        "contact": "deal__contact_id",
        "property": "property_id",
        "group": "client_group",
    }
    docs = {"list": doc("List offered properties", OFFER_LIST)}


class OfferDetailView(ShowRow, OfferView):
    docs = {"retrieve": doc("Get an offered property")}


class OfferApproveView(RowAction, OfferView):
    action = "approve"
    docs = {
        "approve": doc(
            "Approve a property for the client",
            "After a viewing has taken place, puts the property in the client's “Approved” group; event "
            "``real_estate.property_approved``. Refused (400) before a visit or when the client is not "
            "interested. Approving twice changes nothing.",
            errors=(400,),
        )
    }

    def act(self, row, data, actor):
        services.property_approve(offer=row, approved_by=self.request.user.staff_user, actor=actor)
