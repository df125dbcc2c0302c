"""Viewings: the client's request with 1 to 3 preferred times, the office's answer, moves,
cancellations, the visit; the client's three tabs; an email at every change, in their language."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from modules.real_estate.models import Viewing
from modules.real_estate.selectors import viewings_for_client
from modules.real_estate.services import (
    deal_create,
    interest_set,
    property_offer,
    property_update,
    viewing_cancel,
    viewing_confirm,
    viewing_mark_visited,
    viewing_proposal_accept,
    viewing_request,
    viewing_reschedule,
)
from portal_core.models import ActivityEntry

from .conftest import future, make_client, make_property

Status = Viewing.Status


def _tabs(account) -> dict[str, list[int]]:
    return {
        tab: [v.pk for v in viewings_for_client(account=account, tab=tab)]
        for tab in ("upcoming", "recent", "unconfirmed")
    }


def test_it_takes_a_request_with_up_to_three_times(events, account, offer):
    slots = [future(3), future(1), future(2)]
    mail.outbox.clear()
    viewing = viewing_request(offer=offer, account=account, slots=slots, note=" After 5 pm ")
    assert viewing.status == Status.REQUESTED and viewing.note == "After 5 pm"
    assert [s.start for s in viewing.slots.all()] == sorted(slots)
    assert _tabs(account) == {"upcoming": [], "recent": [], "unconfirmed": [viewing.pk]}
    [payload] = events("real_estate.viewing_requested")
    assert payload["viewing"]["status"] == "requested" and len(payload["viewing"]["preferred_slots"]) == 3
    assert all(s.endswith("Z") for s in payload["viewing"]["preferred_slots"])
    assert payload["viewing"]["contact_id"] == account.contact_id
    entry = ActivityEntry.objects.get(verb="viewing_requested")
    assert entry.actor == ActivityEntry.Actor.CLIENT and entry.account == account
    to_client, to_office = mail.outbox
    assert to_client.to == ["chris@example.com"] and "Family home" in to_client.subject
    assert "After 5 pm" in to_office.body and "Viewing requested" in to_office.subject


@pytest.mark.parametrize(
    ("slots", "message"),
    [
        ([], "at least one"),
        ([future(1), future(2), future(3), future(4)], "at most 3"),
        ([future(1), future(1)], "two of them are the same"),
        ([timezone.now() - timedelta(hours=1)], "in the future"),
        ([future(400)], "within the next year"),
        (["tomorrow"], "date and a time"),
    ],
)
def test_it_refuses_bad_preferred_times(account, offer, slots, message):
    with pytest.raises(ValidationError, match=message):
        viewing_request(offer=offer, account=account, slots=slots)
    assert not Viewing.objects.exists()


def test_it_refuses_a_second_request_a_rejected_or_sold_property_and_outsiders(office, account, offer, house):
    viewing_request(offer=offer, account=account, slots=[future(1)])
    with pytest.raises(ValidationError, match="already planned"):
        viewing_request(offer=offer, account=account, slots=[future(2)])
    outsider = make_client(first_name="Olga", email="olga@example.com")
    with pytest.raises(PermissionDenied):
        viewing_request(offer=offer, account=outsider, slots=[future(2)])
    other = property_offer(deal=offer.deal, property=make_property("Flat"))
    interest_set(offer=other, account=account, interest="rejected", reasons=["price"])
    with pytest.raises(ValidationError, match="Not interested"):
        viewing_request(offer=other, account=account, slots=[future(2)])
    third = property_offer(deal=offer.deal, property=make_property("Villa"))
    property_update(property=third.property, status="sold")
    with pytest.raises(ValidationError, match="sold"):
        viewing_request(offer=third, account=account, slots=[future(2)])


def test_it_confirms_one_of_the_clients_times_and_emails_them(events, account, offer):
    slots = [future(1), future(2)]
    viewing = viewing_request(offer=offer, account=account, slots=slots)
    mail.outbox.clear()
    viewing = viewing_confirm(viewing=viewing, start=slots[1], actor="owner@alpha")
    assert viewing.status == Status.CONFIRMED and viewing.start == slots[1]
    assert _tabs(account) == {"upcoming": [viewing.pk], "recent": [], "unconfirmed": []}
    [payload] = events("real_estate.viewing_confirmed")
    assert payload["confirmed_by"] == "office" and payload["rescheduled"] is False
    assert payload["viewing"]["start"] == slots[1].astimezone(UTC).isoformat().replace("+00:00", "Z")
    [email] = mail.outbox
    assert (
        email.to == ["chris@example.com"] and "is confirmed" in email.subject and "Family home" in email.body
    )
    with pytest.raises(ValidationError, match="Only a requested viewing"):
        viewing_confirm(viewing=viewing, start=slots[0])


def test_it_proposes_another_time_that_the_client_accepts(events, account, offer):
    viewing = viewing_request(offer=offer, account=account, slots=[future(1)])
    other_time = future(5, hours=3)
    mail.outbox.clear()
    viewing = viewing_confirm(viewing=viewing, start=other_time, actor="owner@alpha")
    assert (
        viewing.status == Status.PROPOSED and viewing.proposed_start == other_time and viewing.start is None
    )
    assert _tabs(account)["unconfirmed"] == [viewing.pk]
    assert [p["viewing"]["status"] for p in events("real_estate.viewing_proposed")] == ["proposed"]
    assert "new time" in mail.outbox[-1].subject.lower()
    with pytest.raises(ValidationError, match="in the future"):
        viewing_confirm(viewing=viewing, start=timezone.now() - timedelta(days=1))

    viewing = viewing_proposal_accept(viewing=viewing, account=account)
    assert (
        viewing.status == Status.CONFIRMED and viewing.start == other_time and viewing.proposed_start is None
    )
    [payload] = events("real_estate.viewing_confirmed")
    assert payload["confirmed_by"] == "client"
    assert _tabs(account)["upcoming"] == [viewing.pk]
    with pytest.raises(ValidationError, match="no proposed time"):
        viewing_proposal_accept(viewing=viewing, account=account)


def test_it_moves_a_confirmed_viewing_and_emails_the_client(events, account, offer):
    slot = future(1)
    viewing = viewing_confirm(viewing=viewing_request(offer=offer, account=account, slots=[slot]), start=slot)
    mail.outbox.clear()
    later = future(3)
    viewing = viewing_reschedule(viewing=viewing, start=later, actor="owner@alpha")
    assert viewing.status == Status.CONFIRMED and viewing.start == later
    assert events("real_estate.viewing_confirmed")[-1]["rescheduled"] is True
    [email] = mail.outbox
    assert "has moved" in email.subject
    assert ActivityEntry.objects.filter(verb="viewing_rescheduled").count() == 1
    with pytest.raises(ValidationError, match="in the future"):
        viewing_reschedule(viewing=viewing, start=timezone.now() - timedelta(minutes=5))
    viewing_cancel(viewing=viewing, by="office")
    with pytest.raises(ValidationError, match="Only a confirmed viewing"):
        viewing_reschedule(viewing=viewing, start=future(4))


def test_the_client_cancels_and_the_office_is_told(events, account, offer):
    viewing = viewing_request(offer=offer, account=account, slots=[future(1)])
    mail.outbox.clear()
    viewing = viewing_cancel(viewing=viewing, by="client", account=account, reason="Found another")
    assert viewing.status == Status.CANCELLED and viewing.cancelled_by == "client"
    [payload] = events("real_estate.viewing_cancelled")
    assert payload["cancelled_by"] == "client" and payload["viewing"]["cancel_reason"] == "Found another"
    [email] = mail.outbox
    assert email.to != ["chris@example.com"] and "Viewing cancelled" in email.subject
    assert _tabs(account) == {"upcoming": [], "recent": [], "unconfirmed": []}
    with pytest.raises(ValidationError, match="no longer be cancelled"):
        viewing_cancel(viewing=viewing, by="client", account=account)
    viewing_request(offer=offer, account=account, slots=[future(2)])  # a new request is allowed again


def test_the_office_cancels_and_the_client_is_emailed_in_their_language(office, monkeypatch):
    account = make_client(first_name="Jan", email="jan@example.com", language="nl")
    offer = property_offer(
        deal=deal_create(contact=account.contact, title="Zoektocht"), property=make_property()
    )
    viewing = viewing_request(offer=offer, account=account, slots=[future(1)])
    sent = []
    monkeypatch.setattr(
        "modules.real_estate.notifications.send_client_email",
        lambda kind, *, to, language, values, contact: sent.append((kind, to, language, values)),
    )
    viewing_cancel(viewing=viewing, by="office", actor="owner@alpha", reason="The owner withdrew the sale.")
    [(kind, to, language, values)] = sent
    assert (kind, to, language) == ("real_estate.viewing_cancelled", "jan@example.com", "nl")
    assert (
        values["viewing.reason"] == "The owner withdrew the sale." and values["contact.first_name"] == "Jan"
    )


def test_a_client_cannot_cancel_another_clients_viewing(office, account, offer):
    viewing = viewing_request(offer=offer, account=account, slots=[future(1)])
    outsider = make_client(first_name="Olga", email="olga@example.com")
    with pytest.raises(PermissionDenied):
        viewing_cancel(viewing=viewing, by="client", account=outsider)


def test_it_marks_a_past_viewing_visited(account, offer):
    slot = future(1)
    viewing = viewing_confirm(viewing=viewing_request(offer=offer, account=account, slots=[slot]), start=slot)
    with pytest.raises(ValidationError, match="not taken place yet"):
        viewing_mark_visited(viewing=viewing)
    yesterday = timezone.now() - timedelta(days=1)
    Viewing.objects.filter(pk=viewing.pk).update(start=yesterday)
    assert _tabs(account) == {"upcoming": [], "recent": [viewing.pk], "unconfirmed": []}
    with pytest.raises(ValidationError, match="already taken place"):
        viewing_cancel(viewing=viewing, by="client", account=account)
    viewing = viewing_mark_visited(viewing=viewing, actor="owner@alpha")
    assert viewing.status == Status.VISITED
    offer.refresh_from_db()
    assert offer.visited_at == yesterday and offer.client_group == "visited"
    assert _tabs(account)["recent"] == [viewing.pk]
    assert ActivityEntry.objects.get(verb="viewing_visited").client_text == "You visited Family home"


def test_it_refuses_to_mark_an_unconfirmed_viewing_visited(account, offer):
    viewing = viewing_request(offer=offer, account=account, slots=[future(1)])
    with pytest.raises(ValidationError, match="Only a confirmed viewing"):
        viewing_mark_visited(viewing=viewing)
