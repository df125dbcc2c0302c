"""Operators give a code from an authenticator app after their password: set up at the first
sign-in, asked at every sign-in after, a recovery code once each, limited like every way in, and
reset by another operator."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pyotp
import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.utils import timezone

from tenants.models import OperatorSecondFactor

from ..conftest import PLATFORM_HOST

PASSWORD = "Operator-pass-2026!"


@pytest.fixture
def operator(db):
    connection.set_schema_to_public()
    return get_user_model().objects.create_superuser("ops", "ops@portico.localhost", PASSWORD)


def _sign_in(username="ops") -> tuple[Client, str]:
    browser = Client(HTTP_HOST=PLATFORM_HOST)
    response = browser.post(
        "/admin/login/?next=/admin/tenants/tenant/",
        {"username": username, "password": PASSWORD, "next": "/admin/tenants/tenant/"},
    )
    return browser, response["Location"]


def _secret(page: str) -> str:
    return re.search(r"Key: <code>([A-Z2-7 ]+)</code>", page).group(1).replace(" ", "")


def _set_up(browser: Client) -> tuple[str, list[str]]:
    page = browser.get("/admin/two-factor/").content.decode()
    secret = _secret(page)
    done = browser.post("/admin/two-factor/", {"action": "confirm", "code": pyotp.TOTP(secret).now()})
    codes = re.findall(r"<code>([0-9a-f]{5}-[0-9a-f]{5})</code>", done.content.decode())
    return secret, codes


def test_the_first_sign_in_sets_up_the_app_before_any_console_page(operator):
    browser, location = _sign_in()
    assert location.startswith("/admin/two-factor/") and "next=" in location
    # the password alone opens nothing
    assert browser.get("/admin/").status_code == 302
    assert browser.get("/admin/tenants/tenant/")["Location"].startswith("/admin/login/")
    assert browser.get("/admin/login/")["Location"].startswith("/admin/two-factor/")

    page = browser.get(location).content.decode()
    assert "Set up two-factor sign-in" in page and "<svg" in page
    wrong = browser.post(location, {"action": "confirm", "code": "000000"})
    assert wrong.status_code == 400 and "That code is not right" in wrong.content.decode()
    assert browser.get("/admin/").status_code == 302

    secret = _secret(page)
    done = browser.post(location, {"action": "confirm", "code": pyotp.TOTP(secret).now()})
    codes = re.findall(r"<code>([0-9a-f]{5}-[0-9a-f]{5})</code>", done.content.decode())
    assert len(set(codes)) == 10
    assert 'href="/admin/tenants/tenant/"' in done.content.decode()
    assert browser.get("/admin/tenants/tenant/").status_code == 200
    factor = OperatorSecondFactor.objects.get(user=operator)
    assert factor.confirmed_at is not None and secret not in factor.totp_secret  # encrypted at rest
    assert all(code not in factor.recovery_codes for code in codes)  # kept as hashes


def test_every_later_sign_in_asks_for_a_code_that_works_once(operator, monkeypatch):
    # the app's clock is held inside one 30-second step, so set-up and replay share a code
    step = int(timezone.now().timestamp()) // 30 * 30 + 10
    clock = {"now": step}
    monkeypatch.setattr("tenants.totp.timezone.now", lambda: datetime.fromtimestamp(clock["now"], tz=UTC))
    browser, _ = _sign_in()
    page = browser.get("/admin/two-factor/").content.decode()
    secret = _secret(page)
    used = pyotp.TOTP(secret).at(step)
    assert browser.post("/admin/two-factor/", {"action": "confirm", "code": used}).status_code == 200

    again, location = _sign_in()
    page = again.get(location).content.decode()
    assert "Enter the six-digit code" in page and "Key:" not in page  # the secret is not shown again
    assert again.get("/admin/").status_code == 302
    # the code already used to set up (same time step) does not work twice
    replay = again.post(location, {"action": "verify", "code": used})
    assert replay.status_code == 400 and again.get("/admin/").status_code == 302
    clock["now"] = step + 30
    ok = again.post(location, {"action": "verify", "code": pyotp.TOTP(secret).at(step + 30)})
    assert ok.status_code == 302 and ok["Location"] == "/admin/tenants/tenant/"
    assert again.get("/admin/").status_code == 200


def test_a_recovery_code_signs_in_once(operator):
    browser, _ = _sign_in()
    _, codes = _set_up(browser)
    first, location = _sign_in()
    assert first.post(location, {"action": "verify", "code": codes[0].upper()}).status_code == 302
    assert first.get("/admin/").status_code == 200
    assert len(OperatorSecondFactor.objects.get(user=operator).recovery_codes) == 9
    second, location = _sign_in()
    assert second.post(location, {"action": "verify", "code": codes[0]}).status_code == 400
    assert second.get("/admin/").status_code == 302


def test_guessing_codes_is_limited(operator):
    browser, _ = _sign_in()
    _set_up(browser)
    guesser, location = _sign_in()
    statuses = []
    while len(statuses) < 15 and 429 not in statuses:
        guess = f"{len(statuses):06d}"
        statuses.append(guesser.post(location, {"action": "verify", "code": guess}).status_code)
    # ten tries on the account in the window (setting up counted one), then 429
    assert statuses == [400] * 9 + [429]
    limited = guesser.post(location, {"action": "verify", "code": "123456"})
    assert int(limited["Retry-After"]) > 0


def test_cancel_signs_out_and_an_anonymous_visitor_is_sent_to_the_login(operator):
    anonymous = Client(HTTP_HOST=PLATFORM_HOST)
    assert anonymous.get("/admin/two-factor/")["Location"] == "/admin/login/"
    browser, location = _sign_in()
    assert browser.post(location, {"action": "cancel"})["Location"] == "/admin/login/"
    assert browser.get("/admin/two-factor/")["Location"] == "/admin/login/"


def test_the_next_address_never_leaves_the_console(operator):
    browser = Client(HTTP_HOST=PLATFORM_HOST)
    browser.post("/admin/login/", {"username": "ops", "password": PASSWORD})
    page = browser.get("/admin/two-factor/?next=https://evil.example/").content.decode()
    done = browser.post(
        "/admin/two-factor/?next=https://evil.example/",
        {"action": "confirm", "code": pyotp.TOTP(_secret(page)).now(), "next": "https://evil.example/"},
    )
    assert "evil.example" not in re.search(r'class="button" href="([^"]*)"', done.content.decode()).group(1)


def test_another_operator_resets_a_lost_app(operator, operator_client):
    browser, _ = _sign_in()
    _set_up(browser)
    factor = OperatorSecondFactor.objects.get(user=operator)
    listed = operator_client.get("/admin/tenants/operatorsecondfactor/").content.decode()
    assert "ops" in listed and "10" in listed
    operator_client.post(f"/admin/tenants/operatorsecondfactor/{factor.pk}/delete/", {"post": "yes"})
    assert not OperatorSecondFactor.objects.filter(user=operator).exists()
    again, location = _sign_in()
    assert "Set up two-factor sign-in" in again.get(location).content.decode()
