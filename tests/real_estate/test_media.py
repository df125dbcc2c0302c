"""Photos and voice notes are served to the office's staff and to the client they belong to, and
to nobody else (404, as if they did not exist)."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from django.urls import reverse
from PIL import Image

from modules.real_estate.services import feedback_submit, property_offer, property_photo_add

from .conftest import audio_upload, make_property, photo_upload, visited_viewing, wav_bytes, webm_bytes
from .portal_support import outsiders, portal_on, refused, signed_in


@pytest.fixture
def files(office, account, offer):
    """A property photo, a feedback photo and a voice note of ``account``'s offer: their URLs."""
    photo = property_photo_add(property=offer.property, upload=photo_upload(), caption="Front")
    visited_viewing(offer, account)
    feedback = feedback_submit(
        offer=offer,
        account=account,
        rating=4,
        photos=[photo_upload()],
        voice_notes=[audio_upload(webm_bytes(3))],
    )
    return {
        "property photo": reverse("real_estate:media-property-photo", args=[photo.pk]),
        "feedback photo": reverse("real_estate:media-feedback-photo", args=[feedback.photos.get().pk]),
        "voice note": reverse("real_estate:media-voice-note", args=[feedback.voice_notes.get().pk]),
    }


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def _assert_served(response, content_type: str) -> bytes:
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Cache-Control"].startswith("private")
    assert response["X-Content-Type-Options"] == "nosniff"
    return _body(response)


def test_it_serves_the_clients_own_files_with_the_right_type(office, account, files):
    browser = signed_in(office, account)
    photo = _assert_served(browser.get(files["property photo"]), "image/jpeg")
    assert Image.open(io.BytesIO(photo)).format == "JPEG"
    assert not Image.open(io.BytesIO(photo)).getexif()  # re-encoded: no location
    _assert_served(browser.get(files["feedback photo"]), "image/jpeg")
    audio = _assert_served(browser.get(files["voice note"]), "audio/webm")
    assert audio.startswith(b"\x1a\x45\xdf\xa3")


def test_it_serves_the_offices_staff_without_a_client_session(office, files):
    staff = office.staff_client()
    for url in files.values():
        assert staff.get(url).status_code == 200, url


def test_it_refuses_everyone_else(office_b, office, account, files):
    for label, browser in outsiders(office, office_b).items():
        for name, url in files.items():
            response = browser.get(url)
            assert response.status_code == 404, (label, name, response.status_code)
            assert not response.has_header("Content-Disposition") or b"" == _body(response)


def test_it_refuses_files_of_a_property_offered_to_someone_else(office, account, offer):
    other_property = make_property("Not yours")
    hidden = property_photo_add(property=other_property, upload=photo_upload())
    browser = signed_in(office, account)
    url = reverse("real_estate:media-property-photo", args=[hidden.pk])
    assert browser.get(url).status_code == 404
    property_offer(deal=offer.deal, property=other_property)
    assert browser.get(url).status_code == 200  # offered now: the client may see its photos


def test_it_answers_a_range_request_for_a_voice_note(office, account, offer):
    visited_viewing(offer, account)
    feedback = feedback_submit(
        offer=offer, account=account, voice_notes=[audio_upload(wav_bytes(2), "a.wav")]
    )
    note = feedback.voice_notes.get()
    url = reverse("real_estate:media-voice-note", args=[note.pk])
    browser = signed_in(office, account)
    whole = browser.get(url)
    assert whole["Accept-Ranges"] == "bytes" and whole["Content-Type"] == "audio/wav"
    data = _body(whole)
    part = browser.get(url, HTTP_RANGE="bytes=0-99")
    assert part.status_code == 206 and part.content == data[:100]
    assert part["Content-Range"] == f"bytes 0-99/{len(data)}"
    tail = browser.get(url, HTTP_RANGE="bytes=-10")
    assert tail.status_code == 206 and tail.content == data[-10:]
    assert browser.get(url, HTTP_RANGE=f"bytes={len(data) + 5}-").status_code == 416


def test_it_hides_a_file_whose_row_outlived_it(office, account, offer):
    photo = property_photo_add(property=offer.property, upload=photo_upload())
    photo.image.storage.delete(photo.image.name)
    browser = signed_in(office, account)
    assert browser.get(reverse("real_estate:media-property-photo", args=[photo.pk])).status_code == 404


def test_it_serves_nothing_once_the_portal_is_off_or_the_module_is_off(office, account, files):
    from portal_core.models import PortalConfig
    from portal_core.services import module_disable

    browser = signed_in(office, account)
    config = PortalConfig.objects.get()
    config.is_active = False
    config.save()
    assert browser.get(files["property photo"]).status_code == 404
    assert office.staff_client().get(files["property photo"]).status_code == 200  # the office still sees it
    portal_on()
    module_disable(key="real_estate")
    assert browser.get(files["property photo"]).status_code == 404
    assert refused(Client(HTTP_HOST=office.host).get(files["voice note"]))


