"""An operator in a real browser: the first sign-in to the console sets up an authenticator app
from the QR code before any console page opens; a later sign-in on a phone asks for a code."""

from __future__ import annotations

from datetime import UTC, datetime

import pyotp
import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from playwright.sync_api import expect

from tenants.models import OperatorSecondFactor

pytestmark = pytest.mark.browser

PASSWORD = "Operator-pass-2026!"


def sign_in(page, site) -> None:
    page.goto(f"{site.platform}/admin/")
    page.get_by_label("Username").fill("ops")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


@pytest.mark.django_db(transaction=True)
def test_an_operator_sets_up_the_app_then_signs_in_with_a_code_on_a_phone(page, phone_page, site, artifacts):
    connection.set_schema_to_public()
    get_user_model().objects.create_superuser("ops", "ops@portico.localhost", PASSWORD)

    sign_in(page, site)
    expect(page.get_by_role("heading", level=1)).to_contain_text("two-factor")
    expect(page.locator(".portico-qr svg")).to_be_visible()
    page.screenshot(path=artifacts / "operator-two-factor-setup-desktop.png", full_page=True)
    secret = page.locator("code").first.inner_text().replace(" ", "")
    page.get_by_label("Code").fill("000000")
    page.get_by_role("button", name="Turn on").click()
    expect(page.get_by_role("alert")).to_contain_text("That code is not right")
    page.get_by_label("Code").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Turn on").click()
    codes = page.locator(".portico-codes code").all_inner_texts()
    assert len(set(codes)) == 10
    page.get_by_role("link", name="I have saved them, continue").click()
    expect(page.get_by_role("link", name="Tenants").first).to_be_visible()

    sign_in(phone_page, site)
    expect(phone_page.get_by_text("Enter the six-digit code")).to_be_visible()
    phone_page.screenshot(path=artifacts / "operator-two-factor-challenge-phone.png", full_page=True)
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= phone_page.viewport_size["width"], "the code page scrolls sideways on a phone"
    # the app's next code (the one used to set up cannot be used twice)
    step = OperatorSecondFactor.objects.get().last_step + 1
    totp = pyotp.TOTP(secret)
    code = totp.at(datetime.fromtimestamp(step * totp.interval, tz=UTC))
    phone_page.get_by_label("Code").fill(code)
    phone_page.get_by_role("button", name="Sign in").click()
    expect(phone_page.get_by_role("link", name="Tenants").first).to_be_visible()
