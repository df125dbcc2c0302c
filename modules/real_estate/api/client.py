"""``/api/v1/real-estate/me/``: the signed-in client's own offered properties and viewings, read-only,
for widgets an office builds on its own site. Only a portal account's JWT reaches it; a company's
account has no offers of its own and sees empty lists."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_view

from .. import selectors
from . import serializers as s
from .base import ClientView, ListRows, OfferedCursorPagination, ShowRow, doc

AUTH = [{"JWT": []}]
TAB_ORDER = {
    "upcoming": ("start", "id"),
    "recent": ("-start", "-id"),
    "unconfirmed": ("created", "id"),
    None: ("-created", "id"),
}


class ClientOfferView(ClientView):
    OutputSerializer = serializer_class = s.ClientOfferSerializer
    pagination_class = OfferedCursorPagination

    def get_queryset(self):
        return selectors.offered_properties_for_client(account=self.account).with_photos()


@extend_schema_view(
    get=doc(
        "me_offers_list",
        "List my offered properties",
        s.ClientOfferSerializer(many=True),
        codes=(400,),
        description="The properties the office offered to the signed-in client, latest first, with "
        "their details, photos and where each stands; 50 a page (``page_size`` up to 200). Needs a "
        "client JWT from ``/api/v1/auth/token``.",
        parameters=(s.ClientOfferFilterSerializer,),
        auth=AUTH,
    )
)
class ClientOfferListView(ListRows, ClientOfferView):
    FilterSerializer = s.ClientOfferFilterSerializer

    def rows(self, filters):
        offers = selectors.offered_properties_for_client(account=self.account, group=filters.get("group"))
        return offers.with_photos()


@extend_schema_view(
    get=doc(
        "me_offers_retrieve",
        "Get one of my offered properties",
        s.ClientOfferSerializer,
        model="Offered property",
        description="Reading it does not mark it seen (the portal does that when the client opens it).",
        auth=AUTH,
    )
)
class ClientOfferDetailView(ShowRow, ClientOfferView):
    pass


class ClientViewingView(ClientView):
    OutputSerializer = serializer_class = s.ClientViewingSerializer

    def get_queryset(self):
        return selectors.viewings_for_client(account=self.account, tab=None)


@extend_schema_view(
    get=doc(
        "me_viewings_list",
        "List my viewings",
        s.ClientViewingSerializer(many=True),
        codes=(400,),
        description="The signed-in client's viewings, in one tab of the portal's viewings page or all "
        "of them; 50 a page (``page_size`` up to 200). Needs a client JWT.",
        parameters=(s.ClientViewingFilterSerializer,),
        auth=AUTH,
    )
)
class ClientViewingListView(ListRows, ClientViewingView):
    FilterSerializer = s.ClientViewingFilterSerializer

    def rows(self, filters):
        tab = filters.get("tab")
        self.paginator.ordering = TAB_ORDER[tab]
        return selectors.viewings_for_client(account=self.account, tab=tab)


@extend_schema_view(
    get=doc(
        "me_viewings_retrieve",
        "Get one of my viewings",
        s.ClientViewingSerializer,
        model="Viewing",
        auth=AUTH,
    )
)
class ClientViewingDetailView(ShowRow, ClientViewingView):
    pass
