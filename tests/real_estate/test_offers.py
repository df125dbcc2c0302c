"""Offering properties, what the client decides about each, and seed 001's groups."""

from __future__ import annotations

import itertools

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from modules.real_estate.models import ClientGroup, Deal, OfferedProperty, client_group_of
from modules.real_estate.services import (
    deal_create,
    deal_update,
    favourite_set,
    interest_set,
    offered_property_seen,
    property_approve,
    property_offer,
)
from portal_core.models import ActivityEntry

from .conftest import make_client, make_property, visited_viewing

Interest = OfferedProperty.Interest


def test_it_offers_a_property_marked_new_with_activity_and_event(events, deal, house):
    offer = property_offer(deal=deal, property=house, actor="owner@alpha")
    assert offer.is_new and offer.client_group == ClientGroup.TO_RATE
    assert list(OfferedProperty.objects.for_contact(deal.contact).new()) == [offer]
    entry = ActivityEntry.objects.get(verb="property_offered")
    assert entry.contact == deal.contact and entry.module == "real_estate" and entry.visible_to_client
    assert entry.actor == ActivityEntry.Actor.STAFF and entry.actor_label == "owner@alpha"
    assert entry.client_text == "A new property was offered to you: Family home"
    [payload] = events("real_estate.property_offered")
    assert payload["offer"]["id"] == offer.pk and payload["offer"]["deal_id"] == deal.pk
    assert payload["offer"]["contact_id"] == deal.contact_id
    assert payload["offer"]["property"] == {
        "id": house.pk,
        "title": "Family home",
        "address": "Haarlem, Netherlands",
        "city": "Haarlem",
        "country": "Netherlands",
        "property_type": "house",
        "price": "500000.00",
        "currency": "EUR",
        "status": "available",
    }
    assert payload["offer"]["offered_at"].endswith("Z") and payload["offered_by"] == "owner@alpha"


def test_it_shows_each_reader_the_entry_in_their_own_language(office):
    """The entry stores its kind and parameters, not a sentence: the client reads it in their
    language, the office in English, whatever language was active when it was written."""
    from django.utils import translation

    account = make_client(email="hans@example.com", language="de")
    deal = deal_create(contact=account.contact, title="Haus")
    with translation.override("nl"):
        property_offer(deal=deal, property=make_property("Haus am See"))
    entry = ActivityEntry.objects.get(verb="property_offered")
    assert entry.params == {"title": "Haus am See"} and entry.summary == ""
    assert entry.office_text == "Property offered: Haus am See"
    with translation.override("de"):
        german = entry.client_text
        expected = translation.gettext("A new property was offered to you: %(title)s")
    with translation.override("en"):
        english = entry.client_text
    assert german == expected % {"title": "Haus am See"} and german != english
    assert english == "A new property was offered to you: Haus am See"


def test_it_refuses_to_offer_twice_a_sold_property_or_on_a_closed_deal(office, deal, house, offer):
    with pytest.raises(ValidationError, match="already been offered"):
        property_offer(deal=deal, property=house)
    other_deal = deal_create(contact=deal.contact, title="Second search")
    with pytest.raises(ValidationError, match="already been offered"):
        property_offer(deal=other_deal, property=house)
    sold = make_property("Sold one", status="sold")
    with pytest.raises(ValidationError, match="sold"):
        property_offer(deal=deal, property=sold)
    deal_update(deal=deal, status=Deal.Status.LOST)
    with pytest.raises(ValidationError, match="closed"):
        property_offer(deal=deal, property=make_property("Another"))


def test_it_marks_an_offer_seen_once(account, offer):
    offered_property_seen(offer=offer, account=account)
    first = OfferedProperty.objects.get(pk=offer.pk).seen_at
    assert first is not None
    offered_property_seen(offer=offer, account=account)
    assert OfferedProperty.objects.get(pk=offer.pk).seen_at == first
    assert not OfferedProperty.objects.for_contact(account.contact).new().exists()


