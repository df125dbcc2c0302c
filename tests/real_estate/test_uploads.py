"""Photos and voice notes checked by content: bad files get a clear message, photos lose their
location, and nothing is half-saved."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from PIL import Image

from modules.real_estate.models import Feedback, FeedbackPhoto, FeedbackVoiceNote, PropertyPhoto
from modules.real_estate.services import (
    feedback_submit,
    property_photo_add,
    property_photo_delete,
    property_photos_reorder,
)
from modules.real_estate.uploads import voice_note_checked, webm_summary

from .conftest import audio_upload, jpeg_with_gps, photo_upload, visited_viewing, wav_bytes, webm_bytes


def _stored_files(media: Path) -> list[Path]:
    return [p for p in media.rglob("*") if p.is_file()] if media.exists() else []


def test_it_stores_a_property_photo_re_encoded_upright_and_without_location(office, house, isolated_media):
    photo = property_photo_add(
        property=house, upload=photo_upload(jpeg_with_gps((1200, 800))), caption=" Front "
    )
    assert photo.caption == "Front" and photo.position == 0
    assert (photo.width, photo.height) == (800, 1200)  # the EXIF orientation was applied first
    with photo.image.open("rb") as stored:
        image = Image.open(io.BytesIO(stored.read()))
    assert image.format == "JPEG" and image.size == (800, 1200)
    assert not image.getexif()  # no GPS, no camera, no orientation left
    assert photo.image.name.startswith("real-estate/property-photos/") and photo.image.name.endswith(".jpg")
    assert str(isolated_media / office.schema_name) in photo.image.path


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (photo_upload(b"just some text, not a photo", name="house.jpg"), "not a photo we can read"),
        (photo_upload(b"\xff\xd8\xff" + b"\x00" * (10 * 1024 * 1024 + 1)), "too large"),
        (photo_upload(None, name="empty.jpg"), None),
    ],
)
def test_it_refuses_files_that_are_not_photos(office, house, isolated_media, upload, message):
    if message is None:  # a PDF renamed .jpg, sent as image/jpeg
        upload = photo_upload(b"%PDF-1.4\n%%EOF\n", name="plan.jpg")
        message = "not a photo we can read"
    with pytest.raises(ValidationError, match=message):
        property_photo_add(property=house, upload=upload)
    assert not PropertyPhoto.objects.exists() and _stored_files(isolated_media) == []


@pytest.mark.parametrize("side", [7000, 9500])  # 49 and 90 million pixels, in a few kilobytes
def test_it_refuses_a_photo_with_too_many_pixels_before_decoding_it(office, house, isolated_media, side):
    out = io.BytesIO()
    Image.new("1", (side, side)).save(out, format="PNG")
    with pytest.raises(ValidationError, match="too many pixels"):
        property_photo_add(property=house, upload=photo_upload(out.getvalue(), name="huge.png"))
    assert not PropertyPhoto.objects.exists()


def test_it_orders_reorders_and_deletes_photos(
    office, house, isolated_media, django_capture_on_commit_callbacks
):
    photos = [property_photo_add(property=house, upload=photo_upload()) for _ in range(3)]
    assert [p.position for p in photos] == [0, 1, 2]
    property_photos_reorder(property=house, photo_ids=[photos[2].pk, photos[0].pk, photos[1].pk])
    assert list(house.photos.values_list("pk", flat=True)) == [photos[2].pk, photos[0].pk, photos[1].pk]
    with pytest.raises(ValidationError, match="exactly once"):
        property_photos_reorder(property=house, photo_ids=[photos[0].pk, photos[0].pk, photos[1].pk])
    with pytest.raises(ValidationError, match="exactly once"):
        property_photos_reorder(property=house, photo_ids=[photos[0].pk])
    path = Path(photos[2].image.path)
    with django_capture_on_commit_callbacks(execute=True):
        property_photo_delete(photo=photos[2])
    assert not path.exists()
    assert list(house.photos.values_list("pk", "position")) == [(photos[0].pk, 0), (photos[1].pk, 1)]


# --- voice notes ----------------------------------------------------------------------------------


def test_it_reads_the_length_of_browser_recordings_and_wav():
    checked = voice_note_checked(audio_upload(webm_bytes(42)))
    assert checked.content_type == "audio/webm" and checked.extension == ".webm"
    assert checked.duration == pytest.approx(42, abs=1)
    wav = voice_note_checked(audio_upload(wav_bytes(3), name="note.webm", content_type="audio/webm"))
    assert wav.content_type == "audio/wav" and wav.duration == pytest.approx(3)  # by content, not by name
    assert webm_summary(webm_bytes(2))[:2] == ("webm", {2})


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"hello, this is text pretending to be audio" * 10, "not a sound recording"),
        (jpeg_with_gps((20, 20)), "not a sound recording"),
        (webm_bytes(3, video=True), "video, not a sound recording"),
        (webm_bytes(301), "too long"),
        (wav_bytes(301), "too long"),
        (b"RIFF\x00\x00\x00\x00WAVEjunkjunkjunk", "damaged"),
        (b"\x00" * (10 * 1024 * 1024 + 1), "too large"),
    ],
)
def test_it_refuses_bad_voice_notes(data, message):
    with pytest.raises(ValidationError, match=message):
        voice_note_checked(audio_upload(data, name="note.mp3", content_type="audio/mpeg"))


# --- feedback: nothing half-saved ---------------------------------------------------------------


def test_it_saves_feedback_with_photos_and_voice_notes(events, account, offer, isolated_media):
    visited_viewing(offer, account)
    feedback = feedback_submit(
        offer=offer,
        account=account,
        notes="Lovely garden",
        rating=4,
        photos=[photo_upload(), photo_upload()],
        voice_notes=[audio_upload(webm_bytes(12)), audio_upload(wav_bytes(2), name="n.wav")],
    )
    assert feedback.rating == 4 and feedback.viewing.status == "visited"
    photos = list(feedback.photos.all())
    assert [p.position for p in photos] == [0, 1] and all(
        not Image.open(p.image.path).getexif() for p in photos
    )
    notes = list(feedback.voice_notes.all())
    assert [(n.content_type, float(n.duration_seconds)) for n in notes] == [
        ("audio/webm", 12.0),
        ("audio/wav", 2.0),
    ]
    assert notes[0].audio.name.endswith(".webm") and notes[1].audio.name.endswith(".wav")
    [payload] = events("real_estate.feedback_submitted")
    assert payload["feedback"]["photos"] == 2 and payload["feedback"]["voice_notes"] == 2
    assert payload["feedback"]["rating"] == 4 and payload["offer"]["id"] == offer.pk
    assert len(_stored_files(isolated_media)) == 4


def test_one_bad_file_saves_nothing(account, offer, isolated_media):
    visited_viewing(offer, account)
    with pytest.raises(ValidationError) as caught:
        feedback_submit(
            offer=offer,
            account=account,
            notes="Nice",
            photos=[photo_upload(), photo_upload(b"not an image", name="second.jpg")],
            voice_notes=[audio_upload(webm_bytes(5))],
        )
    assert "second.jpg" in caught.value.message_dict["photos"][0]
    assert not Feedback.objects.exists() and not FeedbackPhoto.objects.exists()
    assert not FeedbackVoiceNote.objects.exists() and _stored_files(isolated_media) == []


def test_a_failure_after_writing_deletes_the_written_files(account, offer, isolated_media, monkeypatch):
    visited_viewing(offer, account)

    def broken_emit(**kwargs):
        raise RuntimeError("the outbox is down")

    monkeypatch.setattr("modules.real_estate.services.event_emit", broken_emit)
    with pytest.raises(RuntimeError):
        feedback_submit(
            offer=offer, account=account, photos=[photo_upload()], voice_notes=[audio_upload(webm_bytes(5))]
        )
    assert not Feedback.objects.exists() and _stored_files(isolated_media) == []
