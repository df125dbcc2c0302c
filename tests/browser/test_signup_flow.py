"""Offices sign up through the real UI, land in their office and work through the set-up checklist."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.core import mail
from playwright.sync_api import Page, expect

from .conftest import PHONE

pytestmark = pytest.mark.browser

CODE = re.compile(r"(?<!\d)(\d{6})(?!\d)")
CHECKLIST = ["portal_on", "api_key", "company_name", "email", "first_content"]
OFFICE_PAGES = ["/office/", "/office/settings/", "/office/email/", "/office/api-keys/", "/office/modules/"]


@dataclass(frozen=True)
class Owner:
    office_name: str
    slug: str
    name: str
    email: str
    password: str = "Harbour-view-2026!"


ALPHA = Owner("Alpha Realty", "alpha", "Anna Alpha", "anna@alpha-realty.example")
BRAVO = Owner("Bravo Studio", "bravo", "Bram Bravo", "bram@bravo-studio.example")


# --- steps a person takes --------------------------------------------------------------------------


def fill_signup(
    page: Page, site, owner: Owner, *, subdomain: str | None = None, time_zone: str | None = None
) -> None:
    page.goto(f"{site.platform}/signup/")
    if time_zone:
        page.get_by_label("Time zone").select_option(time_zone)
    page.get_by_label("Office name").fill(owner.office_name)
    page.get_by_label("Subdomain").fill(owner.slug if subdomain is None else subdomain)
    page.get_by_label("Your name").fill(owner.name)
    page.get_by_label("Work email").fill(owner.email)
    page.get_by_label("Password", exact=True).fill(owner.password)
    page.get_by_role("button", name="Continue").click()


def emailed_code(email: str) -> str:
    """The code from the newest verification email to ``email`` (its subject carries the code)."""
    sent = [m for m in mail.outbox if email.lower() in (to.lower() for to in m.to)]
    assert sent, f"no email was sent to {email}; outbox: {[m.to for m in mail.outbox]}"
    match = CODE.search(sent[-1].subject) or CODE.search(sent[-1].body)
    assert match, f"no 6-digit code in {sent[-1].subject!r}"
    return match.group(1)


def start_signup(page: Page, site, owner: Owner, **choices) -> str:
    """Fill the sign-up form and arrive on the verification page; returns the emailed code."""
    fill_signup(page, site, owner, **choices)
    page.wait_for_url(re.compile(r"/signup/verify/[0-9a-f-]{36}/$"))
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    return emailed_code(owner.email)


def enter_code(page: Page, code: str) -> None:
    page.get_by_label("Verification code").fill(code)
    page.get_by_role("button", name="Confirm and open my office").click()


def sign_up(page: Page, site, owner: Owner, **choices) -> None:
    """The whole self-service sign-up; ends signed in on the office home."""
    enter_code(page, start_signup(page, site, owner, **choices))
    page.wait_for_url(f"{site.office(owner.slug)}/office/")
    expect(page.locator("#setup-checklist")).to_be_visible()


def checklist(page: Page) -> dict[str, bool]:
    items = page.locator("#setup-checklist li[data-item]")
    expect(items).to_have_count(len(CHECKLIST))
    return {li.get_attribute("data-item"): li.get_attribute("data-done") == "true" for li in items.all()}


def open_office(page: Page, site, owner: Owner, path: str = "/office/") -> None:
    page.goto(f"{site.office(owner.slug)}{path}")
    page.wait_for_url(f"{site.office(owner.slug)}{path}")


def switch_portal_on(page: Page, site, owner: Owner) -> None:
    open_office(page, site, owner, "/office/settings/")
    page.get_by_label("Portal switched on").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status").filter(has_text="Portal settings saved.")).to_be_visible()
    expect(page.get_by_label("Portal switched on")).to_be_checked()


def configure_email(page: Page, site, owner: Owner) -> None:
    open_office(page, site, owner, "/office/email/")
    page.get_by_label("Sender name").fill(f"{owner.office_name} team")
    page.get_by_label("Reply-to address").fill(owner.email)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status").filter(has_text="Email settings saved.")).to_be_visible()


def create_api_key(page: Page, site, owner: Owner) -> str:
    """Create a key; returns the full secret, shown once in ``#new-key``."""
    open_office(page, site, owner, "/office/api-keys/")
    page.get_by_label("Name", exact=True).fill("Website widget")
    page.get_by_role("button", name="Create key").click()
    secret = page.locator("#new-key").inner_text().strip()
    assert re.fullmatch(r"pk_[\w-]{8}\.[\w-]{20,}", secret), secret
    expect(page.locator("table")).to_contain_text(secret.split(".")[0])
    return secret


