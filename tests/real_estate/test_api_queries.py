"""Every real-estate list costs the same number of queries for 5 rows as for 500 (a page of 200)."""

from __future__ import annotations

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from modules.real_estate import services
from modules.real_estate.models import (
    AgentMessage,
    Deal,
    Feedback,
    FeedbackPhoto,
    FeedbackVoiceNote,
    OfferedProperty,
    Property,
    PropertyPhoto,
    Viewing,
    ViewingSlot,
)
from tests.api.conftest import api
from tests.api.mixins import in_schema

from . import api_support
from .api_support import BASE, account_jwt, client_account

office_a, api_key_a = api_support.office_a, api_support.api_key_a


def _rows(account, deal: Deal, count: int, start: int) -> None:
    """``count`` more of everything: properties with photos, deals, offers (to ``deal``) with a
    viewing each, feedback with a photo and a voice note, messages."""
    now = timezone.now()
    props = Property.objects.bulk_create(
        Property(title=f"Property {n}", city="Haarlem", price=100000 + n, features=["Garden"])
        for n in range(start, start + count)
    )
    PropertyPhoto.objects.bulk_create(
        PropertyPhoto(property=p, image=f"real-estate/p/{p.pk}-{i}.jpg", width=8, height=6, position=i)
        for p in props
        for i in range(2)
    )
    Deal.objects.bulk_create(Deal(contact=account.contact, title=f"Deal {n}") for n in range(count))
    offers = OfferedProperty.objects.bulk_create(
        OfferedProperty(deal=deal, property=p, interest="interested" if n % 2 else "to_rate")
        for n, p in enumerate(props)
    )
    viewings = Viewing.objects.bulk_create(
        Viewing(offered=o, status="confirmed", start=now + timedelta(days=1 + n % 9))
        if n % 2
        else Viewing(offered=o, requested_by=account)
        for n, o in enumerate(offers)
    )
    ViewingSlot.objects.bulk_create(
        ViewingSlot(viewing=v, start=now + timedelta(days=d)) for v in viewings for d in (1, 2)
    )
    feedback = Feedback.objects.bulk_create(Feedback(offered=o, account=account, rating=4) for o in offers)
    FeedbackPhoto.objects.bulk_create(
        FeedbackPhoto(feedback=f, image=f"real-estate/f/{f.pk}.jpg", width=8, height=6) for f in feedback
    )
    FeedbackVoiceNote.objects.bulk_create(
        FeedbackVoiceNote(
            feedback=f,
            audio=f"real-estate/v/{f.pk}.webm",
            content_type="audio/webm",
            duration_seconds=3,
            size=9,
        )
        for f in feedback
    )
    AgentMessage.objects.bulk_create(
        AgentMessage(contact=account.contact, account=account, offered=o, subject="?", body="?")
        for o in offers
    )


def _cached(sql: str) -> bool:
    """Routes, API keys, plans and the portal configuration are kept per process, behind a generation
    counter in the shared cache that any process (another test run on the same Redis) may bump: a
    reload then and there says nothing about the list."""
    return sql.startswith("SET search_path") or any(
        table in sql for table in ('"tenants_', '"portal_core_portalconfig"')
    )


def test_every_list_runs_a_constant_number_of_queries(office_a, api_key_a):
    with in_schema(office_a):
        account = client_account()
        deal = services.deal_create(contact=account.contact, title="Search")
        _rows(account, deal, 5, 0)
        house = Property.objects.first()
    office = api(office_a.host, api_key_a)
    client = api(office_a.host, account_jwt(office_a, account))
    lists = [
        (office, f"{BASE}properties/"),
        (office, f"{BASE}deals/"),
        (office, f"{BASE}deals/{deal.pk}/offers/"),
        (office, f"{BASE}offers/"),
        (office, f"{BASE}viewings/"),
        (office, f"{BASE}feedback/"),
        (office, f"{BASE}messages/"),
        (office, f"{BASE}properties/{house.pk}/photos/"),
        (client, f"{BASE}me/offers/"),
        (client, f"{BASE}me/viewings/"),
    ]
    office.get(f"{BASE}properties/")  # the key's first use is recorded once

    def counts(expected_rows: int) -> list[int]:
        found = []
        for caller, url in lists:
            with CaptureQueriesContext(connection) as queries:
                response = caller.get(url, {"page_size": 200})
            assert response.status_code == 200, (url, response.content)
            body = response.json()
            rows = body if isinstance(body, list) else body["results"]
            assert len(rows) >= min(expected_rows, 2), url
            found.append(len([q for q in queries.captured_queries if not _cached(q["sql"])]))
        return found

    few = counts(5)
    with in_schema(office_a):
        _rows(account, deal, 495, 5)
        assert OfferedProperty.objects.count() == 500
    many = counts(200)
    assert few == many, dict(zip([url for _, url in lists], zip(few, many, strict=True), strict=True))
