"""The card the module adds to a contact's page in the office (``modules.base``: ``<module>.panels``):
the contact's deals, where the client stands on each offered property, and their feedback.

A fixed number of queries whatever the number of offers: the deals, their counts per group in one
aggregate, and only the latest few offers of each deal (with their history) in one window query."""

from __future__ import annotations

from django.template.loader import render_to_string

from modules.base import Panel

from .models import Deal
from .office.queries import deal_group_counts, group_chips, offers_for_contact_panel

OFFERS_PER_DEAL = 5


def contact_panels(request, contact) -> list[Panel]:
    deals = list(Deal.objects.filter(contact=contact).order_by("-created", "-id"))
    deals.sort(key=lambda deal: deal.status != Deal.Status.OPEN)  # open deals first, newest first
    if deals:
        counts = deal_group_counts(deal.pk for deal in deals)
        offers = offers_for_contact_panel(contact=contact, per_deal=OFFERS_PER_DEAL)
        for deal in deals:
            deal.counts = counts[deal.pk]
            deal.chips = group_chips(deal.counts)
            deal.latest_offers = offers.get(deal.pk, [])
    html = render_to_string(
        "real_estate/office/panel.html",
        {"contact": contact, "deals": deals, "per_deal": OFFERS_PER_DEAL, "back": request.get_full_path()},
        request=request,
    )
    return [Panel(title="Real estate", html=html, key="deals")]