def test_it_refuses_writes_to_a_file_url(office, account, files):
    browser = signed_in(office, account)
    assert browser.post(files["property photo"]).status_code in (403, 405)


def _signed(office, url: str) -> str:
    """The link the API hands out for ``url`` (what ``api.base.media_url`` adds)."""
    from django.urls import resolve
    from django_tenants.utils import schema_context

    from modules.real_estate.media_links import media_signature

    match = resolve(url)
    with schema_context(office.schema_name):
        return f"{url}?sig={media_signature(match.url_name, match.kwargs['pk'])}"


def test_a_link_the_api_signed_serves_the_file_without_a_session_for_an_hour(office, files, monkeypatch):
    anonymous = office.client()
    for name, url in files.items():
        assert anonymous.get(url).status_code == 404, name
        assert anonymous.get(_signed(office, url)).status_code == 200, name
    photo, voice = files["property photo"], files["voice note"]
    signature = _signed(office, photo).split("?sig=")[1]
    assert anonymous.get(f"{voice}?sig={signature}").status_code == 404  # another file's signature
    assert anonymous.get(f"{photo}?sig={signature[:-2]}xx").status_code == 404  # tampered
    assert anonymous.get(f"{photo}?sig=").status_code == 404
    monkeypatch.setattr("modules.real_estate.media_links.LIFETIME", -1)  # an hour later
    assert anonymous.get(f"{photo}?sig={signature}").status_code == 404


def test_a_signed_link_of_one_office_opens_nothing_in_another(office_b, office, files):
    """The signature covers the office's schema: the same path and id on office B's host fail."""
    from django_tenants.utils import tenant_context

    from modules.real_estate.services import property_photo_add
    from portal_core.services import module_enable

    url = files["property photo"]
    with tenant_context(office_b.tenant):
        module_enable(key="real_estate")
        other = property_photo_add(property=make_property("B's house"), upload=photo_upload())
    path_b = url.replace(url.rsplit("/", 1)[1], str(other.pk))
    assert office_b.client().get(_signed(office, path_b)).status_code == 404  # signed by office A
    assert office_b.client().get(_signed(office_b, path_b)).status_code == 200  # B's own link


def test_the_api_hands_out_signed_links_that_work_without_a_session(office, files):
    from tenants.services import api_key_create

    key = api_key_create(tenant=office.tenant, name="Website").secret
    api = Client(HTTP_HOST=office.host, HTTP_AUTHORIZATION=f"Bearer {key}")
    body = api.get("/api/v1/real-estate/feedback/").json()
    links = [
        item["url"]
        for feedback in body["results"]
        for item in (*feedback["photos"], *feedback["voice_notes"])
    ]
    assert len(links) == 2
    for link in links:
        path = link.split(office.host, 1)[1]
        assert "?sig=" in path
        assert office.client().get(path).status_code == 200


def test_lists_get_a_small_copy_of_a_large_photo(office, account, offer):
    from modules.real_estate.uploads import THUMBNAIL_SIDE

    big = Image.new("RGB", (1800, 1200), "teal")
    out = io.BytesIO()
    big.save(out, format="JPEG")
    from django.core.files.uploadedfile import SimpleUploadedFile

    photo = property_photo_add(
        property=offer.property, upload=SimpleUploadedFile("big.jpg", out.getvalue(), "image/jpeg")
    )
    url = reverse("real_estate:media-property-photo", args=[photo.pk])
    browser = signed_in(office, account)
    full = Image.open(io.BytesIO(_assert_served(browser.get(url), "image/jpeg")))
    small = Image.open(io.BytesIO(_assert_served(browser.get(f"{url}?size=small"), "image/jpeg")))
    assert full.size == (1800, 1200)
    assert small.width == THUMBNAIL_SIDE and 420 <= small.height <= 430
    cards = browser.get("/real-estate/properties/").content.decode()
    assert f"{url}?size=small" in cards


def test_a_files_signed_link_stays_the_same_for_a_while_so_browsers_cache_it(office, files, monkeypatch):
    from modules.real_estate import media_links

    url = files["property photo"]
    monkeypatch.setattr(media_links.time, "time", lambda: 1_800_000_000)
    first = _signed(office, url)
    monkeypatch.setattr(media_links.time, "time", lambda: 1_800_000_000 + 59)
    assert _signed(office, url) == first
    monkeypatch.setattr(media_links.time, "time", lambda: 1_800_000_000 + media_links.STEP)
    assert _signed(office, url) != first
