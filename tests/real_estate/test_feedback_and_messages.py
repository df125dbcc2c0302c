"""Feedback only after a visit, with 1 to 5 stars; messages to the agent and the emailed reply."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from modules.real_estate.models import AgentMessage, Feedback, OfferedProperty
from modules.real_estate.selectors import agent_messages_unread_count, offered_property_for_client
from modules.real_estate.services import (
    agent_contact,
    agent_message_read,
    agent_reply,
    feedback_submit,
    viewing_confirm,
    viewing_request,
)
from portal_core.models import ActivityEntry

from .conftest import future, make_client, visited_viewing


def test_it_refuses_feedback_before_a_visit(account, offer):
    with pytest.raises(ValidationError, match="once you have visited"):
        feedback_submit(offer=offer, account=account, notes="Looks nice", rating=4)
    slot = future(1)
    viewing = viewing_confirm(viewing=viewing_request(offer=offer, account=account, slots=[slot]), start=slot)
    with pytest.raises(ValidationError, match="once the viewing has taken place"):
        feedback_submit(offer=offer, account=account, notes="Looks nice", viewing=viewing)
    assert not Feedback.objects.exists()


@pytest.mark.parametrize("rating", [0, 6, -1, "five", 4.5, True])
def test_it_refuses_a_rating_out_of_range(account, offer, rating):
    visited_viewing(offer, account)
    with pytest.raises(ValidationError, match="1 to 5 stars"):
        feedback_submit(offer=offer, account=account, notes="Hm", rating=rating)
    assert not Feedback.objects.exists()


def test_it_refuses_empty_feedback_and_outsiders(office, account, offer):
    visited_viewing(offer, account)
    with pytest.raises(ValidationError, match="Write a note"):
        feedback_submit(offer=offer, account=account, notes="   ")
    with pytest.raises(PermissionDenied):
        feedback_submit(offer=offer, account=make_client("Olga", "olga@example.com"), rating=3)


def test_it_records_feedback_with_activity_and_tells_the_office(events, account, offer):
    viewing = visited_viewing(offer, account)
    mail.outbox.clear()
    feedback = feedback_submit(offer=offer, account=account, notes="Great light", rating="5")
    assert feedback.rating == 5 and feedback.viewing == viewing and feedback.account == account
    entry = ActivityEntry.objects.get(verb="feedback_submitted")
    assert entry.office_text == "Gave feedback on Family home (5/5)" and entry.actor == "client"
    [payload] = events("real_estate.feedback_submitted")
    assert payload["feedback"] == {
        "id": feedback.pk,
        "offer_id": offer.pk,
        "viewing_id": viewing.pk,
        "rating": 5,
        "notes": "Great light",
        "photos": 0,
        "voice_notes": 0,
        "created": payload["feedback"]["created"],
    }
    [to_office] = mail.outbox
    assert "Feedback on Family home" in to_office.subject and "Great light" in to_office.body
    shown = offered_property_for_client(account=account, pk=offer.pk)
    assert [f.notes for f in shown.feedback.all()] == ["Great light"] and shown.latest_rating == 5


def test_a_client_writes_to_the_agent_who_replies_by_email(events, account, offer):
    mail.outbox.clear()
    message = agent_contact(account=account, body="  Is the price negotiable? ", offer=offer)
    assert message.subject == "About Family home" and message.body == "Is the price negotiable?"
    assert message.contact == account.contact and agent_messages_unread_count() == 1
    [payload] = events("real_estate.agent_contacted")
    assert payload["message"]["offer_id"] == offer.pk and payload["offer"]["id"] == offer.pk
    [to_office] = mail.outbox
    assert "Is the price negotiable?" in to_office.body

    agent_message_read(message=message)
    assert agent_messages_unread_count() == 0
    mail.outbox.clear()
    message = agent_reply(message=message, body="There is some room, let's talk.", actor="owner@alpha")
    assert message.replied_at is not None and message.replied_by == "owner@alpha"
    [to_client] = mail.outbox
    assert to_client.to == ["chris@example.com"] and to_client.subject == "Re: About Family home"
    assert "There is some room" in to_client.body
    with pytest.raises(ValidationError, match="already been answered"):
        agent_reply(message=message, body="Again")
    assert ActivityEntry.objects.filter(verb__in=["agent_contacted", "agent_replied"]).count() == 2


def test_it_refuses_empty_or_foreign_messages(office, account, offer):
    with pytest.raises(ValidationError, match="Write your message"):
        agent_contact(account=account, body="  ")
    with pytest.raises(PermissionDenied):
        agent_contact(account=make_client("Olga", "olga@example.com"), body="Hi", offer=offer)
    message = agent_contact(account=account, body="A general question")
    assert message.subject == "A question from the portal" and message.offered is None
    with pytest.raises(ValidationError, match="Write your reply"):
        agent_reply(message=message, body="")
    assert AgentMessage.objects.count() == 1 and OfferedProperty.objects.count() == 1


def test_files_are_in_the_scope_of_the_client_they_belong_to(office, account, offer, house):
    from modules.real_estate.selectors import (
        feedback_photos_for_client,
        property_photos_for_client,
        voice_notes_for_client,
    )
    from modules.real_estate.services import property_photo_add

    from .conftest import audio_upload, make_property, photo_upload, webm_bytes

    photo = property_photo_add(property=house, upload=photo_upload())
    property_photo_add(property=make_property("Not offered"), upload=photo_upload())
    visited_viewing(offer, account)
    feedback = feedback_submit(
        offer=offer, account=account, photos=[photo_upload()], voice_notes=[audio_upload(webm_bytes(3))]
    )
    assert list(property_photos_for_client(account=account)) == [photo]
    assert list(feedback_photos_for_client(account=account)) == list(feedback.photos.all())
    assert list(voice_notes_for_client(account=account)) == list(feedback.voice_notes.all())
    outsider = make_client("Olga", "olga@example.com")
    for scope in (property_photos_for_client, feedback_photos_for_client, voice_notes_for_client):
        assert not scope(account=outsider).exists()
