"""Two-factor sign-in in a real browser: a staff member and a client each set up an authenticator
app from the QR page, sign in with a code, use a recovery code, and a client of an office that
requires it is asked to set it up at the next sign-in; the sessions on another device end with
"sign out everywhere"."""

from __future__ import annotations

import pyotp
import pytest
from playwright.sync_api import Page, expect

from portal_core.models import PortalConfig, SecondFactor

from .test_client_access_flow import (
    CLIENT_PASSWORD,
    client_sign_in,
    contact,
    in_office,
    portal_on,
    staff_sign_in,
)

pytestmark = pytest.mark.browser


def set_up_app(page: Page, url: str) -> tuple[str, list[str]]:
    page.goto(url)
    page.get_by_role("button", name="Set up an authenticator app").click()
    expect(page.locator("[data-qr] svg")).to_be_visible()
    secret = page.locator("[data-totp-secret]").inner_text().replace(" ", "")
    page.get_by_label("Code from the app").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Turn on").click()
    codes = page.locator("[data-recovery-codes] code").all_inner_texts()
    assert len(codes) == 10
    return secret, codes


def fresh_code(office, secret: str, kind: str) -> str:
    """The code for the step after the last one used (the app would show it 30 seconds later)."""

    def last_step():
        return SecondFactor.objects.get(holder_kind=kind).last_step

    totp = pyotp.TOTP(secret)
    return totp.at((in_office(office, last_step) + 1) * totp.interval)


def test_a_staff_member_sets_up_an_app_signs_in_with_it_and_with_a_recovery_code(
    page, phone_page, make_office, site, artifacts
):
    office = make_office("alpha")
    staff_sign_in(page, site, office)
    page.locator("[data-user-menu] summary").click()
    page.get_by_role("link", name="Sign-in and security").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign-in and security")
    page.get_by_role("button", name="Set up an authenticator app").click()
    page.screenshot(path=artifacts / "office-two-factor-setup-desktop.png", full_page=True)
    secret = page.locator("[data-totp-secret]").inner_text().replace(" ", "")
    page.get_by_label("Code from the app").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Turn on").click()
    codes = page.locator("[data-recovery-codes] code").all_inner_texts()
    assert len(codes) == 10

    base = site.office(office.slug)
    phone_page.goto(f"{base}/office/login/")
    phone_page.get_by_label("Email").fill(office.owner_email)
    phone_page.get_by_label("Password").fill(office.owner_password)
    phone_page.get_by_role("button", name="Sign in", exact=True).click()
    phone_page.wait_for_url(f"{base}/office/two-factor/")
    phone_page.screenshot(path=artifacts / "office-two-factor-challenge-phone.png", full_page=True)
    phone_page.get_by_label("Code").fill(fresh_code(office, secret, "staff"))
    phone_page.get_by_role("button", name="Sign in", exact=True).click()
    phone_page.wait_for_url(f"{base}/office/")

    # another device, with a recovery code
    page.context.clear_cookies()
    page.goto(f"{base}/office/login/")
    page.get_by_label("Email").fill(office.owner_email)
    page.get_by_label("Password").fill(office.owner_password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url(f"{base}/office/two-factor/")
    page.get_by_label("Code").fill(codes[0])
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url(f"{base}/office/")

    # the phone ends the desktop's session
    phone_page.goto(f"{base}/office/profile/")
    phone_page.get_by_role("button", name="Sign out on every other device").click()
    page.goto(f"{base}/office/")
    expect(page).to_have_url(f"{base}/office/login/?next=/office/")


def test_a_client_sets_up_an_app_signs_in_with_it_and_a_recovery_code(
    page, phone_page, make_office, site, artifacts
):
    office = make_office("alpha")
    portal_on(office)
    contact(office, "Maria", "maria@example.com", password=CLIENT_PASSWORD)
    base = site.office(office.slug)
    client_sign_in(phone_page, site, office, "maria@example.com", CLIENT_PASSWORD)
    phone_page.wait_for_url(f"{base}/")
    phone_page.goto(f"{base}/profile/")
    phone_page.get_by_role("link", name="Sign-in and security").click()
    phone_page.get_by_role("button", name="Set up an authenticator app").click()
    phone_page.screenshot(path=artifacts / "client-two-factor-setup-phone.png", full_page=True)
    secret = phone_page.locator("[data-totp-secret]").inner_text().replace(" ", "")
    phone_page.get_by_label("Code from the app").fill(pyotp.TOTP(secret).now())
    phone_page.get_by_role("button", name="Turn on").click()
    codes = phone_page.locator("[data-recovery-codes] code").all_inner_texts()
    assert len(codes) == 10
    phone_page.screenshot(path=artifacts / "client-two-factor-codes-phone.png", full_page=True)

    client_sign_in(page, site, office, "maria@example.com", CLIENT_PASSWORD)
    page.wait_for_url(f"{base}/auth/two-factor")
    page.screenshot(path=artifacts / "client-two-factor-challenge-desktop.png", full_page=True)
    page.get_by_label("Code", exact=True).fill(fresh_code(office, secret, "client"))
    page.get_by_label("Remember this device for 30 days").check()
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url(f"{base}/")

    page.context.clear_cookies()
    client_sign_in(page, site, office, "maria@example.com", CLIENT_PASSWORD)
    page.wait_for_url(f"{base}/auth/two-factor")
    page.get_by_label("Code", exact=True).fill(codes[1])
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url(f"{base}/")

    # the phone signs the desktop out
    phone_page.goto(f"{base}/profile/")
    phone_page.get_by_role("button", name="Sign out on every other device").click()
    page.goto(f"{base}/profile/")
    expect(page).to_have_url(f"{base}/auth/signin?next=/profile/")


def test_a_client_is_asked_to_set_up_two_factor_when_the_office_requires_it(
    page, make_office, site, artifacts
):
    office = make_office("alpha")
    portal_on(office)
    contact(office, "Maria", "maria@example.com", password=CLIENT_PASSWORD)

    def require():
        config = PortalConfig.objects.get()
        config.client_two_factor = PortalConfig.ClientTwoFactor.REQUIRE
        config.save()

    in_office(office, require)
    base = site.office(office.slug)
    client_sign_in(page, site, office, "maria@example.com", CLIENT_PASSWORD)
    page.wait_for_url(f"{base}/profile/security")
    expect(page.get_by_role("status").filter(has_text="asks every client")).to_be_visible()
    page.screenshot(path=artifacts / "client-two-factor-required-desktop.png", full_page=True)
    set_up_app(page, f"{base}/profile/security")
    page.goto(f"{base}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Maria")
