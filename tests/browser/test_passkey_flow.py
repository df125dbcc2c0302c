"""Passkeys in a real browser, with Chromium's virtual authenticator (DevTools protocol): a staff
member and a client each add a passkey on their security page, sign out, sign in with the passkey
alone, then give it as the second factor after their password. A cancelled request is told in
plain words."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from portal_core.models import AuditEvent, Passkey

from .conftest import ARTIFACTS
from .test_client_access_flow import CLIENT_PASSWORD, client_sign_in, contact, in_office, portal_on

pytestmark = pytest.mark.browser

SHOTS = ARTIFACTS  # test-results/, which git ignores
PHONE_SIZE = {"width": 390, "height": 844}


def virtual_authenticator(page: Page):
    """A platform authenticator that holds discoverable credentials and verifies its user."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    made = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    return cdp, made["authenticatorId"]


def sign_out(page: Page) -> None:
    with page.expect_navigation():
        page.locator("form[action$='logout/'], form[action$='/auth/logout']").first.evaluate(
            "form => form.requestSubmit()"
        )


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SHOTS / name, full_page=True)


def test_a_staff_member_adds_a_passkey_signs_in_with_it_and_gives_it_as_the_second_factor(
    page, make_office, site
):
    office = make_office("alpha")
    base = site.office(office.slug)
    cdp, authenticator = virtual_authenticator(page)
    page.goto(f"{base}/office/login/")
    page.get_by_label("Email").fill(office.owner_email)
    page.get_by_label("Password").fill(office.owner_password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url(f"{base}/office/")

    page.goto(f"{base}/office/security/")
    page.get_by_role("button", name="Add a passkey").click()
    expect(page.locator("[data-passkeys] [data-passkey-error]")).to_have_text(
        "Give the passkey a name first."
    )
    page.get_by_label("Name of the new passkey").fill("Work laptop")
    page.get_by_role("button", name="Add a passkey").click()
    expect(page.locator("[data-passkey-list] li")).to_contain_text("Work laptop")
    expect(page.locator("[data-passkey-list] li")).to_contain_text("not used yet")
    credentials = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})["credentials"]
    assert len(credentials) == 1 and credentials[0]["isResidentCredential"]
    assert credentials[0]["rpId"] == f"{office.slug}.portico.localhost"
    shot(page, "office-passkeys-desktop.png")

    # signed out, back in with the passkey alone
    sign_out(page)
    page.wait_for_url(f"{base}/office/login/")
    page.set_viewport_size(PHONE_SIZE)
    shot(page, "office-login-passkey-phone.png")
    page.get_by_role("button", name="Sign in with a passkey").click()
    page.wait_for_url(f"{base}/office/")
    page.set_viewport_size({"width": 1280, "height": 800})

    # a cancelled request is said plainly, and nothing happens
    sign_out(page)
    cdp.send("WebAuthn.setUserVerified", {"authenticatorId": authenticator, "isUserVerified": False})
    page.get_by_role("button", name="Sign in with a passkey").click()
    expect(page.get_by_role("alert")).to_contain_text("cancelled or timed out")
    expect(page).to_have_url(f"{base}/office/login/")
    cdp.send("WebAuthn.setUserVerified", {"authenticatorId": authenticator, "isUserVerified": True})

    # the password, then the passkey as the second factor
    page.get_by_label("Email").fill(office.owner_email)
    page.get_by_label("Password").fill(office.owner_password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url(f"{base}/office/two-factor/")
    expect(page.get_by_label("Code")).to_have_count(0)
    shot(page, "office-two-factor-passkey-desktop.png")
    page.get_by_role("button", name="Use a passkey").click()
    page.wait_for_url(f"{base}/office/")

    page.goto(f"{base}/office/security/")
    expect(page.locator("[data-passkey-list] li")).to_contain_text("last used")
    kinds = in_office(office, lambda: list(AuditEvent.objects.values_list("kind", flat=True)))
    assert "passkey_added" in kinds and kinds.count("sign_in") >= 3


def test_a_client_adds_a_passkey_signs_in_with_it_and_gives_it_as_the_second_factor(
    phone_page, make_office, site
):
    page = phone_page
    office = make_office("alpha")
    portal_on(office)
    contact(office, "Maria", "maria@example.com", password=CLIENT_PASSWORD)
    base = site.office(office.slug)
    cdp, authenticator = virtual_authenticator(page)
    client_sign_in(page, site, office, "maria@example.com", CLIENT_PASSWORD)
    page.wait_for_url(f"{base}/")

    page.goto(f"{base}/profile/security")
    page.get_by_label("Name of the new passkey").fill("Maria’s phone")
    page.get_by_role("button", name="Add a passkey").click()
    expect(page.locator("[data-passkey-list] li")).to_contain_text("Maria’s phone")
    shot(page, "client-passkeys-phone.png")
    holder = in_office(office, lambda: Passkey.objects.get().holder_kind)
    assert holder == "client"

    sign_out(page)
    page.goto(f"{base}/auth/signin")
    shot(page, "client-signin-passkey-phone.png")
    page.get_by_role("button", name="Sign in with a passkey").click()
    page.wait_for_url(f"{base}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Maria")

    sign_out(page)
    client_sign_in(page, site, office, "maria@example.com", CLIENT_PASSWORD)
    page.wait_for_url(f"{base}/auth/two-factor")
    shot(page, "client-two-factor-passkey-phone.png")
    page.get_by_role("button", name="Use a passkey").click()
    page.wait_for_url(f"{base}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Maria")

    # the page a desktop shows, with the passkey's last use
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{base}/profile/security")
    expect(page.locator("[data-passkey-list] li")).to_contain_text("last used")
    shot(page, "client-passkeys-desktop.png")
    assert cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})["credentials"]
