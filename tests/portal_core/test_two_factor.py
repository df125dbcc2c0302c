"""Two-factor sign-in for staff and clients: TOTP with a QR code, ten single-use recovery codes,
remember this device, the office's requirement, the office's reset for a lost phone, magic and
access links asking for the second factor, and the API's JWT requiring it."""

from __future__ import annotations

import re

import pyotp
from django.db import connection
from django_tenants.utils import schema_context

from portal_core import access, two_factor
from portal_core.models import PortalConfig, SecondFactor

from ..conftest import CLIENT_PASSWORD


def _setup(browser, page: str) -> tuple[str, list[str]]:
    """Set up the authenticator app on ``page``: (the secret, the recovery codes)."""
    begun = browser.post(page, {"action": "begin"})
    html = begun.content.decode()
    assert "<svg" in html and "QR code" in html
    secret = re.search(r"data-totp-secret>([A-Z2-7 ]+)<", html).group(1).replace(" ", "")
    wrong = browser.post(page, {"action": "confirm", "code": "000000"})
    assert "not right" in wrong.content.decode()
    done = browser.post(page, {"action": "confirm", "code": pyotp.TOTP(secret).now()})
    codes = re.findall(r"<code>([0-9a-f]{5}-[0-9a-f]{5})</code>", done.content.decode())
    assert len(codes) == 10 and len(set(codes)) == 10
    return secret, codes


def _next_code(secret: str, factor_id: int) -> str:
    """A code for a step after the last one used (a code works once)."""
    factor = SecondFactor.objects.get(pk=factor_id)
    totp = pyotp.TOTP(secret)
    return totp.at((factor.last_step + 1) * totp.interval)


def _config(office, **fields):
    with schema_context(office.schema_name):
        config = PortalConfig.objects.get()
        for key, value in fields.items():
            setattr(config, key, value)
        config.save()
    connection.set_schema_to_public()


