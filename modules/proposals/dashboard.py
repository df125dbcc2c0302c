"""The portal home's statistics for the signed-in client: what awaits their answer or their deposit."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from modules.base import Statistic

from .selectors import proposals_for_client


def statistics(request) -> list[Statistic]:
    account = getattr(request, "client", None)
    if account is None:
        return []
    proposals = list(proposals_for_client(account))
    waiting = sum(1 for p in proposals if p.is_open or p.awaits_deposit)
    try:
        url = reverse("proposals:list")
    except NoReverseMatch:
        url = ""
    return [Statistic(label=_("Proposals awaiting you"), value=waiting, url=url)]