def assert_progress(page: Page, done: int) -> None:
    expect(page.locator("#setup-checklist")).to_contain_text(f"{done} of {len(CHECKLIST)} done")
    expect(page.get_by_role("progressbar")).to_have_attribute("value", str(done))


def assert_no_horizontal_scroll(page: Page) -> None:
    scroll, client = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert scroll <= client + 1, f"{page.url} scrolls sideways: scrollWidth {scroll} > clientWidth {client}"


# --- tests -----------------------------------------------------------------------------------------


def test_it_signs_up_two_offices_and_makes_checklist_items_live(page, phone_page, site, artifacts):
    sign_up(page, site, ALPHA)
    sign_up(phone_page, site, BRAVO)

    for window, owner in ((page, ALPHA), (phone_page, BRAVO)):
        expect(window.get_by_role("status").filter(has_text="Your office is ready")).to_be_visible()
        expect(window.locator(".brand")).to_contain_text(owner.office_name)
        state = checklist(window)
        assert list(state) == CHECKLIST
        assert state["company_name"] is True
        assert not any(state[key] for key in ("portal_on", "api_key", "email"))
        assert_progress(window, 1)

    switch_portal_on(page, site, ALPHA)
    configure_email(page, site, ALPHA)
    create_api_key(page, site, ALPHA)

    open_office(page, site, ALPHA)
    state = checklist(page)
    for key in ("portal_on", "api_key", "company_name", "email"):
        expect(page.locator(f'#setup-checklist li[data-item="{key}"]')).to_have_attribute("data-done", "true")
    assert state == {**dict.fromkeys(CHECKLIST, True), "first_content": False}
    assert_progress(page, 4)
    page.screenshot(path=artifacts / "office-home-desktop.png", full_page=True)

    # Bravo's office did none of this.
    phone_page.reload()
    assert checklist(phone_page) == {**dict.fromkeys(CHECKLIST, False), "company_name": True}