def test_a_client_sets_up_totp_and_signs_in_with_it_and_a_recovery_code(office_a):
    browser, account = office_a.portal_client("kim@example.com")
    secret, codes = _setup(browser, "/profile/security")
    with schema_context(office_a.schema_name):
        factor = SecondFactor.objects.get(holder_kind="client", holder_id=account.pk)
        assert factor.confirmed_at and secret not in factor.totp_secret, "the secret is encrypted at rest"
        assert not set(codes) & set(factor.recovery_codes), "recovery codes are kept hashed"
    connection.set_schema_to_public()

    # the password alone no longer signs in: the second factor is asked
    other = office_a.client()
    response = other.post("/auth/signin", {"email": "kim@example.com", "password": CLIENT_PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/auth/two-factor"
    assert other.get("/profile/").status_code == 302, "not signed in before the second factor"
    assert other.post("/auth/two-factor", {"code": "123456"}).status_code == 200
    with schema_context(office_a.schema_name):
        code = _next_code(secret, factor.pk)
    connection.set_schema_to_public()
    assert other.post("/auth/two-factor", {"code": code}).status_code == 302
    assert other.get("/profile/").status_code == 200

    # a recovery code works once
    third = office_a.client()
    third.post("/auth/signin", {"email": "kim@example.com", "password": CLIENT_PASSWORD})
    assert third.post("/auth/two-factor", {"code": codes[0].upper()}).status_code == 302
    fourth = office_a.client()
    fourth.post("/auth/signin", {"email": "kim@example.com", "password": CLIENT_PASSWORD})
    assert fourth.post("/auth/two-factor", {"code": codes[0]}).status_code == 200


def test_a_totp_code_works_once(office_a):
    browser, account = office_a.portal_client("kim@example.com")
    secret, _ = _setup(browser, "/profile/security")
    with schema_context(office_a.schema_name):
        factor = SecondFactor.objects.get(holder_kind="client", holder_id=account.pk)
        code = _next_code(secret, factor.pk)
        assert two_factor.second_factor_verify(factor=factor, code=code) == "totp"
        assert two_factor.second_factor_verify(factor=factor, code=code) is None


def test_remember_this_device_skips_the_second_factor_until_credentials_end(office_a):
    browser, account = office_a.portal_client("kim@example.com")
    secret, _ = _setup(browser, "/profile/security")
    device = office_a.client()
    device.post("/auth/signin", {"email": "kim@example.com", "password": CLIENT_PASSWORD})
    with schema_context(office_a.schema_name):
        code = _next_code(secret, SecondFactor.objects.get(holder_id=account.pk).pk)
    connection.set_schema_to_public()
    device.post("/auth/two-factor", {"code": code, "remember": "1"})
    device.post("/auth/logout")
    again = device.post("/auth/signin", {"email": "kim@example.com", "password": CLIENT_PASSWORD})
    assert again.status_code == 302 and again["Location"] != "/auth/two-factor"
    # "sign out everywhere" forgets remembered devices too
    browser.post("/profile/", {"action": "sign-out-everywhere"})
    device.post("/auth/logout")
    forgotten = device.post("/auth/signin", {"email": "kim@example.com", "password": CLIENT_PASSWORD})
    assert forgotten["Location"] == "/auth/two-factor"


def test_links_ask_for_the_second_factor_too(office_a):
    browser, account = office_a.portal_client("kim@example.com")
    _setup(browser, "/profile/security")
    with schema_context(office_a.schema_name):
        raw = access.access_token_get_or_create(account=account, created_by="owner").raw
    connection.set_schema_to_public()
    opened = office_a.client().get(f"/client-portal/{raw}")
    assert opened.status_code == 302 and opened["Location"] == "/auth/two-factor"


def test_an_office_can_require_two_factor_for_clients(office_a):
    browser, _ = office_a.portal_client("kim@example.com")
    _config(office_a, client_two_factor=PortalConfig.ClientTwoFactor.REQUIRE)
    response = browser.get("/profile/")
    assert response.status_code == 302 and response["Location"] == "/profile/security"
    page = browser.get("/profile/security").content.decode()
    assert "asks every client to use two-factor sign-in" in page
    _setup(browser, "/profile/security")
    assert browser.get("/profile/").status_code == 200


def test_the_office_resets_a_lost_phone_and_it_is_recorded(office_a):
    from portal_core.models import ActivityEntry

    browser, account = office_a.portal_client("kim@example.com")
    _setup(browser, "/profile/security")
    staff = office_a.staff_client()
    response = staff.post(f"/office/contacts/{account.contact_id}/portal/reset-two-factor/")
    assert response.status_code == 302
    with schema_context(office_a.schema_name):
        assert not SecondFactor.objects.filter(holder_id=account.pk).exists()
        assert ActivityEntry.objects.filter(verb="two_factor_reset_by_office").exists()
    connection.set_schema_to_public()
    signin = office_a.client().post("/auth/signin", {"email": "kim@example.com", "password": CLIENT_PASSWORD})
    assert signin["Location"] != "/auth/two-factor"


def test_another_office_cannot_reset_a_clients_two_factor(office_a, office_b):
    browser, account = office_a.portal_client("kim@example.com")
    _setup(browser, "/profile/security")
    outsider = office_b.staff_client()
    assert outsider.post(f"/office/contacts/{account.contact_id}/portal/reset-two-factor/").status_code == 404
    with schema_context(office_a.schema_name):
        assert SecondFactor.objects.filter(holder_id=account.pk).exists()


def test_staff_set_up_totp_and_sign_in_with_it(office_a):
    staff = office_a.staff_client()
    secret, codes = _setup(staff, "/office/security/")
    other = office_a.client()
    response = other.post(
        "/office/login/", {"username": office_a.owner_email, "password": office_a.owner_password}
    )
    assert response.status_code == 302 and response["Location"] == "/office/two-factor/"
    assert other.get("/office/").status_code == 302
    assert other.post("/office/two-factor/", {"code": codes[3]}).status_code == 302
    assert other.get("/office/").status_code == 200


def test_an_office_can_require_two_factor_for_staff(office_a):
    staff = office_a.staff_client()
    _config(office_a, staff_two_factor_required=True)
    response = staff.get("/office/")
    assert response.status_code == 302 and response["Location"] == "/office/security/"
    _setup(staff, "/office/security/")
    assert staff.get("/office/").status_code == 200


def test_the_api_token_requires_the_second_factor(office_a):
    browser, account = office_a.portal_client("kim@example.com")
    secret, codes = _setup(browser, "/profile/security")

    def obtain(**extra):
        return office_a.client().post(
            "/api/v1/auth/token",
            {"email": "kim@example.com", "password": CLIENT_PASSWORD, "kind": "client", **extra},
            content_type="application/json",
        )

    refused = obtain()
    assert refused.status_code == 401 and "otp" in refused.json()["message"]
    assert obtain(otp="000000").status_code == 401
    assert obtain(otp=codes[0]).status_code == 200
