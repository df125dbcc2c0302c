"""What the client does on a property's page and on the viewings page: each action's effect (rows,
activity, event, emails) shown at once, and bad input answered with a clear message and nothing
saved."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from modules.real_estate.models import AgentMessage, Feedback, FeedbackPhoto, OfferedProperty, Viewing
from modules.real_estate.services import viewing_confirm, viewing_request
from portal_core.models import ActivityEntry

from .conftest import audio_upload, future, photo_upload, visited_viewing, wav_bytes, webm_bytes
from .portal_support import signed_in


@pytest.fixture
def browser(office, account):
    return signed_in(office, account)


def _local(value) -> str:
    """A datetime as a ``datetime-local`` input sends it."""
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


def _followed(response) -> str:
    return response.content.decode()


def _media_files(root) -> list:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


# --- interested / not interested --------------------------------------------------------------------


def test_interested_changes_the_status_writes_activity_and_emits(events, browser, offer):
    url = reverse("real_estate:interest", args=[offer.pk])
    response = browser.post(url, {"interest": "interested"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("real_estate:property", args=[offer.pk]) + "#opinion"
    page = _followed(response)
    assert "Marked as interested." in page and "You are interested in this property." in page
    offer.refresh_from_db()
    assert offer.interest == "interested" and offer.client_group == "interested"
    assert ActivityEntry.objects.filter(verb="interest_changed", contact=offer.deal.contact).exists()
    [payload] = events("real_estate.interest_changed")
    assert payload["offer"]["interest"] == "interested" and payload["previous_interest"] == "to_rate"


def test_not_interested_needs_reasons_and_saves_them_with_the_note(events, browser, offer):
    url = reverse("real_estate:interest", args=[offer.pk])
    refused = browser.post(url, {"interest": "rejected", "note": "Too dark"})
    assert refused.status_code == 400
    page = refused.content.decode()
    assert "Tell us at least one reason why this property is not for you." in page
    assert '<details class="re-decline" open>' in page and "Too dark" in page  # the note is kept
    offer.refresh_from_db()
    assert offer.interest == "to_rate" and not events("real_estate.interest_changed")
    assert not ActivityEntry.objects.filter(verb="interest_changed").exists()

    response = browser.post(
        url, {"interest": "rejected", "reasons": ["price", "location"], "note": "Too dark"}, follow=True
    )
    assert "Marked as not interested." in _followed(response)
    offer.refresh_from_db()
    assert (offer.interest, offer.rejection_reasons, offer.rejection_note) == (
        "rejected",
        ["price", "location"],
        "Too dark",
    )
    [payload] = events("real_estate.interest_changed")
    assert payload["rejection_reasons"] == ["price", "location"]


def test_an_unknown_reason_or_choice_is_refused(browser, offer):
    url = reverse("real_estate:interest", args=[offer.pk])
    assert browser.post(url, {"interest": "rejected", "reasons": ["ugly"]}).status_code == 400
    assert browser.post(url, {"interest": "maybe"}).status_code == 400
    offer.refresh_from_db()
    assert offer.interest == "to_rate"


def test_actions_answer_only_post(browser, offer):
    for name in ("interest", "favourite", "viewing-request", "feedback"):
        assert browser.get(reverse(f"real_estate:{name}", args=[offer.pk])).status_code == 405


# --- favourites -------------------------------------------------------------------------------------


def test_the_favourite_toggle_swaps_in_place_with_htmx(browser, offer):
    url = reverse("real_estate:favourite", args=[offer.pk])
    response = browser.post(url, {"favourite": "1"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<form class="re-fav"') and 'aria-pressed="true"' in html
    assert "Added to your favourites." in html and 'name="favourite" value="0"' in html
    offer.refresh_from_db()
    assert offer.favourite
    again = browser.post(url, {"favourite": "1"}, HTTP_HX_REQUEST="true")  # a double tap: still on
    assert 'aria-pressed="true"' in again.content.decode()
    assert ActivityEntry.objects.filter(verb="favourite_changed").count() == 1


def test_the_favourite_toggle_works_without_javascript(browser, offer):
    url = reverse("real_estate:favourite", args=[offer.pk])
    back = reverse("real_estate:properties") + "?group=to_rate"
    response = browser.post(url, {"favourite": "1", "next": back})
    assert response.status_code == 302 and response["Location"] == back
    assert "Added to your favourites." in browser.get(back).content.decode()
    response = browser.post(url, {"favourite": "0", "next": "https://evil.example/"})
    assert response["Location"] == reverse("real_estate:property", args=[offer.pk])  # not elsewhere
    offer.refresh_from_db()
    assert not offer.favourite


# --- viewing requests -------------------------------------------------------------------------------


def test_a_viewing_request_with_preferred_times_emails_and_emits(events, browser, offer):
    first, second = future(2), future(3, hours=2)
    mail.outbox.clear()
    response = browser.post(
        reverse("real_estate:viewing-request", args=[offer.pk]),
        {"slots": [_local(second), _local(first), ""], "note": "After work please"},
        follow=True,
    )
    page = _followed(response)
    assert "Your viewing request is sent." in page and "Waiting for confirmation" in page
    viewing = Viewing.objects.get(offered=offer)
    assert viewing.status == "requested" and viewing.note == "After work please"
    assert [s.start for s in viewing.slots.all()] == [first.replace(second=0), second.replace(second=0)]
    [payload] = events("real_estate.viewing_requested")
    assert payload["viewing"]["id"] == viewing.pk
    assert {m.to[0] for m in mail.outbox} >= {"chris@example.com"}  # the client; the office is told too
    assert ActivityEntry.objects.filter(verb="viewing_requested").exists()


@pytest.mark.parametrize(
    ("slots", "message"),
    [
        ([], "Choose at least one date and time for the viewing."),
        (["past"], "Choose a date and time in the future."),
        (["same", "same"], "Choose different dates and times: two of them are the same."),
        (["one", "two", "three", "four"], "Choose at most 3 dates and times."),
        (["next-year"], "Choose a date within the next year."),
        (["14 May, half past two"], "Enter a date and a time, such as 2026-05-14 14:30."),
    ],
)
def test_bad_preferred_times_show_a_clear_message_and_save_nothing(events, browser, offer, slots, message):
    values = {
        "past": _local(timezone.now() - timedelta(hours=1)),
        "same": _local(future(2)),
        "one": _local(future(1)),
        "two": _local(future(2)),
        "three": _local(future(3)),
        "four": _local(future(4)),
        "next-year": _local(future(400)),
    }
    response = browser.post(
        reverse("real_estate:viewing-request", args=[offer.pk]),
        {"slots": [values.get(s, s) for s in slots], "note": "Keep me"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page and 'role="alert"' in page and "Keep me" in page
    assert not Viewing.objects.exists() and not events("real_estate.viewing_requested")


def test_a_second_request_is_refused_while_one_is_pending(browser, offer, account):
    viewing_request(offer=offer, account=account, slots=[future(2)])
    response = browser.post(
        reverse("real_estate:viewing-request", args=[offer.pk]), {"slots": [_local(future(3))]}
    )
    assert response.status_code == 400
    assert "already planned or waiting for confirmation" in response.content.decode()
    assert Viewing.objects.count() == 1


# --- viewings: accept a proposal, cancel ------------------------------------------------------------


def test_the_client_accepts_the_time_the_office_proposed(events, browser, offer, account):
    viewing = viewing_request(offer=offer, account=account, slots=[future(2)])
    proposal = future(4, hours=3)
    viewing_confirm(viewing=viewing, start=proposal)
    page = browser.get(reverse("real_estate:viewings") + "?tab=unconfirmed").content.decode()
    assert "New time proposed" in page
    response = browser.post(
        reverse("real_estate:viewing-accept", args=[viewing.pk]),
        {"next": reverse("real_estate:viewings") + "?tab=unconfirmed"},
        follow=True,
    )
    assert "Your viewing is confirmed." in _followed(response)
    viewing.refresh_from_db()
    assert viewing.status == "confirmed" and viewing.start == proposal
    [payload] = events("real_estate.viewing_confirmed")[-1:]
    assert payload["confirmed_by"] == "client"
    upcoming = browser.get(reverse("real_estate:viewings")).content.decode()
    assert f">{offer.property.title}</a>" in upcoming
    again = browser.post(reverse("real_estate:viewing-accept", args=[viewing.pk]), follow=True)
    assert "There is no proposed time to accept for this viewing." in _followed(again)


def test_the_client_cancels_with_a_reason_and_the_office_is_told(events, browser, offer, account):
    viewing = viewing_request(offer=offer, account=account, slots=[future(2)])
    mail.outbox.clear()
    response = browser.post(
        reverse("real_estate:viewing-cancel", args=[viewing.pk]), {"reason": "Found another"}, follow=True
    )
    assert "Your viewing is cancelled." in _followed(response)
    viewing.refresh_from_db()
    assert viewing.status == "cancelled" and viewing.cancelled_by == "client"
    assert viewing.cancel_reason == "Found another"
    [payload] = events("real_estate.viewing_cancelled")
    assert payload["cancelled_by"] == "client"
    assert any("Found another" in m.body for m in mail.outbox)
    again = browser.post(reverse("real_estate:viewing-cancel", args=[viewing.pk]), follow=True)
    assert "This viewing can no longer be cancelled." in _followed(again)


def test_a_viewing_that_took_place_cannot_be_cancelled(browser, offer, account):
    viewing = visited_viewing(offer, account)
    response = browser.post(reverse("real_estate:viewing-cancel", args=[viewing.pk]), follow=True)
    assert "This viewing can no longer be cancelled." in _followed(response)
    viewing.refresh_from_db()
    assert viewing.status == "visited"


# --- feedback after a visit -------------------------------------------------------------------------


def test_feedback_with_photos_voice_notes_and_stars(events, browser, offer, account, isolated_media):
    visited_viewing(offer, account)
    mail.outbox.clear()
    response = browser.post(
        reverse("real_estate:feedback", args=[offer.pk]),
        {
            "rating": "5",
            "notes": "Loved the garden",
            "photos": [photo_upload(), photo_upload(name="second.jpg")],
            "voice_notes": [
                audio_upload(webm_bytes(3), "voice-note-1.webm"),
                audio_upload(wav_bytes(1), "a.wav"),
            ],
        },
        follow=True,
    )
    page = _followed(response)
    assert "Thank you! Your feedback is with your agent." in page and "Loved the garden" in page
    feedback = Feedback.objects.get()
    assert feedback.rating == 5 and feedback.photos.count() == 2
    assert [n.content_type for n in feedback.voice_notes.all()] == ["audio/webm", "audio/wav"]
    for photo in feedback.photos.all():
        assert reverse("real_estate:media-feedback-photo", args=[photo.pk]) in page
    [payload] = events("real_estate.feedback_submitted")
    assert payload["feedback"]["photos"] == 2 and payload["feedback"]["voice_notes"] == 2
    assert any("Feedback on" in m.subject for m in mail.outbox)
    assert ActivityEntry.objects.filter(verb="feedback_submitted").exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"rating": "0"}, "Give 1 to 5 stars."),
        ({"rating": "6"}, "Give 1 to 5 stars."),
        ({"rating": "five"}, "Give 1 to 5 stars."),
        ({"notes": "   ", "rating": ""}, "Write a note, give stars, or add a photo or a voice note."),
        ({"photos": "text"}, "notes.txt: This file is not a photo we can read."),
        ({"voice_notes": "text"}, "notes.txt: This file is not a sound recording."),
        ({"voice_notes": "video"}, "This file is a video, not a sound recording."),
        ({"voice_notes": "photo"}, "This file is not a sound recording."),
    ],
)
def test_bad_feedback_shows_a_clear_message_and_saves_nothing(
    events, browser, offer, account, isolated_media, data, message
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    visited_viewing(offer, account)
    files_before = _media_files(isolated_media)
    uploads = {
        "text": SimpleUploadedFile("notes.txt", b"just some words\n", content_type="text/plain"),
        "video": audio_upload(webm_bytes(2, video=True), "clip.webm"),
        "photo": audio_upload(b"\xff\xd8\xff\xe0" + b"\x00" * 64, "pic.mp3", "audio/mpeg"),
    }
    post = {"notes": "Good", "rating": "4"}
    if "voice_notes" in data:
        post["photos"] = [photo_upload()]  # a good photo with a bad voice note: neither is kept
    post.update(
        {
            key: uploads.get(value, value) if key in ("photos", "voice_notes") else value
            for key, value in data.items()
        }
    )
    response = browser.post(reverse("real_estate:feedback", args=[offer.pk]), post)
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page and 'role="alert"' in page
    assert not Feedback.objects.exists() and not FeedbackPhoto.objects.exists()
    assert not events("real_estate.feedback_submitted")
    assert _media_files(isolated_media) == files_before  # nothing half-saved
    if "photos" in post:
        assert "Please choose your photos and recordings again." in page


def test_feedback_before_a_visit_is_refused(browser, offer):
    response = browser.post(reverse("real_estate:feedback", args=[offer.pk]), {"rating": "4", "notes": "Hm"})
    assert response.status_code == 400
    assert "You can give feedback once you have visited this property." in response.content.decode()
    assert not Feedback.objects.exists()


def test_the_feedback_form_appears_only_after_a_visit(browser, offer, account):
    url = reverse("real_estate:property", args=[offer.pk])
    assert 'name="rating"' not in browser.get(url).content.decode()
    visited_viewing(offer, account)
    page = browser.get(url).content.decode()
    assert 'name="rating"' in page and 'name="voice_notes"' in page and "data-recorder" in page
    assert 'enctype="multipart/form-data"' in page


# --- contact the agent ------------------------------------------------------------------------------


def test_contacting_the_agent_about_a_property(events, browser, offer):
    mail.outbox.clear()
    response = browser.post(
        reverse("real_estate:contact"), {"offer": offer.pk, "body": "Is there parking?"}, follow=True
    )
    assert response.redirect_chain[-1][0].endswith("#contact")
    assert "Your message is sent." in _followed(response)
    message = AgentMessage.objects.get()
    assert message.offered == offer and message.subject == "About Family home"
    [payload] = events("real_estate.agent_contacted")
    assert payload["offer"]["id"] == offer.pk
    assert any("Is there parking?" in m.body for m in mail.outbox)


def test_contacting_the_agent_in_general_and_with_bad_input(events, browser, office):
    url = reverse("real_estate:contact")
    assert "Write a message" in browser.get(url).content.decode()
    empty = browser.post(url, {"subject": "Hello", "body": "  "})
    assert empty.status_code == 400 and "Write your message." in empty.content.decode()
    too_long = browser.post(url, {"body": "x" * 5001})
    assert too_long.status_code == 400 and "5000" in too_long.content.decode()
    assert not AgentMessage.objects.exists() and not events("real_estate.agent_contacted")
    response = browser.post(url, {"subject": "Budget", "body": "Can we go up to 600k?"}, follow=True)
    page = _followed(response)
    assert "Your message is sent." in page and "Can we go up to 600k?" in page
    assert AgentMessage.objects.get().offered is None


def test_what_the_client_did_shows_at_once_on_the_overview(browser, offer):
    browser.post(reverse("real_estate:interest", args=[offer.pk]), {"interest": "interested"})
    page = browser.get(reverse("real_estate:properties") + "?group=interested").content.decode()
    assert f">{offer.property.title}</a>" in page
    assert OfferedProperty.objects.get().interest == "interested"
