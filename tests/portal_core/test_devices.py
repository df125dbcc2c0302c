"""Where you are signed in: a client and a staff member see each browser they are signed in on,
end one from another, and nobody else can; a password change clears the list; a session is
written once per few minutes, not on every request."""

from __future__ import annotations

import re

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from portal_core.devices import describe
from portal_core.models import AuditEvent, SignedInDevice

from ..conftest import CLIENT_PASSWORD

PHONE = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0 Mobile Safari/537.36"
)
LAPTOP = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.5 Safari/605.1.15"
)


def _rows(office, **filters) -> list[SignedInDevice]:
    with schema_context(office.schema_name):
        rows = list(SignedInDevice.objects.filter(**filters))
    connection.set_schema_to_public()
    return rows


def _device_ids(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r"/devices/(\d+)/sign-out", html)]


def test_describe_names_the_browser_and_the_system():
    assert describe(PHONE) == "Chrome on Android"
    assert describe(LAPTOP) == "Safari on macOS"
    assert describe("") == "Unknown browser"


def test_a_client_sees_both_devices_and_signs_the_other_one_out(office_a):
    laptop, account = office_a.portal_client("kim@example.com")
    phone = Client(HTTP_HOST=office_a.host, HTTP_USER_AGENT=PHONE)
    assert (
        phone.post("/auth/signin", {"email": "kim@example.com", "password": CLIENT_PASSWORD}).status_code
        == 302
    )
    assert phone.get("/").status_code == 200

    page = laptop.get("/profile/security").content.decode()
    assert "Where you are signed in" in page and "Chrome on Android" in page
    assert page.count(">This device<") == 1
    [other] = _device_ids(page)  # the current device has no sign-out button

    ended = laptop.post(f"/profile/security/devices/{other}/sign-out", follow=True)
    assert "That device is signed out." in ended.content.decode()
    assert phone.get("/").status_code == 302, "the phone was signed out"
    assert laptop.get("/").status_code == 200, "this device carries on"
    assert "Chrome on Android" not in laptop.get("/profile/security").content.decode()
    with schema_context(office_a.schema_name):
        assert AuditEvent.objects.filter(kind="session_ended", actor_id=account.pk).count() == 1
    connection.set_schema_to_public()


def test_nobody_else_ends_a_clients_device(office_a, office_b):
    kim, _ = office_a.portal_client("kim@example.com")
    kim.get("/")
    [row] = _rows(office_a, holder_kind="client")
    other_client, _ = office_a.portal_client("lee@example.com", first_name="Lee")
    assert other_client.post(f"/profile/security/devices/{row.pk}/sign-out").status_code == 404
    elsewhere, _ = office_b.portal_client("kim@example.com")
    assert elsewhere.post(f"/profile/security/devices/{row.pk}/sign-out").status_code == 404
    assert office_a.client().post(f"/profile/security/devices/{row.pk}/sign-out").status_code == 302
    staff = office_a.staff_client()
    assert staff.post(f"/office/security/devices/{row.pk}/sign-out").status_code == 404
    assert kim.get("/").status_code == 200, "kim is still signed in"
    # a client cannot end their own current session this way (sign out does that)
    assert kim.post(f"/profile/security/devices/{row.pk}/sign-out").status_code == 404


def test_a_staff_member_ends_a_session_on_another_device(office_a, office_b):
    desk = office_a.staff_client()
    phone = Client(HTTP_HOST=office_a.host, HTTP_USER_AGENT=PHONE)
    phone.post("/office/login/", {"username": office_a.owner_email, "password": office_a.owner_password})
    assert phone.get("/office/").status_code == 200

    page = desk.get("/office/security/").content.decode()
    assert "Chrome on Android" in page and page.count(">This device<") == 1
    [other] = _device_ids(page)
    assert office_b.staff_client().post(f"/office/security/devices/{other}/sign-out").status_code == 404
    assert phone.get("/office/").status_code == 200
    done = desk.post(f"/office/security/devices/{other}/sign-out", follow=True)
    assert "That device is signed out." in done.content.decode()
    assert phone.get("/office/").status_code == 302
    assert desk.get("/office/").status_code == 200


def test_a_password_change_clears_the_other_devices(office_a):
    laptop, account = office_a.portal_client("kim@example.com")
    phone = Client(HTTP_HOST=office_a.host, HTTP_USER_AGENT=PHONE)
    phone.post("/auth/signin", {"email": "kim@example.com", "password": CLIENT_PASSWORD})
    phone.get("/")
    assert "Chrome on Android" in laptop.get("/profile/security").content.decode()
    assert laptop.post("/profile/", {"action": "sign-out-everywhere"}).status_code == 302
    assert phone.get("/").status_code == 302
    assert "Chrome on Android" not in laptop.get("/profile/security").content.decode()
    assert len(_rows(office_a, holder_kind="client", holder_id=account.pk)) == 1


def test_a_session_is_written_once_not_on_every_request(office_a):
    browser, _ = office_a.portal_client("kim@example.com")
    browser.get("/")
    with CaptureQueriesContext(connection) as queries:
        for _ in range(3):
            assert browser.get("/").status_code == 200
    assert not [q for q in queries.captured_queries if "signedindevice" in q["sql"]]