def test_it_keeps_offices_apart_in_the_browser(page, phone_page, site):
    sign_up(page, site, ALPHA)
    sign_up(phone_page, site, BRAVO)
    switch_portal_on(page, site, ALPHA)
    prefix = create_api_key(page, site, ALPHA).split(".")[0]

    # Alpha's signed-in browser is a stranger on Bravo's host: it gets Bravo's sign-in page.
    for path in ("/office/", "/office/api-keys/"):
        page.goto(f"{site.office(BRAVO.slug)}{path}")
        expect(page).to_have_url(f"{site.office(BRAVO.slug)}/office/login/?next={path}")
        expect(page.get_by_role("heading", name="Sign in to your office")).to_be_visible()
        expect(page.locator("#setup-checklist")).to_have_count(0)
        expect(page.locator("body")).not_to_contain_text(ALPHA.office_name)
        assert prefix not in page.content()

    # Alpha's owner does not exist in Bravo's office.
    page.get_by_label("Email").fill(ALPHA.email)
    page.get_by_label("Password").fill(ALPHA.password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("did not match")

    # ...and is still signed in to Alpha.
    open_office(page, site, ALPHA)
    assert checklist(page)["portal_on"] is True

    # Bravo's owner sees nothing of Alpha's on any office page.
    for path in OFFICE_PAGES:
        open_office(phone_page, site, BRAVO, path)
        html = phone_page.content()
        assert prefix not in html, f"Alpha's key prefix {prefix} shows on Bravo's {path}"
        assert ALPHA.office_name not in html and ALPHA.email not in html, path
    open_office(phone_page, site, BRAVO, "/office/api-keys/")
    expect(phone_page.locator("table")).to_contain_text("No keys yet.")

    open_office(phone_page, site, BRAVO)
    bravo = checklist(phone_page)
    assert bravo["portal_on"] is False and bravo["api_key"] is False
    assert_progress(phone_page, 1)


def test_it_explains_bad_input_on_the_signup_pages(page, site):
    field_errors = page.locator(".field:has(#id_subdomain) .errorlist")

    fill_signup(page, site, ALPHA, subdomain="admin")
    expect(field_errors).to_contain_text("“admin” is reserved. Please choose another subdomain.")
    expect(page.get_by_label("Office name")).to_have_value(ALPHA.office_name)

    fill_signup(page, site, ALPHA, subdomain="Bad_Name!")
    expect(page).to_have_url(f"{site.platform}/signup/")
    expect(field_errors).to_be_visible()
    expect(field_errors).to_contain_text("lower-case letters, digits and hyphens")
    assert mail.outbox == [], "no email may be sent for a rejected form"

    code = start_signup(page, site, ALPHA)
    code_error = page.locator(".field:has(#id_code) .errorlist")
    for attempt in (1, 2):  # every wrong code counts
        enter_code(page, f"{(int(code) + attempt) % 1_000_000:06d}")
        left = settings.PORTICO_SIGNUP_MAX_ATTEMPTS - attempt
        expect(code_error).to_have_text(f"That code is not right. {left} attempts left.")
        expect(page).to_have_url(re.compile(r"/signup/verify/[0-9a-f-]{36}/$"))

    # The right code still works after wrong ones.
    enter_code(page, code)
    page.wait_for_url(f"{site.office(ALPHA.slug)}/office/")


def test_it_fits_the_office_home_on_a_phone(phone_page, site, artifacts):
    sign_up(phone_page, site, BRAVO)

    assert_no_horizontal_scroll(phone_page)
    phone_page.screenshot(path=artifacts / "office-home-phone.png", full_page=True)

    nav = phone_page.locator("#office-nav")
    toggle = phone_page.get_by_role("button", name="Menu")
    expect(nav).to_be_hidden()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    toggle.tap()
    expect(nav).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(nav.get_by_role("link", name="API keys")).to_be_visible()
    assert_no_horizontal_scroll(phone_page)
    phone_page.screenshot(path=artifacts / "office-home-phone-menu.png", full_page=True)

    nav.get_by_role("link", name="API keys").tap()
    phone_page.wait_for_url(f"{site.office(BRAVO.slug)}/office/api-keys/")
    expect(nav).to_be_hidden()
    for path in OFFICE_PAGES:
        open_office(phone_page, site, BRAVO, path)
        assert_no_horizontal_scroll(phone_page)


def test_the_sign_up_takes_the_time_zone_from_the_browser(browser, site, artifacts):
    context = browser.new_context(**PHONE, timezone_id="Asia/Singapore")
    try:
        page = context.new_page()
        page.goto(f"{site.platform}/signup/")
        zone = page.get_by_label("Time zone")
        expect(zone).to_have_value("Asia/Singapore")  # guessed from the browser, still changeable
        assert zone.evaluate("el => el.getBoundingClientRect().right") <= 390
        page.screenshot(path=artifacts / "signup-time-zone-phone.png", full_page=True)
        sign_up(page, site, ALPHA, time_zone="Europe/Lisbon")  # the office is elsewhere than its owner
        open_office(page, site, ALPHA, "/office/settings/")
        expect(page.get_by_label("Time zone")).to_have_value("Europe/Lisbon")
    finally:
        context.close()
