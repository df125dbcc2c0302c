"""The client's portal: profile, language, photo, shared files, the activity feed, preview."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django_tenants.utils import schema_context
from PIL import Image

from portal_core.models import ActivityEntry, Contact, PortalConfig, SharedFile


def _png_with_gps() -> bytes:
    image = Image.new("RGB", (1200, 800), (200, 30, 30))
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (52.0, 22.0, 0.0), 3: "E", 4: (4.0, 53.0, 0.0)}  # GPSInfo: a location
    exif[0x010F] = "CameraMaker"
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def _config(office, **fields):
    with schema_context(office.schema_name):
        config = PortalConfig.objects.get()
        for name, value in fields.items():
            setattr(config, name, value)
        config.save()
    connection.set_schema_to_public()


def test_it_saves_the_clients_details(office_a):
    client, account = office_a.portal_client()
    response = client.post(
        "/profile/",
        {
            "action": "details",
            "details-first_name": "Christa",
            "details-last_name": "Meyer",
            "details-phone": "+31 6 1234",
        },
    )
    assert response["Location"] == "/profile/"
    with schema_context(office_a.schema_name):
        contact = Contact.objects.get(pk=account.contact_id)
        assert (contact.first_name, contact.last_name, contact.phone) == ("Christa", "Meyer", "+31 6 1234")


def test_it_speaks_the_clients_language_and_lets_them_change_it(office_a):
    client, _ = office_a.portal_client(language="nl")
    home = client.get("/").content.decode()
    assert '<html lang="nl"' in home and "Profiel" in home
    client.post("/profile/", {"action": "language", "language-language": "de"})
    assert '<html lang="de"' in client.get("/").content.decode()


def test_it_falls_back_to_english_for_an_unknown_language(office_a):
    client, _ = office_a.portal_client(language="xx")
    assert '<html lang="en"' in client.get("/").content.decode()


def test_it_stores_a_profile_photo_without_its_location(office_a, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    client, account = office_a.portal_client()
    upload = SimpleUploadedFile("me.jpg", _png_with_gps(), content_type="image/jpeg")
    assert client.post("/profile/", {"action": "photo", "photo": upload})["Location"] == "/profile/"
    served = client.get("/profile/photo")
    assert served.status_code == 200
    stored = Image.open(io.BytesIO(b"".join(served.streaming_content)))
    assert stored.format == "JPEG" and max(stored.size) <= 600
    assert not stored.getexif()  # the GPS position and camera data are gone
    with schema_context(office_a.schema_name):
        path = Contact.objects.get(pk=account.contact_id).photo.path
    assert path.startswith(str(tmp_path / office_a.schema_name))
    client.post("/profile/", {"action": "photo-remove"})
    assert client.get("/profile/photo").status_code == 404


def test_it_refuses_a_file_that_is_not_a_photo(office_a, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    client, _ = office_a.portal_client()
    fake = SimpleUploadedFile("evil.jpg", b"<?php system($_GET['c']); ?>", content_type="image/jpeg")
    page = client.post("/profile/", {"action": "photo", "photo": fake}, follow=True).content.decode()
    assert "This file is not a photo we can read." in page
    assert client.get("/profile/photo").status_code == 404


def test_it_changes_the_password_only_with_the_current_one(office_a):
    client, _ = office_a.portal_client()
    wrong = client.post(
        "/profile/",
        {
            "action": "password",
            "password-current_password": "nope",
            "password-new_password": "Brand-new-2026!",
        },
    )
    assert "Your current password is not right." in wrong.content.decode()
    ok = client.post(
        "/profile/",
        {
            "action": "password",
            "password-current_password": "Client-pass-2026!",
            "password-new_password": "Brand-new-2026!",
        },
    )
    assert ok["Location"] == "/profile/"
    assert client.get("/").status_code == 200  # this session stays signed in


def test_it_shares_files_both_ways_and_only_with_their_owner(office_a, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    client, account = office_a.portal_client(email="kim@example.com")
    other, _ = office_a.portal_client(email="lee@example.com", first_name="Lee")
    pdf = SimpleUploadedFile(
        "offer.pdf", b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n", content_type="application/pdf"
    )
    assert client.post("/files/", {"file": pdf})["Location"] == "/files/"
    with schema_context(office_a.schema_name):
        shared = SharedFile.objects.get()
        assert shared.account_id == account.pk and shared.content_type == "application/pdf"
        assert ActivityEntry.objects.filter(verb="file_shared", contact_id=account.contact_id).exists()
    download = client.get(f"/files/{shared.pk}/")
    assert download.status_code == 200 and b"%PDF" in b"".join(download.streaming_content)
    assert other.get(f"/files/{shared.pk}/").status_code == 404
    assert office_a.client().get(f"/files/{shared.pk}/").status_code == 302  # not signed in


def test_it_refuses_executables_and_oversized_files(office_a, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    client, _ = office_a.portal_client()
    exe = SimpleUploadedFile("setup.pdf", b"MZ\x90\x00" + b"\x00" * 100, content_type="application/pdf")
    page = client.post("/files/", {"file": exe}, follow=True).content.decode()
    assert "This kind of file cannot be shared" in page
    big = SimpleUploadedFile(
        "big.pdf", b"%PDF-" + b"0" * (20 * 1024 * 1024 + 1), content_type="application/pdf"
    )
    page = client.post("/files/", {"file": big}, follow=True).content.decode()
    assert "too large" in page
    with schema_context(office_a.schema_name):
        assert not SharedFile.objects.exists()


def test_it_hides_files_and_the_feed_when_the_office_turns_them_off(office_a):
    client, _ = office_a.portal_client()
    home = client.get("/").content.decode()
    assert "Recent activity" in home and "Shared files" in home
    _config(office_a, allow_file_sharing=False, show_activity_feed=False)
    home = client.get("/").content.decode()
    assert "Recent activity" not in home and 'href="/files/"' not in home
    assert client.get("/files/").status_code == 404


def test_it_lets_the_office_preview_the_portal_read_only(office_a):
    _, account = office_a.portal_client(first_name="Kim")
    staff = office_a.staff_client()
    assert staff.post(f"/office/preview/{account.pk}/")["Location"] == "/"
    home = staff.get("/").content.decode()
    assert "Preview: you see the portal as Kim Client sees it." in home and "Hello, Kim" in home
    blocked = staff.post("/profile/", {"action": "details", "details-first_name": "Hacked"}, follow=True)
    assert "This is a preview: nothing can be changed." in blocked.content.decode()
    with schema_context(office_a.schema_name):
        assert Contact.objects.get(pk=account.contact_id).first_name == "Kim"
        assert ActivityEntry.objects.filter(verb="previewed", contact_id=account.contact_id).exists()
    assert staff.get("/office/preview/end/").status_code == 405  # ends only by a POST
    staff.post("/office/preview/end/")
    assert staff.get("/")["Location"].startswith("/auth/signin")
    assert staff.get("/office/").status_code == 200  # still signed in as staff


def test_it_refuses_a_preview_to_anyone_but_the_offices_staff(office_a, office_b):
    _, account = office_a.portal_client()
    stranger = office_b.staff_client()
    stranger.defaults["HTTP_HOST"] = office_a.host
    response = stranger.post(f"/office/preview/{account.pk}/")
    assert response.status_code == 302 and response["Location"].startswith("/office/login/")
    assert office_b.staff_client().post(f"/office/preview/{account.pk}/").status_code == 404
