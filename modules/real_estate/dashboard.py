"""The portal home's quick statistics for the signed-in client (``modules.base``)."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from modules.base import Statistic

from .selectors import client_contact, client_overview


def _url(name: str, query: str = "") -> str:
    try:
        return reverse(f"real_estate:{name}") + query
    except NoReverseMatch:  # the module's pages are not mounted (yet)
        return ""


def statistics(request) -> list[Statistic]:
    """New properties, properties still to rate and upcoming viewings: the client's own only."""
    contact = client_contact(getattr(request, "client", None))
    if contact is None:
        return []
    overview = client_overview(contact=contact)
    return [
        Statistic(label=_("New properties"), value=overview["new"], url=_url("new")),
        Statistic(label=_("To rate"), value=overview["to_rate"], url=_url("properties", "?group=to_rate")),
        Statistic(label=_("Upcoming viewings"), value=overview["upcoming_viewings"], url=_url("viewings")),
    ]
