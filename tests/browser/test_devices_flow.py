"""Where you are signed in, in a real browser: a client signed in on a laptop and a phone sees both
on the laptop, signs the phone out through the confirmation modal, and the phone is back at the
sign-in page; a staff member does the same from the office."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .test_client_access_flow import CLIENT_PASSWORD, client_sign_in, contact, portal_on, staff_sign_in

pytestmark = pytest.mark.browser


def test_a_client_signs_out_their_phone_from_the_laptop(page, phone_page, make_office, site, artifacts):
    office = make_office("alpha")
    portal_on(office)
    contact(office, "Kim", "kim@example.com", password=CLIENT_PASSWORD)
    base = site.office(office.slug)
    client_sign_in(phone_page, site, office, "kim@example.com", CLIENT_PASSWORD)
    phone_page.wait_for_url(f"{base}/")
    client_sign_in(page, site, office, "kim@example.com", CLIENT_PASSWORD)
    page.wait_for_url(f"{base}/")

    page.goto(f"{base}/profile/security")
    devices = page.locator("[data-device]")
    expect(devices).to_have_count(2)
    expect(devices.first).to_contain_text("This device")
    phone_page.goto(f"{base}/profile/security")
    expect(phone_page.locator("[data-devices]")).to_be_visible()
    phone_page.screenshot(path=artifacts / "client-devices-phone.png", full_page=True)
    page.screenshot(path=artifacts / "client-devices-desktop.png", full_page=True)

    devices.nth(1).get_by_role("button", name="Sign out").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("Sign out on this device?")
    dialog.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("That device is signed out.")).to_be_visible()
    expect(page.locator("[data-device]")).to_have_count(1)

    phone_page.goto(f"{base}/")
    expect(phone_page).to_have_url(f"{base}/auth/signin?next=/")


def test_a_staff_member_signs_out_another_browser(page, phone_page, make_office, site, artifacts):
    office = make_office("alpha")
    base = site.office(office.slug)
    staff_sign_in(phone_page, site, office)
    staff_sign_in(page, site, office, "/office/security/")
    devices = page.locator("[data-device]")
    expect(devices).to_have_count(2)
    page.screenshot(path=artifacts / "office-devices-desktop.png", full_page=True)
    devices.nth(1).get_by_role("button", name="Sign out").click()
    page.get_by_role("dialog").get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("That device is signed out.")).to_be_visible()
    phone_page.goto(f"{base}/office/")
    expect(phone_page.get_by_label("Password")).to_be_visible()
