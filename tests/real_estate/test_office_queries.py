"""The office's real-estate pages cost the same number of queries for a deal with 5 or 500 offered
properties (with their viewings, feedback, photos and voice notes), 500 viewings or 500 messages."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from modules.real_estate.models import (
    AgentMessage,
    Feedback,
    FeedbackPhoto,
    FeedbackVoiceNote,
    OfferedProperty,
    Property,
    PropertyPhoto,
    Viewing,
    ViewingSlot,
)

BASE = "/office/real-estate"
MAX_QUERIES = 30


def grow(deal, count: int) -> None:
    """``count`` more properties offered on ``deal`` in every state the pages show, each with photos,
    a viewing and feedback; as many properties not offered yet, and messages from the client."""
    now = timezone.now()
    start = Property.objects.count()
    properties = Property.objects.bulk_create(
        Property(title=f"Property {n}", city=f"City {n % 7}", price=100000 + n, features=["Garden"])
        for n in range(start, start + 2 * count)
    )
    offered, spare = properties[:count], properties[count:]
    PropertyPhoto.objects.bulk_create(
        PropertyPhoto(
            property=p, image=f"real-estate/property-photos/{p.pk}-{i}.jpg", width=8, height=6, position=i
        )
        for p in properties
        for i in range(2)
    )
    offers = OfferedProperty.objects.bulk_create(
        OfferedProperty(
            deal=deal,
            property=p,
            interest=("interested", "rejected", "to_rate")[n % 3],
            rejection_reasons=["price", "size"] if n % 3 == 1 else [],
            rejection_note="Too small" if n % 3 == 1 else "",
            favourite=n % 4 == 0,
            visited_at=now - timedelta(days=1) if n % 3 == 0 else None,
            seen_at=None if n % 2 else now,
        )
        for n, p in enumerate(offered)
    )
    viewings = Viewing.objects.bulk_create(
        Viewing(offered=o, status="confirmed", start=now + timedelta(days=1 + n % 20, hours=n % 8))
        if n % 2
        else Viewing(offered=o, status="requested", note="Any afternoon")
        for n, o in enumerate(offers)
    )
    ViewingSlot.objects.bulk_create(
        ViewingSlot(viewing=v, start=now + timedelta(days=d)) for v in viewings for d in (1, 2, 3)
    )
    feedback = Feedback.objects.bulk_create(
        Feedback(offered=o, rating=1 + n % 5, notes=f"Notes {n}") for n, o in enumerate(offers)
    )
    FeedbackPhoto.objects.bulk_create(
        FeedbackPhoto(feedback=f, image=f"real-estate/feedback-photos/{f.pk}.jpg", width=8, height=6)
        for f in feedback
    )
    FeedbackVoiceNote.objects.bulk_create(
        FeedbackVoiceNote(
            feedback=f,
            audio=f"real-estate/voice-notes/{f.pk}.webm",
            content_type="audio/webm",
            duration_seconds=Decimal("3.0"),
            size=100,
        )
        for f in feedback
    )
    AgentMessage.objects.bulk_create(
        AgentMessage(
            contact=deal.contact, subject=f"Question {n}", body="Hello", offered=offers[n % len(offers)]
        )
        for n in range(count)
    )
    assert len(spare) == count


# What the core caches per process (the host's office, its portal settings) is loaded again whenever
# any process, another test run included, bumps the shared generation: not the page's own work.
CORE_CACHE_LOADS = re.compile(r'^SET search_path|"tenants_|"portal_core_portalconfig"')


def queries(browser, url: str) -> int:
    """The page's own queries."""
    with CaptureQueriesContext(connection) as captured:
        response = browser.get(url)
    assert response.status_code == 200, url
    return sum(1 for query in captured.captured_queries if not CORE_CACHE_LOADS.search(query["sql"]))


@pytest.fixture
def staff(office):
    browser = office.staff_client()
    connection.set_tenant(office.tenant)
    return browser


def test_the_office_pages_do_not_grow_with_the_number_of_offers(
    staff, deal, contact, django_assert_max_num_queries
):
    grow(deal, 5)
    prop = Property.objects.order_by("pk").first()
    pages = [
        f"{BASE}/deals/{deal.pk}/",
        f"{BASE}/deals/{deal.pk}/?group=rejected",
        f"{BASE}/deals/{deal.pk}/?group=new",
        f"{BASE}/deals/{deal.pk}/offer/",
        f"{BASE}/deals/",
        f"{BASE}/properties/",
        f"{BASE}/properties/?status=available&price_min=1",
        f"{BASE}/properties/{prop.pk}/",
        f"{BASE}/viewings/",
        f"{BASE}/messages/",
        f"/office/contacts/{contact.pk}/",
    ]
    for url in pages:  # the session settles on its first pages
        staff.get(url)
    small = {url: queries(staff, url) for url in pages}
    grow(deal, 495)
    assert OfferedProperty.objects.filter(deal=deal).count() == 500
    for url in pages:
        with django_assert_max_num_queries(MAX_QUERIES):
            large = queries(staff, url)
        assert large == small[url], url


def test_the_contact_card_shows_the_latest_offers_of_each_deal(staff, deal, contact):
    grow(deal, 12)
    html = staff.get(f"/office/contacts/{contact.pk}/").content.decode()
    card = html[html.index("data-real-estate-panel") :]
    assert card.count('class="re-offer re-offer--compact"') == 5
    assert "All 12 offered properties" in card
    latest = OfferedProperty.objects.filter(deal=deal).order_by("-offered_at", "-id").first()
    assert f'data-offer="{latest.pk}"' in card
