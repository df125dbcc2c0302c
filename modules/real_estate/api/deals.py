"""``/api/v1/real-estate/deals/`` and ``offers/``: each contact's search, the properties offered
through it, and where each one stands for the client."""

from __future__ import annotations

from django.db.models import Count
from drf_spectacular.utils import extend_schema_view
from rest_framework import status
from rest_framework.response import Response

from portal_core.api.base import service_errors

from .. import services
from ..models import Deal, OfferedProperty
from . import serializers as s
from .base import (
    LIST_DESCRIPTION,
    ChangeRow,
    CreateRow,
    ListRows,
    OfferedCursorPagination,
    OfficeView,
    RowAction,
    ShowRow,
    doc,
)


def deal_queryset():
    return Deal.objects.select_related("contact").annotate(offer_count=Count("offered_properties"))


def offer_queryset():
    return OfferedProperty.objects.for_listing()


OFFER_LIST = (
    "Latest offer first, 50 a page (``page_size`` up to 200); follow ``next`` for the rest. Each offer "
    "says where it stands for the client: new or seen, interest (with rejection reasons), favourite, "
    "the group the client sees it in, the latest viewing and the feedback."
)


@extend_schema_view(
    get=doc(
        "deals_list",
        "List deals",
        s.DealSerializer(many=True),
        codes=(400,),
        description=LIST_DESCRIPTION,
        parameters=(s.DealFilterSerializer,),
    ),
    post=doc(
        "deals_create",
        "Open a deal",
        s.DealSerializer,
        codes=(400,),
        code=201,
        description="A contact's search, through which properties are offered to them. Logged on "
        "the contact.",
        request=s.DealCreateSerializer,
    ),
)
class DealListView(ListRows, CreateRow, OfficeView):
    """Deals: list and create."""

    FilterSerializer = s.DealFilterSerializer
    lookups = {"contact": "contact_id", "status": "status"}
    InputSerializer = s.DealCreateSerializer
    OutputSerializer = serializer_class = s.DealSerializer

    def get_queryset(self):
        return deal_queryset()

    def create(self, data, actor):
        return services.deal_create(**data, actor=actor)


@extend_schema_view(
    get=doc("deals_retrieve", "Get a deal", s.DealSerializer, model="Deal"),
    put=doc(
        "deals_update",
        "Replace a deal",
        s.DealSerializer,
        codes=(400,),
        model="Deal",
        description="Fields left out take their defaults (no notes, open). Its contact does not change.",
        request=s.DealWriteSerializer,
    ),
    patch=doc(
        "deals_partial_update",
        "Change a deal",
        s.DealSerializer,
        codes=(400,),
        model="Deal",
        description="Only the fields sent change; ``status`` won or lost closes it to new offers.",
        request=s.DealWriteSerializer,
    ),
)
class DealDetailView(ShowRow, ChangeRow, OfficeView):
    """One deal: read, replace, change."""

    InputSerializer = s.DealWriteSerializer
    OutputSerializer = serializer_class = s.DealSerializer

    def get_queryset(self):
        return deal_queryset()

    def change(self, row, data):
        services.deal_update(deal=row, **data)


@extend_schema_view(
    get=doc(
        "deal_offers_list",
        "List a deal's offered properties",
        s.OfferSerializer(many=True),
        codes=(400,),
        model="Deal",
        description=OFFER_LIST,
    ),
    post=doc(
        "deal_offers_create",
        "Offer a property",
        s.OfferSerializer,
        codes=(400,),
        model="Deal",
        code=201,
        description="The property is in the client's portal at once, marked new; event "
        "``real_estate.property_offered``. Refused (400) when the deal is closed, the property is "
        "sold, or this client already has it.",
        request=s.OfferCreateSerializer,
    ),
)
class DealOfferListView(ListRows, OfficeView):
    """The properties offered through one deal: list, and offer one more."""

    OutputSerializer = serializer_class = s.OfferSerializer
    pagination_class = OfferedCursorPagination

    def get_queryset(self):
        return Deal.objects.all()

    def rows(self, filters):
        return offer_queryset().filter(deal=self.get_object())

    def post(self, request, **kwargs):
        deal = self.get_object()
        body = s.OfferCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with service_errors():
            offer = services.property_offer(
                deal=deal, property=body.validated_data["property"], actor=request.user.label
            )
        return Response(
            self.OutputSerializer(offer_queryset().get(pk=offer.pk)).data, status=status.HTTP_201_CREATED
        )


@extend_schema_view(
    get=doc(
        "offers_list",
        "List offered properties",
        s.OfferSerializer(many=True),
        codes=(400,),
        description=OFFER_LIST,
        parameters=(s.OfferFilterSerializer,),
    )
)
class OfferListView(ListRows, OfficeView):
    """Every offered property, across deals."""

    FilterSerializer = s.OfferFilterSerializer
    lookups = {
        "deal": "deal_id",
        "contact": "deal__contact_id",
        "property": "property_id",
        "group": "client_group",
    }
    OutputSerializer = serializer_class = s.OfferSerializer
    pagination_class = OfferedCursorPagination

    def get_queryset(self):
        return offer_queryset()


@extend_schema_view(
    get=doc("offers_retrieve", "Get an offered property", s.OfferSerializer, model="Offered property")
)
class OfferDetailView(ShowRow, OfficeView):
    OutputSerializer = serializer_class = s.OfferSerializer

    def get_queryset(self):
        return offer_queryset()


@extend_schema_view(
    post=doc(
        "offers_approve",
        "Approve a property for the client",
        s.OfferSerializer,
        codes=(400,),
        model="Offered property",
        description="After a viewing has taken place, puts the property in the client's “Approved” "
        "group; event ``real_estate.property_approved``. Refused (400) before a visit or when the "
        "client is not interested. Approving twice changes nothing.",
        request=None,
    )
)
class OfferApproveView(RowAction, OfficeView):
    OutputSerializer = serializer_class = s.OfferSerializer

    def get_queryset(self):
        return offer_queryset()

    def act(self, row, data, actor):
        services.property_approve(offer=row, approved_by=self.request.user.staff_user, actor=actor)
