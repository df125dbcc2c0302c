"""The client's pages run the same number of queries for a dozen or 500 offered properties."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from modules.real_estate.models import OfferedProperty, Viewing

from .portal_support import signed_in
from .test_queries import _offers as domain_offers

PAGES = [
    ("real_estate:home", ""),
    ("real_estate:new", ""),
    ("real_estate:properties", ""),
    ("real_estate:properties", "?group=to_rate"),
    ("real_estate:properties", "?group=interested"),
    ("real_estate:properties", "?group=visited&favourites=1"),
    ("real_estate:properties", "?page=2"),
    ("real_estate:viewings", "?tab=upcoming"),
    ("real_estate:viewings", "?tab=recent"),
    ("real_estate:viewings", "?tab=unconfirmed"),
    ("real_estate:contact", ""),
]


def bulk_offers(deal, count: int, start: int = 0) -> list[OfferedProperty]:
    """The domain tests' bulk-created offers (photos, a viewing and feedback each), spread over
    every group, with favourites, proposed times and past visits as well."""
    domain_offers(deal, count, start)
    now = timezone.now()
    titles = [f"Property {n}" for n in range(start, start + count)]
    offers = list(OfferedProperty.objects.filter(deal=deal, property__title__in=titles).order_by("pk"))
    for n, offer in enumerate(offers):
        if n % 7 == 3:
            offer.interest, offer.rejection_reasons = "rejected", ["price"]
        offer.approved_at = now if offer.visited_at and n % 2 == 0 else None
        offer.favourite = n % 4 in (0, 1)
    OfferedProperty.objects.bulk_update(offers, ["interest", "rejection_reasons", "approved_at", "favourite"])
    Viewing.objects.filter(offered__in=offers[::4], status="requested").update(
        status="proposed", proposed_start=now + timedelta(days=3)
    )
    Viewing.objects.bulk_create(
        [
            Viewing(offered=o, status="visited", start=now - timedelta(days=2), visited_at=now)
            for o in offers[1::3]
        ]
    )
    return offers


FEW = 12  # enough for every group, tab and filter to list something (an empty list skips a query)

# Reads of process-wide caches (the routes, the portal configuration) refill whenever the shared
# cache is cleared, e.g. by another test run on the same Redis: not the page's own queries.
CACHE_REFILLS = ("SET search_path", '"tenants_', '"portal_core_portalconfig"')
REFILL_QUERIES = 12  # at most, when every one of those caches refills during the request


def _own(queries) -> list[str]:
    return [q["sql"] for q in queries if not any(mark in q["sql"] for mark in CACHE_REFILLS)]


def _count(browser, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = browser.get(url)
    assert response.status_code == 200, url
    return len(_own(queries.captured_queries))


def _assert_same(browser, url: str, few: int, django_assert_max_num_queries) -> None:
    with django_assert_max_num_queries(few + REFILL_QUERIES) as queries:
        response = browser.get(url)
    assert response.status_code == 200
    assert len(_own(queries.captured_queries)) == few, _own(queries.captured_queries)


@pytest.mark.parametrize(("name", "query"), PAGES)
def test_a_list_page_costs_the_same_for_a_dozen_or_500_offers(
    office, account, deal, django_assert_max_num_queries, name, query
):
    url = reverse(name) + query
    browser = signed_in(office, account)
    bulk_offers(deal, FEW)
    browser.get(url)  # warm: the portal configuration and routes are read once per process
    few = _count(browser, url)
    bulk_offers(deal, 500 - FEW, start=FEW)
    _assert_same(browser, url, few, django_assert_max_num_queries)
    assert few <= 12, f"{url} runs {few} queries"


def test_a_property_page_costs_the_same_whatever_the_number_of_offers(
    office, account, deal, django_assert_max_num_queries
):
    browser = signed_in(office, account)
    [first, *_rest] = bulk_offers(deal, FEW)
    url = reverse("real_estate:property", args=[first.pk])
    browser.get(url)
    few = _count(browser, url)
    bulk_offers(deal, 500 - FEW, start=FEW)
    _assert_same(browser, url, few, django_assert_max_num_queries)


def test_the_lists_show_a_page_of_cards_at_a_time(office, account, deal):
    browser = signed_in(office, account)
    bulk_offers(deal, 60)
    page = browser.get(reverse("real_estate:properties")).content.decode()
    assert page.count('class="re-card"') == 24 and "60 properties" in page and "Page 1 of 3" in page
    last = browser.get(reverse("real_estate:properties") + "?page=3").content.decode()
    assert last.count('class="re-card"') == 12
