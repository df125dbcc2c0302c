"""``/api/v1/real-estate/me/``: the signed-in client's own offered properties and viewings, read-only,
for widgets an office builds on its own site. Only a portal account's JWT reaches it; a company's
account has no offers of its own and sees empty lists."""

from __future__ import annotations

from portal_core.api.resources import ClientResource, ListRows, ShowRow, doc

from .. import selectors
from . import serializers as s
from .base import OfferedCursorPagination

TAB_ORDER = {
    "upcoming": ("start", "id"),
    "recent": ("-start", "-id"),
    "unconfirmed": ("created", "id"),
    None: ("-created", "id"),
}


class ClientOfferView(ClientResource):
    resource = "me_offers"
    OutputSerializer = s.ClientOfferSerializer
    pagination_class = OfferedCursorPagination

    def get_queryset(self):
        return selectors.offered_properties_for_client(account=self.account).with_photos()


class ClientOfferListView(ListRows, ClientOfferView):
    FilterSerializer = s.ClientOfferFilterSerializer
    docs = {
        "list": doc(
            "List my offered properties",
            "The properties the office offered to the signed-in client, latest first, with their "
            "details, photos and where each stands; 50 a page (``page_size`` up to 200). Needs a client "
            "JWT from ``/api/v1/auth/token``.",
        )
    }

    def rows(self, filters):
        offers = selectors.offered_properties_for_client(account=self.account, group=filters.get("group"))
        return offers.with_photos()


class ClientOfferDetailView(ShowRow, ClientOfferView):
    docs = {
        "retrieve": doc(
            "Get one of my offered properties",
            "Reading it does not mark it seen (the portal does that when the client opens it).",
        )
    }


class ClientViewingView(ClientResource):
    resource = "me_viewings"
    OutputSerializer = s.ClientViewingSerializer

    def get_queryset(self):
        return selectors.viewings_for_client(account=self.account, tab=None)


class ClientViewingListView(ListRows, ClientViewingView):
    FilterSerializer = s.ClientViewingFilterSerializer
    docs = {
        "list": doc(
            "List my viewings",
            "The signed-in client's viewings, in one tab of the portal's viewings page or all of them; 50 "
            "a page (``page_size`` up to 200). Needs a client JWT.",
        )
    }

    def rows(self, filters):
        tab = filters.get("tab")
        self.paginator.ordering = TAB_ORDER[tab]
        return selectors.viewings_for_client(account=self.account, tab=tab)


class ClientViewingDetailView(ShowRow, ClientViewingView):
    docs = {"retrieve": doc("Get one of my viewings")}
