"""Clients get into an office's portal through the real UI: invitations, magic links, access links,
self-registration, shared emails, password resets, Dutch, the office's preview and the on/off switch."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.hashers import make_password
from django.core import mail
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context
from playwright.sync_api import Page, expect

from portal_core.access import portal_account_for
from portal_core.models import Contact, PortalAccount, PortalConfig

from ..conftest import OWNER_PASSWORD

pytestmark = pytest.mark.browser

NEW_PASSWORD = "harbour-Light-2026!"  # typed in three parts by choose_password()
CLIENT_PASSWORD = "Client-pass-2026!"
CODE = re.compile(r"(?<!\d)(\d{6})(?!\d)")


# --- data an office already has (made with the services; people act in the browser) --------------


def in_office(office, func):
    with schema_context(office.schema_name):
        result = func()
    connection.set_schema_to_public()
    return result


def portal_on(office) -> None:
    def switch_on():
        config = PortalConfig.objects.get()
        config.is_active = True
        config.save()  # through save(): the cached configuration is dropped

    in_office(office, switch_on)


def contact(
    office,
    first_name: str,
    email: str,
    *,
    language: str = "en",
    password: str | None = None,
    onboarded: bool = True,
) -> Contact:
    """A contact added by the office; with ``password``, one that already joined the portal."""

    def make():
        person = Contact.objects.create(
            first_name=first_name, last_name="Test", email=email, language=language
        )
        if password:
            account = portal_account_for(contact=person)
            account.password = make_password(password)
            account.status = PortalAccount.Status.JOINED
            account.invited_at = account.joined_at = timezone.now()
            account.onboarding_completed = account.tour_completed = onboarded
            account.save()
        return person

    return in_office(office, make)


# --- what people do ------------------------------------------------------------------------------


def staff_sign_in(page: Page, site, office, path: str = "/office/") -> None:
    base = site.office(office.slug)
    page.goto(f"{base}/office/login/?next={path}")
    page.get_by_label("Email").fill(office.owner_email)
    page.get_by_label("Password").fill(OWNER_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url(f"{base}{path}")


def open_contact(page: Page, site, office, person: Contact) -> None:
    url = f"{site.office(office.slug)}/office/contacts/{person.pk}/"
    page.goto(url)
    expect(page.get_by_role("heading", level=1)).to_have_text(person.full_name)


def client_sign_in(page: Page, site, office, email: str, password: str) -> None:
    page.goto(f"{site.office(office.slug)}/auth/signin")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()


def press_token_button(page: Page, name: str) -> None:
    """Press the button of a page opened from an emailed link (invitation, magic link): it POSTs."""
    with page.expect_response(lambda response: response.request.method == "POST") as posted:
        page.get_by_role("button", name=name).click()
    status, url = posted.value.status, posted.value.url
    assert status != 403, (
        f"POST {url} was refused (403): Chromium sends `Origin: null` from a page served with "
        "`Referrer-Policy: no-referrer`, and Django's CSRF check refuses that origin."
    )


def emails_to(address: str) -> list:
    sent = [m for m in mail.outbox if address.lower() in (to.lower() for to in m.to)]
    assert sent, f"no email was sent to {address}; outbox: {[m.to for m in mail.outbox]}"
    return sent


def link_in(message, path: str) -> str:
    match = re.search(rf"https?://\S+?{re.escape(path)}[\w-]+", message.body)
    assert match, f"no {path} link in {message.subject!r}:\n{message.body}"
    return match.group(0)


def expect_home(page: Page, site, office, first_name: str) -> None:
    page.wait_for_url(f"{site.office(office.slug)}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Hello, {first_name}")


def expect_status(page: Page, text: str) -> None:
    expect(page.get_by_role("status").filter(has_text=text)).to_be_visible()


def assert_no_horizontal_scroll(page: Page) -> None:
    scroll, client = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert scroll <= client + 1, f"{page.url} scrolls sideways: scrollWidth {scroll} > clientWidth {client}"


def choose_password(page: Page) -> None:
    """Type a new password on a page with the live rules; they tick as the client types."""
    field = page.get_by_label("New password")
    rules = page.locator("[data-password-rules] li")
    met = page.locator("[data-password-rules] li.met")
    expect(rules).to_have_count(5)
    expect(met).to_have_count(0)
    field.press_sequentially("harbour")
    expect(met).to_have_count(1)
    expect(page.locator('[data-password-rules] li[data-rule="lower"]')).to_have_class(re.compile(r"\bmet\b"))
    expect(page.locator('[data-password-rules] li[data-rule="upper"]')).not_to_have_class(
        re.compile(r"\bmet\b")
    )
    field.press_sequentially("-Light")
    expect(met).to_have_count(4)  # length, upper, lower, symbol
    field.press_sequentially("-2026!")
    expect(met).to_have_count(5)
    assert field.input_value() == NEW_PASSWORD


# --- 1. invitation -------------------------------------------------------------------------------


def test_it_walks_an_invited_client_from_the_offices_invitation_into_the_portal(
    page, phone_page, make_office, site, artifacts
):
    office = make_office("alpha")
    portal_on(office)
    contact(office, "Maria", "maria@example.com")

    # The owner finds Maria in the contact list and invites her with a personal message.
    staff_sign_in(page, site, office, "/office/contacts/")
    page.get_by_role("link", name="Maria Test").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Maria Test")
    expect(page.locator("#portal-account [data-status]")).to_have_text("Not invited")
    page.get_by_text("Invite to the portal").click()
    expect(page.get_by_label("Email a link to set their own password")).to_be_checked()
    page.get_by_label("Personal message (optional)").fill("See you at the viewing on Friday!")
    page.get_by_role("button", name="Send invitation").click()
    expect_status(page, "Invitation sent to maria@example.com with a link to set their password.")
    expect(page.locator("#portal-account [data-status]")).to_have_text("Invited")

    [invitation] = emails_to("maria@example.com")
    assert "See you at the viewing on Friday!" in invitation.body
    url = link_in(invitation, "/auth/invite/")

    # Maria opens it on her phone and accepts.
    phone_page.goto(url)
    expect(phone_page.get_by_role("heading", level=1)).to_contain_text("You are invited to Alpha Realty")
    press_token_button(phone_page, "Accept the invitation")

    # Step 1: her own password, the rules ticking as she types.
    phone_page.wait_for_url(f"{site.office(office.slug)}/welcome/password")
    expect(phone_page.get_by_role("heading", name="Choose your password")).to_be_visible()
    choose_password(phone_page)
    assert_no_horizontal_scroll(phone_page)
    phone_page.screenshot(path=artifacts / "client-password-phone.png", full_page=True)
    phone_page.get_by_role("button", name="Save and continue").click()

    # Step 2: the welcome slides.
    phone_page.wait_for_url(f"{site.office(office.slug)}/welcome/")
    slide = phone_page.locator("[data-slide]:visible h1")
    expect(slide).to_have_text("Welcome to Alpha Realty")
    phone_page.get_by_role("button", name="Next").click()
    expect(slide).to_have_text("Rate and respond")
    phone_page.get_by_role("button", name="Next").click()
    expect(slide).to_have_text("Work together")
    # The steps are counted once ("Step 2 of 3"); the slides show where they are with dots.
    expect(phone_page.locator("[data-slides-progress] span").nth(2)).to_have_class("is-current")
    expect(phone_page.get_by_text(re.compile(r"^\d / \d$"))).to_have_count(0)
    expect(phone_page.get_by_text("Step 2 of 3")).to_have_count(1)
    expect(phone_page.get_by_role("button", name="Skip")).to_be_hidden()
    phone_page.screenshot(path=artifacts / "client-slides-phone.png", full_page=True)
    phone_page.get_by_role("button", name="Get started").click()  # the last slide's button finishes

    # Step 3: the guided tour of the home page.
    phone_page.wait_for_url(f"{site.office(office.slug)}/?tour=1")
    tour = phone_page.locator("[data-tour-overlay]")
    expect(tour).to_be_visible()
    titles = ["Your portal", "Overview", "Recent activity", "Profile"]
    for number, title in enumerate(titles, start=1):
        expect(tour.locator("[data-tour-title]")).to_have_text(title)
        expect(tour.locator("[data-tour-progress]")).to_have_text(f"Step {number} of {len(titles)}")
        # The card never covers what it points at.
        card = tour.locator(".tour__card").bounding_box()
        target = phone_page.locator(".tour-highlight").bounding_box()
        assert card["y"] >= target["y"] + target["height"] or card["y"] + card["height"] <= target["y"], (
            f"the tour's card {card} covers step {number}'s element {target}"
        )
        if number in (2, len(titles)):
            phone_page.screenshot(path=artifacts / f"client-tour-step{number}-phone.png")
        button = "Finish" if number == len(titles) else "Next"
        tour.get_by_role("button", name=button, exact=True).click()

    expect_home(phone_page, site, office, "Maria")
    expect(phone_page.locator("[data-tour-overlay]")).to_have_count(0)
    expect(phone_page.locator(".feed")).to_contain_text("You joined the portal")
    assert_no_horizontal_scroll(phone_page)
    phone_page.screenshot(path=artifacts / "client-home-phone.png", full_page=True)

    # Back in the office: Maria has joined.
    page.reload()
    expect(page.locator("#portal-account [data-status]")).to_have_text("Joined")
    expect(page.locator("#portal-account")).not_to_contain_text("Joined Not yet")
    page.screenshot(path=artifacts / "office-contact-joined-desktop.png", full_page=True)

    # Maria signs out and back in with the password she chose: no welcome, no tour again.
    phone_page.get_by_role("button", name="Menu").click()
    phone_page.get_by_role("button", name="Sign out").click()
    phone_page.wait_for_url(f"{site.office(office.slug)}/auth/signin")
    client_sign_in(phone_page, site, office, "maria@example.com", NEW_PASSWORD)
    expect_home(phone_page, site, office, "Maria")
    expect(phone_page.locator("[data-tour-overlay]")).to_have_count(0)


# --- 2. magic link -------------------------------------------------------------------------------


def test_it_signs_in_once_with_a_magic_link_on_a_phone_and_refuses_it_again(
    phone_page, make_office, site, artifacts
):
    office = make_office("alpha")
    portal_on(office)
    contact(office, "Noor", "noor@example.com", password=CLIENT_PASSWORD)

    phone_page.goto(f"{site.office(office.slug)}/auth/signin")
    expect(phone_page.get_by_role("heading", name="Sign in", exact=True)).to_be_visible()
    assert_no_horizontal_scroll(phone_page)
    phone_page.screenshot(path=artifacts / "client-signin-phone.png", full_page=True)
    phone_page.get_by_role("link", name="Email me a sign-in link instead").click()
    phone_page.wait_for_url(f"{site.office(office.slug)}/auth/magic")
    phone_page.get_by_label("Email").fill("Noor@Example.com")
    phone_page.get_by_role("button", name="Send the link").click()
    expect_status(phone_page, "If an account uses this email, a sign-in link is on its way.")

    [message] = emails_to("noor@example.com")
    url = link_in(message, "/auth/magic/")

    phone_page.goto(url)
    expect(phone_page.get_by_role("heading", name="Welcome back")).to_be_visible()
    press_token_button(phone_page, "Continue")
    expect_home(phone_page, site, office, "Noor")

    # The profile fits the phone too.
    phone_page.get_by_role("button", name="Menu").click()
    phone_page.get_by_role("link", name="Profile").click()
    phone_page.wait_for_url(f"{site.office(office.slug)}/profile/")
    expect(phone_page.get_by_role("heading", name="Profile", level=1)).to_be_visible()
    assert_no_horizontal_scroll(phone_page)
    phone_page.screenshot(path=artifacts / "client-profile-phone.png", full_page=True)

    # The same link a second time: refused at once, with a way to get a new one.
    phone_page.goto(url)
    expect(phone_page.get_by_role("heading", name="This link cannot be used")).to_be_visible()
    expect(phone_page.get_by_role("link", name="Send me a new link")).to_be_visible()
    expect(phone_page.get_by_role("alert")).to_contain_text("expired or was already used")
    assert_no_horizontal_scroll(phone_page)
    phone_page.screenshot(path=artifacts / "client-link-used-phone.png", full_page=True)


# --- 3. reusable access link ---------------------------------------------------------------------


def test_it_signs_in_again_and_again_with_the_direct_link_the_office_copied(
    page, open_window, make_office, site
):
    office = make_office("alpha")
    portal_on(office)
    piet = contact(office, "Piet", "piet@example.com", password=CLIENT_PASSWORD)
    base = site.office(office.slug)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base)

    staff_sign_in(page, site, office)
    open_contact(page, site, office, piet)
    page.get_by_role("button", name="Copy direct link").click()
    box = page.locator("#direct-link-box")
    expect(box.locator("#direct-link-url")).to_have_text(
        re.compile(rf"^{re.escape(base)}/client-portal/[\w-]+$")
    )
    box.get_by_role("button", name="Copy", exact=True).click()
    expect(box.get_by_role("button", name="Copied")).to_be_visible()
    url = page.evaluate("() => navigator.clipboard.readText()")
    assert url == box.locator("#direct-link-url").inner_text().strip()

    for phone in (False, True):  # each a fresh browser, without cookies
        client = open_window(phone=phone)
        client.goto(url)
        expect_home(client, site, office, "Piet")

    # Asking again gives the same link, and it still works.
    page.reload()
    page.get_by_role("button", name="Copy direct link").click()
    expect(box.locator("#direct-link-url")).to_have_text(url)
    again = open_window()
    again.goto(url)
    expect_home(again, site, office, "Piet")


# --- 4. self-registration ------------------------------------------------------------------------


def register(page: Page, site, office, first_name: str, email: str) -> None:
    """Self-registration through the sign-in page; ends on the home page after the welcome."""
    page.goto(f"{site.office(office.slug)}/auth/signin")
    page.get_by_role("link", name="Create an account").click()
    page.wait_for_url(f"{site.office(office.slug)}/auth/signup")
    page.get_by_label("First name").fill(first_name)
    page.get_by_label("Last name").fill("Newcomer")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").press_sequentially(NEW_PASSWORD)
    expect(page.locator("[data-password-rules] li.met")).to_have_count(5)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"{site.office(office.slug)}/auth/signup/verify")
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    code = CODE.search(emails_to(email)[-1].subject).group(1)
    page.get_by_label("Verification code").fill(code)
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url(f"{site.office(office.slug)}/welcome/")
    page.get_by_role("button", name="Skip").click()
    page.get_by_role("button", name="Skip the tour").click()


def test_it_registers_a_new_lead_and_links_an_existing_contact(page, open_window, make_office, site):
    office = make_office("alpha")
    portal_on(office)
    contact(office, "Kim", "kim@example.com")

    register(page, site, office, "Robin", "robin@example.com")
    expect_home(page, site, office, "Robin")
    expect(page.locator(".feed")).to_contain_text("You created your account")

    kim = open_window()
    register(kim, site, office, "Kimberly", "KIM@example.com")
    expect_home(kim, site, office, "Kim")  # the office's contact, not a new one

    office_window = open_window()
    staff_sign_in(office_window, site, office, "/office/contacts/")
    robin = office_window.locator("tr", has_text="robin@example.com")
    expect(robin.locator('[data-label="Source"]')).to_have_text("Self-registration (lead)")
    expect(robin.locator('[data-label="Portal"]')).to_have_text("Joined")
    kims = office_window.locator("tbody tr", has_text="kim@example.com")
    expect(kims).to_have_count(1)
    expect(kims.locator('[data-label="Source"]')).to_have_text("Added by the office")
    expect(kims.locator('[data-label="Portal"]')).to_have_text("Joined")
    assert in_office(office, lambda: Contact.objects.filter(email__iexact="kim@example.com").count()) == 1

    kims.get_by_role("link").first.click()
    expect(office_window.locator("#activity")).to_contain_text(
        "Registered in the portal (linked to this contact)"
    )


# --- 5. and 6. two contacts on one email ---------------------------------------------------------


def test_it_signs_two_contacts_on_one_email_into_their_own_accounts(open_window, make_office, site):
    office = make_office("alpha")
    portal_on(office)
    contact(office, "Alex", "couple@example.com", password="Alex-pass-2026!")
    contact(office, "Sam", "couple@example.com", password="Sams-pass-2026!")

    alex, sam = open_window(), open_window(phone=True)
    client_sign_in(alex, site, office, "couple@example.com", "Alex-pass-2026!")
    client_sign_in(sam, site, office, "Couple@Example.com", "Sams-pass-2026!")
    expect_home(alex, site, office, "Alex")
    expect_home(sam, site, office, "Sam")
    alex.reload()
    expect_home(alex, site, office, "Alex")


def test_it_sends_a_shared_email_to_the_office_for_a_forgotten_password(
    page, phone_page, make_office, site, artifacts
):
    office = make_office("alpha")
    portal_on(office)
    alex = contact(office, "Alex", "couple@example.com", password="Alex-pass-2026!")
    contact(office, "Sam", "couple@example.com", password="Sams-pass-2026!")

    page.goto(f"{site.office(office.slug)}/auth/signin")
    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label("Email").fill("couple@example.com")
    page.get_by_role("button", name="Send reset link").click()
    expect_status(page, "If an account uses this email, we have sent instructions to reset the password.")
    [message] = emails_to("couple@example.com")
    assert "contact Alpha Realty" in message.body, message.body
    assert "/auth/reset/" not in message.body

    # The owner, on a phone, resets Alex's password and sends a login email.
    staff_sign_in(phone_page, site, office)
    open_contact(phone_page, site, office, alex)
    expect(phone_page.locator("#email-conflict")).to_contain_text("Sam Test")
    assert_no_horizontal_scroll(phone_page)
    phone_page.screenshot(path=artifacts / "office-contact-phone.png", full_page=True)
    phone_page.get_by_role("button", name="Reset password").click()
    expect_status(phone_page, "Password reset: the old password no longer works.")
    expect(phone_page.locator("#portal-account")).to_contain_text("Must choose a new password")
    phone_page.get_by_role("button", name="Send login email").click()
    expect_status(phone_page, "Login email sent to couple@example.com.")

    # The old password no longer works; the login email lets Alex in to choose a new one.
    client_sign_in(page, site, office, "couple@example.com", "Alex-pass-2026!")
    expect(page.get_by_role("alert")).to_contain_text("Your email or password is not right.")
    page.goto(link_in(emails_to("couple@example.com")[-1], "/auth/magic/"))
    press_token_button(page, "Continue")
    page.wait_for_url(f"{site.office(office.slug)}/welcome/password")
    choose_password(page)
    page.get_by_role("button", name="Save and continue").click()
    expect_home(page, site, office, "Alex")

    # Sam's password was not touched.
    phone_page.context.clear_cookies()
    client_sign_in(phone_page, site, office, "couple@example.com", "Sams-pass-2026!")
    expect_home(phone_page, site, office, "Sam")


# --- 7. Dutch ------------------------------------------------------------------------------------


def test_it_shows_the_portal_in_the_clients_own_language(page, make_office, site, artifacts):
    office = make_office("alpha")
    portal_on(office)
    contact(office, "Anouk", "anouk@example.com", language="nl", password=CLIENT_PASSWORD)

    client_sign_in(page, site, office, "anouk@example.com", CLIENT_PASSWORD)
    page.wait_for_url(f"{site.office(office.slug)}/")
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hallo Anouk")
    nav = page.locator("#portal-nav")
    expect(nav.get_by_role("link", name="Profiel")).to_be_visible()
    page.screenshot(path=artifacts / "client-home-dutch-desktop.png", full_page=True)

    nav.get_by_role("link", name="Profiel").click()
    expect(page.get_by_role("heading", name="Profiel", level=1)).to_be_visible()
    language = page.locator("section", has=page.get_by_role("heading", name="Taal"))
    language.get_by_label("Taal").select_option("en")
    language.get_by_role("button", name="Opslaan").click()

    expect_status(page, "Your language is saved.")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name="Profile", level=1)).to_be_visible()
    expect(nav.get_by_role("link", name="Profile")).to_be_visible()
    page.get_by_role("link", name="Home").click()
    expect_home(page, site, office, "Anouk")


# --- 8. preview ----------------------------------------------------------------------------------


def test_it_lets_the_office_preview_the_portal_as_a_client_without_changing_anything(
    page, make_office, site, artifacts
):
    office = make_office("alpha")
    portal_on(office)
    lotte = contact(office, "Lotte", "lotte@example.com", password=CLIENT_PASSWORD)

    staff_sign_in(page, site, office)
    open_contact(page, site, office, lotte)
    page.get_by_role("button", name="Preview as client").click()

    expect_home(page, site, office, "Lotte")
    banner = page.locator(".preview-banner")
    expect(banner).to_contain_text("Preview: you see the portal as Lotte Test sees it.")
    page.screenshot(path=artifacts / "office-preview-desktop.png", full_page=True)

    page.get_by_role("link", name="Profile").click()
    page.get_by_label("First name").fill("Changed")
    page.locator("section", has_text="My details").get_by_role("button", name="Save").click()
    expect_status(page, "This is a preview: nothing can be changed.")
    expect(page.get_by_label("First name")).to_have_value("Lotte")
    assert in_office(office, lambda: Contact.objects.get(pk=lotte.pk).first_name) == "Lotte"

    page.get_by_role("button", name="End preview").click()
    page.wait_for_url(f"{site.office(office.slug)}/office/contacts/{lotte.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Lotte Test")
    expect(page.locator("#activity")).to_contain_text(f"Portal previewed by {office.owner_email}")


# --- 9. portal switched off ----------------------------------------------------------------------


def test_it_closes_the_portal_while_the_office_has_it_switched_off(
    page, open_window, make_office, site, artifacts
):
    office = make_office("alpha")
    portal_on(office)
    contact(office, "Joost", "joost@example.com", password=CLIENT_PASSWORD)
    base = site.office(office.slug)

    client = open_window()
    client_sign_in(client, site, office, "joost@example.com", CLIENT_PASSWORD)
    expect_home(client, site, office, "Joost")

    def switch(on: bool) -> None:
        page.goto(f"{base}/office/settings/")
        page.get_by_label("Portal switched on").set_checked(on)
        page.get_by_role("button", name="Save").click()
        expect_status(page, "Portal settings saved.")

    staff_sign_in(page, site, office, "/office/settings/")
    switch(False)

    closed = "This portal is not active"
    client.reload()
    expect(client.get_by_role("heading", level=1)).to_have_text(closed)
    client.screenshot(path=artifacts / "client-inactive-desktop.png", full_page=True)
    stranger = open_window(phone=True)
    stranger.goto(f"{base}/auth/signin")
    expect(stranger.get_by_role("heading", level=1)).to_have_text(closed)
    expect(stranger.get_by_label("Password")).to_have_count(0)
    assert_no_horizontal_scroll(stranger)

    switch(True)
    client.reload()
    expect_home(client, site, office, "Joost")
    stranger.reload()
    expect(stranger.get_by_role("heading", name="Sign in", exact=True)).to_be_visible()
