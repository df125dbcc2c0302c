"""A property's gallery through the API: uploads checked by content and re-encoded without EXIF,
reordering, captions, deletion; refused to every outsider."""

from __future__ import annotations

import io

from django.conf import settings
from django.urls import reverse
from PIL import Image

from modules.real_estate.models import PropertyPhoto
from tests.api.conftest import api
from tests.api.mixins import assert_field_errors, in_schema

from ..conftest import PLATFORM_HOST
from . import api_support
from .api_support import BASE, assert_outsiders_refused, property_made
from .conftest import jpeg_with_gps, photo_upload

office_a, office_b = api_support.office_a, api_support.office_b
api_key_a = api_support.api_key_a


def _gallery(prop) -> str:
    return f"{BASE}properties/{prop.pk}/photos/"


def _upload(client, url, data: bytes | None = None, name="photo.jpg", **fields):
    return client.post(url, {"image": photo_upload(data, name=name), **fields})


def test_it_uploads_photos_re_encoded_without_location(office_a, api_key_a, isolated_media):
    with in_schema(office_a):
        house = property_made()
    client = api(office_a.host, api_key_a)
    url = _gallery(house)
    first = _upload(client, url, caption=" Front ")
    assert first.status_code == 201, first.content
    body = first.json()
    assert (body["property"], body["position"], body["caption"]) == (house.pk, 0, "Front")
    assert (body["width"], body["height"]) == (800, 1200)  # the EXIF orientation was applied
    assert set(body) == {"id", "property", "caption", "width", "height", "position", "url", "created"}
    png = io.BytesIO()
    Image.new("RGB", (40, 30), (0, 90, 0)).save(png, format="PNG")
    second = _upload(client, url, png.getvalue(), name="plan.png")
    assert second.status_code == 201 and second.json()["position"] == 1
    with in_schema(office_a):
        stored = PropertyPhoto.objects.get(pk=body["id"])
        with stored.image.open("rb") as f, Image.open(f) as image:
            assert image.format == "JPEG" and not image.getexif()
    listed = client.get(url).json()
    assert [p["id"] for p in listed] == [body["id"], second.json()["id"]]
    detail = client.get(f"{BASE}properties/{house.pk}/").json()
    assert detail["photos"] == listed


def test_it_refuses_bad_files_and_saves_nothing(office_a, api_key_a, isolated_media):
    with in_schema(office_a):
        house = property_made()
    client = api(office_a.host, api_key_a)
    url = _gallery(house)
    not_a_photo = _upload(client, url, b"%PDF-1.7 this is no photo", name="photo.jpg")
    assert_field_errors(not_a_photo, "image")
    assert not_a_photo.json()["errors"] == {"image": ["This file is not a photo we can read."]}
    too_large = _upload(client, url, jpeg_with_gps()[:4] + b"\0" * (10 * 1024 * 1024 + 1))
    assert_field_errors(too_large, "image")
    assert "too large" in too_large.json()["errors"]["image"][0]
    assert_field_errors(client.post(url, {"caption": "no file"}), "image")
    as_json = client.post(url, {"image": "aGVsbG8="}, content_type="application/json")
    assert as_json.status_code == 415 and set(as_json.json()) == {"message"}
    with in_schema(office_a):
        assert not PropertyPhoto.objects.exists()
    assert not any(p.is_file() for p in isolated_media.rglob("*"))


def test_it_reorders_captions_and_deletes(office_a, api_key_a, isolated_media):
    with in_schema(office_a):
        house, other = property_made(), property_made("Other")
    client = api(office_a.host, api_key_a)
    url = _gallery(house)
    ids = [_upload(client, url).json()["id"] for _ in range(3)]
    foreign = _upload(client, _gallery(other)).json()["id"]
    reorder = f"{url}reorder"
    assert_field_errors(
        client.post(reorder, {"photo_ids": ids[:2]}, content_type="application/json"), "photo_ids"
    )
    assert_field_errors(
        client.post(reorder, {"photo_ids": [*ids, foreign]}, content_type="application/json"), "photo_ids"
    )
    assert_field_errors(client.post(reorder, {"photo_ids": []}, content_type="application/json"), "photo_ids")
    response = client.post(reorder, {"photo_ids": ids[::-1]}, content_type="application/json")
    assert response.status_code == 200, response.content
    assert [(p["id"], p["position"]) for p in response.json()] == [(ids[2], 0), (ids[1], 1), (ids[0], 2)]
    captioned = client.patch(f"{url}{ids[1]}/", {"caption": "Kitchen"}, content_type="application/json")
    assert captioned.status_code == 200 and captioned.json()["caption"] == "Kitchen"
    assert_field_errors(client.patch(f"{url}{ids[1]}/", {}, content_type="application/json"), "caption")
    assert client.delete(f"{url}{ids[2]}/").status_code == 204
    assert [(p["id"], p["position"]) for p in client.get(url).json()] == [(ids[1], 0), (ids[0], 1)]
    wrong = client.delete(f"{url}{foreign}/")
    assert (wrong.status_code, wrong.json()) == (404, {"message": "Property photo not found."})
    assert client.delete(f"{url}{ids[2]}/").status_code == 404
    with in_schema(office_a):
        assert PropertyPhoto.objects.filter(pk=foreign).exists()


def test_it_refuses_every_outsider(office_a, office_b, isolated_media):
    with in_schema(office_a):
        house = property_made()
        photo = PropertyPhoto.objects.create(
            property=house, image="real-estate/property-photos/x.jpg", width=8, height=6
        )
    url = f"{BASE}properties/{house.pk}/photos/"
    endpoints = [
        ("get", url),
        ("post", url),
        ("post", f"{url}reorder"),
        ("patch", f"{url}{photo.pk}/"),
        ("delete", f"{url}{photo.pk}/"),
    ]
    assert_outsiders_refused(office_a, office_b, endpoints)
    with in_schema(office_a):
        assert PropertyPhoto.objects.filter(pk=photo.pk).exists()


def test_photo_urls_are_absolute_on_the_offices_host(office_a, api_key_a, isolated_media):
    with in_schema(office_a):
        house = property_made()
    uploaded = _upload(api(office_a.host, api_key_a), _gallery(house)).json()
    path = reverse("real_estate:media-property-photo", args=[uploaded["id"]], urlconf=settings.ROOT_URLCONF)
    assert uploaded["url"].startswith(f"http://{office_a.host}{path}?sig=")  # signed: see test_media
    # Through the platform host too: the files are served on the office's own host.
    listed = api(PLATFORM_HOST, api_key_a).get(_gallery(house)).json()
    assert [p["url"].split("?sig=")[0] for p in listed] == [f"http://{office_a.host}{path}"]
