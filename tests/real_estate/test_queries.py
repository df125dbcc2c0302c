"""The client's lists cost the same few queries for 5 or 500 offered properties."""

from __future__ import annotations

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from modules.real_estate.models import (
    Feedback,
    OfferedProperty,
    Property,
    PropertyPhoto,
    Viewing,
    ViewingSlot,
)
from modules.real_estate.selectors import client_overview, offered_properties_for_client, viewings_for_client

from .conftest import make_client


def _offers(deal, count: int, start: int) -> None:
    now = timezone.now()
    properties = Property.objects.bulk_create(
        [
            Property(title=f"Property {n}", city="Haarlem", price=100000 + n)
            for n in range(start, start + count)
        ]
    )
    PropertyPhoto.objects.bulk_create(
        [
            PropertyPhoto(
                property=p, image=f"real-estate/property-photos/{p.pk}-{i}.jpg", width=8, height=6, position=i
            )
            for p in properties
            for i in range(3)
        ]
    )
    offers = OfferedProperty.objects.bulk_create(
        [
            OfferedProperty(
                deal=deal,
                property=p,
                interest="interested" if n % 3 == 0 else "to_rate",
                visited_at=now if n % 5 == 0 else None,
                seen_at=None if n % 2 else now,
            )
            for n, p in enumerate(properties)
        ]
    )
    viewings = Viewing.objects.bulk_create(
        [
            Viewing(offered=o, status="confirmed", start=now + timedelta(days=1 + n % 20))
            if n % 2
            else Viewing(offered=o, status="requested")
            for n, o in enumerate(offers)
        ]
    )
    ViewingSlot.objects.bulk_create(
        [ViewingSlot(viewing=v, start=now + timedelta(days=d)) for v in viewings for d in (1, 2)]
    )
    Feedback.objects.bulk_create(
        [Feedback(offered=o, rating=1 + n % 5, notes="ok") for n, o in enumerate(offers)]
    )


def _render(account) -> list[tuple]:
    """What a list page shows of each offer and each viewing."""
    rows = [
        (
            o.property.title,
            o.property.price,
            o.deal.title,
            o.cover_photo_id,
            o.client_group,
            o.is_new,
            o.latest_viewing_status,
            o.latest_viewing_start,
            o.feedback_count,
            o.latest_rating,
        )
        for o in offered_properties_for_client(account=account)
    ]
    for tab in ("upcoming", "recent", "unconfirmed"):
        rows += [
            (v.offered.property.title, v.status, v.when, [s.start for s in v.slots.all()])
            for v in viewings_for_client(account=account, tab=tab)
        ]
    rows.append(tuple(client_overview(contact=account.contact).items()))
    return rows


def _queries(account) -> tuple[int, list[tuple]]:
    with CaptureQueriesContext(connection) as captured:
        rows = _render(account)
    return len(captured), rows


def test_the_client_lists_run_a_constant_number_of_queries(office):
    from modules.real_estate.services import deal_create

    account = make_client()
    deal = deal_create(contact=account.contact, title="Search")
    _offers(deal, 5, start=0)
    small, rows = _queries(account)
    assert len([r for r in rows if len(r) == 10]) == 5
    _offers(deal, 495, start=5)
    large, rows = _queries(account)
    offers = [r for r in rows if len(r) == 10]
    first_photos = set(PropertyPhoto.objects.filter(position=0).values_list("pk", flat=True))
    assert len(offers) == 500 and all(r[3] in first_photos and r[8] == 1 for r in offers)
    assert large == small <= 10
    assert {r[4] for r in offers} == {"to_rate", "interested", "visited"}


def test_the_detail_prefetches_run_a_constant_number_of_queries(office):
    from modules.real_estate.services import deal_create

    account = make_client()
    deal = deal_create(contact=account.contact, title="Search")
    counts = []
    for batch in (5, 200):
        _offers(deal, batch, start=len(counts) * 1000)
        with CaptureQueriesContext(connection) as captured:
            for offer in OfferedProperty.objects.for_contact(account.contact).with_photos().with_feedback():
                [(p.image.name, p.caption) for p in offer.property.photos.all()]
                [(f.rating, list(f.photos.all()), list(f.voice_notes.all())) for f in offer.feedback.all()]
        counts.append(len(captured))
    assert counts[0] == counts[1] <= 6