def test_it_records_interest_and_rejection_with_reasons(events, account, offer):
    offer = interest_set(offer=offer, account=account, interest="interested")
    assert offer.client_group == ClientGroup.INTERESTED and offer.seen_at is not None
    offer = interest_set(
        offer=offer,
        account=account,
        interest="rejected",
        reasons=["size", "price", "size"],
        note=" Too small ",
    )
    offer.refresh_from_db()
    assert offer.rejection_reasons == ["price", "size"] and offer.rejection_note == "Too small"
    assert client_group_of(offer) == ClientGroup.REJECTED
    changed = events("real_estate.interest_changed")
    assert [p["offer"]["interest"] for p in changed] == ["interested", "rejected"]
    assert changed[1]["previous_interest"] == "interested" and changed[1]["rejection_reasons"] == [
        "price",
        "size",
    ]
    interest_set(
        offer=offer, account=account, interest="rejected", reasons=["price", "size"], note="Too small"
    )
    assert len(events("real_estate.interest_changed")) == 2  # the same answer again changes nothing
    assert ActivityEntry.objects.filter(verb="interest_changed").count() == 2
    offer = interest_set(offer=offer, account=account, interest="interested")
    offer.refresh_from_db()
    assert offer.rejection_reasons == [] and offer.rejection_note == ""


@pytest.mark.parametrize(
    ("interest", "reasons", "message"),
    [
        ("rejected", [], "at least one reason"),
        ("rejected", ["price", "weather"], "Unknown reason: weather"),
        ("maybe", [], "Interested"),
    ],
)
def test_it_refuses_a_bad_interest(account, offer, interest, reasons, message):
    with pytest.raises(ValidationError, match=message):
        interest_set(offer=offer, account=account, interest=interest, reasons=reasons)
    assert OfferedProperty.objects.get(pk=offer.pk).interest == Interest.TO_RATE


def test_it_refuses_a_client_acting_on_another_clients_offer(office, offer):
    outsider = make_client(first_name="Olga", email="olga@example.com")
    for action in (
        lambda: offered_property_seen(offer=offer, account=outsider),
        lambda: interest_set(offer=offer, account=outsider, interest="interested"),
        lambda: favourite_set(offer=offer, account=outsider, favourite=True),
    ):
        with pytest.raises(PermissionDenied):
            action()
    assert OfferedProperty.objects.get(pk=offer.pk).seen_at is None


def test_it_toggles_favourites_with_activity(account, offer):
    favourite_set(offer=offer, account=account, favourite=True)
    favourite_set(offer=offer, account=account, favourite=True)
    assert OfferedProperty.objects.get(pk=offer.pk).favourite
    favourite_set(offer=offer, account=account, favourite=False)
    assert list(
        ActivityEntry.objects.filter(verb="favourite_changed").values_list("data__favourite", flat=True)
    ) == [
        False,
        True,
    ]


def test_it_approves_only_after_a_visit(events, account, offer):
    with pytest.raises(ValidationError, match="after a viewing"):
        property_approve(offer=offer, actor="owner@alpha")
    visited_viewing(offer, account)
    offer.refresh_from_db()
    assert offer.client_group == ClientGroup.VISITED
    offer = property_approve(offer=offer, actor="owner@alpha")
    assert offer.client_group == ClientGroup.APPROVED and offer.approved_at is not None
    property_approve(offer=offer, actor="owner@alpha")
    [payload] = events("real_estate.property_approved")
    assert payload["offer"]["client_group"] == "approved" and payload["approved_by"] == "owner@alpha"
    assert ActivityEntry.objects.filter(verb="property_approved").count() == 1


def test_it_refuses_to_approve_a_rejected_property(account, offer):
    visited_viewing(offer, account)
    interest_set(offer=offer, account=account, interest="rejected", reasons=["layout"])
    with pytest.raises(ValidationError, match="not interested"):
        property_approve(offer=offer)


def test_the_groups_in_python_and_in_sql_agree(office, deal):
    now = timezone.now()
    states = list(itertools.product(Interest.values, (None, now), (None, now)))
    for n, (interest, visited_at, approved_at) in enumerate(states):
        OfferedProperty.objects.create(
            deal=deal,
            property=make_property(f"P{n}"),
            interest=interest,
            rejection_reasons=["price"] if interest == Interest.REJECTED else [],
            visited_at=visited_at,
            approved_at=approved_at,
            seen_at=now if n % 2 else None,
        )
    offers = OfferedProperty.objects.for_deal(deal)
    for offer in offers:
        assert offer.client_group == client_group_of(OfferedProperty.objects.get(pk=offer.pk))
    counts = offers.group_counts()
    for group in ClientGroup.values:
        assert counts[group] == offers.in_group(group).count()
        assert all(o.client_group == group for o in getattr(offers, group)())
    assert counts["total"] == len(states) == sum(counts[g] for g in ClientGroup.values)
    assert counts["new"] == offers.new().count() == 6
    assert counts == {
        "total": 12,
        "new": 6,
        "rejected": 4,
        "approved": 4,
        "visited": 2,
        "interested": 1,
        "to_rate": 1,
    }
