"""The product as its users meet it, in a real Chromium on a desktop and on a phone, with axe-core
checking every page (no critical or serious WCAG 2.2 violation):

- the office: the grouped sidebar (a drawer on a phone), a module's group, a confirmation modal
  before a delete, a toast after an action;
- the portal, in Dutch for a Dutch client: every client action answers with its confirmation (a
  toast or an answer in place), no English sentence on any page, dates written the Dutch way;
- the platform's own pages.

Screenshots of every page go to ``test-results/`` for people to look at.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.auth.hashers import make_password
from django.db import connection
from django.utils import timezone, translation
from django_tenants.utils import tenant_context
from playwright.sync_api import Page, expect

from portal_core.access import portal_account_for
from portal_core.formatting import format_datetime
from portal_core.models import Contact, PortalAccount, PortalConfig
from portal_core.services import module_enable

from ..conftest import OWNER_PASSWORD
from .axe import assert_accessible
from .conftest import PHONE

pytestmark = pytest.mark.browser

VIEWPORTS = ["desktop", "phone"]
CLIENT_EMAIL = "sanne@example.nl"
CLIENT_PASSWORD = "Client-pass-2026!"
TITLES = {
    "a": "Grachtenpand aan de Herengracht",
    "b": "Bovenwoning in Utrecht Oost",
    "c": "Vrijstaande woning in Bloemendaal",
}
OSM = re.compile(r"^https://www\.openstreetmap\.org/")
# Words English sentences are made of that Dutch sentences never use: two of them on one line of a
# Dutch page is an English sentence someone forgot to translate.
ENGLISH = {
    "the", "your", "you", "with", "this", "and", "of", "to", "are", "have", "will", "please", "here",
    "there", "has", "was", "what", "which", "for", "from", "not", "yet", "been", "can", "our", "sign",
}  # fmt: skip


def in_office(office, func):
    with tenant_context(office.tenant):
        result = func()
    connection.set_schema_to_public()
    return result


@pytest.fixture
def scene(make_office, site):
    """An office with its portal and real estate on, and Sanne, a Dutch client who has joined and
    was offered three properties (she visited the third, the office approved it)."""
    office = make_office("grachten", "Grachten Makelaars")

    def set_up() -> dict:
        from modules.real_estate.models import Viewing
        from modules.real_estate.services import (
            deal_create,
            property_approve,
            property_create,
            property_offer,
            viewing_confirm,
            viewing_mark_visited,
            viewing_request,
        )

        config = PortalConfig.objects.get()
        config.is_active = True
        config.company_name = "Grachten Makelaars"
        config.time_zone = "Europe/Amsterdam"
        config.save()
        module_enable(key="real_estate")
        sanne = Contact.objects.create(
            first_name="Sanne", last_name="Visser", email=CLIENT_EMAIL, language="nl"
        )
        account = portal_account_for(contact=sanne)
        account.password = make_password(CLIENT_PASSWORD)
        account.status = PortalAccount.Status.JOINED
        account.invited_at = account.joined_at = timezone.now()
        account.onboarding_completed = account.tour_completed = True
        account.save()
        deal = deal_create(contact=sanne, title="Woning voor Sanne", actor=office.owner_email)
        offers = {}
        for n, (key, title) in enumerate(TITLES.items()):
            prop = property_create(
                title=title,
                street=f"Herengracht {n + 10}",
                city="Amsterdam",
                country="Nederland",
                price=598_000 + n * 100_000,
                rooms=4,
                energy_label="A",
            )
            offers[key] = property_offer(deal=deal, property=prop, actor=office.owner_email)
        start = timezone.now() + timedelta(days=1)
        viewing = viewing_request(offer=offers["c"], account=account, slots=[start])
        viewing_confirm(viewing=viewing, start=start)
        Viewing.objects.filter(pk=viewing.pk).update(start=timezone.now() - timedelta(days=1))
        viewing.refresh_from_db()
        viewing_mark_visited(viewing=viewing)
        property_approve(offer=offers["c"], actor=office.owner_email)
        return {key: offer.pk for key, offer in offers.items()} | {"contact": sanne.pk}

    ids = in_office(office, set_up)
    return {"office": office, "site": site, "ids": ids, "base": site.office(office.slug)}


def window(open_window, viewport: str) -> Page:
    page = open_window(phone=viewport == "phone")
    page.context.route(OSM, lambda route: route.fulfill(status=200, content_type="text/html", body="<p></p>"))
    return page


def look(page: Page, artifacts, name: str, viewport: str) -> None:
    """Axe-core finds nothing serious, and a screenshot for people to judge."""
    page.wait_for_load_state("networkidle")
    assert_accessible(page, f"{name} ({viewport})")
    page.screenshot(path=artifacts / f"{name}-{viewport}.png", full_page=True)


def no_sideways_scroll(page: Page) -> None:
    scroll, width = page.evaluate("() => [document.documentElement.scrollWidth, innerWidth]")
    assert scroll <= width + 1, f"{page.url} scrolls sideways ({scroll} > {width})"


def toast(page: Page, text: str) -> None:
    expect(page.locator("[data-toasts] .toast").filter(has_text=text)).to_be_visible()


def dutch(message: str, **params) -> str:
    with translation.override("nl"):
        text = translation.gettext(message)
    return text % params if params else text


def english_lines(page: Page) -> list[str]:
    """Lines of the page's visible text that read as English sentences."""
    text = page.locator("body").inner_text()
    found = []
    for line in text.splitlines():
        words = re.findall(r"[a-z']+", line.lower())
        if len({w for w in words if w in ENGLISH}) >= 2:
            found.append(line.strip())
    return found


def open_menu(page: Page, nav_id: str):
    nav = page.locator(f"#{nav_id}")
    if page.viewport_size["width"] <= PHONE["viewport"]["width"]:
        toggle = page.locator(f'[data-nav-toggle][aria-controls="{nav_id}"]')
        if toggle.get_attribute("aria-expanded") != "true":
            toggle.click()
    expect(nav).to_be_visible()
    return nav


# --- the office ----------------------------------------------------------------------------------

OFFICE_PAGES = [
    ("office-home", "/office/"),
    ("office-contacts", "/office/contacts/"),
    ("office-companies", "/office/companies/"),
    ("office-settings", "/office/settings/"),
    ("office-email", "/office/email/"),
    ("office-email-templates", "/office/email-templates/"),
    ("office-modules", "/office/modules/"),
    ("office-api-keys", "/office/api-keys/"),
    ("office-webhooks", "/office/webhooks/"),
    ("office-webhook-new", "/office/webhooks/new/"),
    ("office-re-properties", "/office/real-estate/properties/"),
    ("office-re-deals", "/office/real-estate/deals/"),
    ("office-re-viewings", "/office/real-estate/viewings/"),
    ("office-re-messages", "/office/real-estate/messages/"),
    ("office-profile", "/office/profile/"),
    ("office-style", "/office/style/"),
]


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_it_walks_the_office_with_its_sidebar_a_confirmation_modal_and_a_toast(
    open_window, scene, artifacts, viewport
):
    page = window(open_window, viewport)
    base = scene["base"]
    page.goto(f"{base}/office/login/")
    look(page, artifacts, "office-login", viewport)
    page.get_by_label("Email").fill(scene["office"].owner_email)
    page.get_by_label("Password").fill(OWNER_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url(f"{base}/office/")

    # The sidebar groups the office: clients, the module's own pages, the portal, developers.
    nav = open_menu(page, "office-nav")
    groups = nav.locator(".nav-group__title")
    expect(groups).to_have_text(["Clients", "Real estate", "Portal", "Developers"])
    real_estate = nav.locator('[data-group="real_estate"]')
    expect(real_estate.get_by_role("link")).to_have_text(["Properties", "Deals", "Viewings", "Messages"])
    expect(nav.locator('[data-group="developers"]').get_by_role("link", name="API docs")).to_be_visible()
    page.wait_for_timeout(300)  # the drawer slides in
    page.screenshot(path=artifacts / f"office-sidebar-{viewport}.png")
    real_estate.get_by_role("link", name="Properties").click()
    page.wait_for_url(f"{base}/office/real-estate/properties/")
    nav = open_menu(page, "office-nav")
    expect(nav.locator("[aria-current=page]")).to_have_text("Properties")
    expect(page.locator(".re-tabs")).to_have_count(0)  # no second row of tabs
    if viewport == "phone":
        page.keyboard.press("Escape")
        expect(nav).to_be_hidden()

    for name, path in OFFICE_PAGES:
        page.goto(f"{base}{path}")
        no_sideways_scroll(page)
        look(page, artifacts, name, viewport)

    # A toast answers an action, and leaves by itself.
    page.goto(f"{base}/office/settings/")
    page.get_by_role("button", name="Save").click()
    toast(page, "Portal settings saved.")
    page.screenshot(path=artifacts / f"office-toast-{viewport}.png")
    expect(page.locator("[data-toasts] .toast")).to_have_count(0, timeout=12_000)

    # Deleting asks first, in Portico's own modal: cancelling keeps the property, confirming deletes it.
    page.goto(f"{base}/office/real-estate/properties/")
    page.get_by_role("link", name="New property").click()
    page.get_by_label("Title").fill("Pand om te verwijderen")
    page.get_by_label("City").fill("Haarlem")
    page.get_by_role("button", name=re.compile("^(Save|Add|Create)")).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Pand om te verwijderen")
    page.wait_for_load_state("load")  # the page's script asks first
    delete = page.get_by_role("button", name=re.compile("^Delete"))
    delete.click()
    modal = page.locator("#confirm-dialog")
    expect(modal).to_be_visible()
    assert_accessible(page, f"the confirmation modal ({viewport})")
    page.screenshot(path=artifacts / f"office-modal-{viewport}.png")
    modal.get_by_role("button", name="Cancel").click()
    expect(modal).to_be_hidden()
    expect(page.get_by_role("heading", level=1)).to_have_text("Pand om te verwijderen")
    delete.click()
    modal.locator("[data-confirm-ok]").click()
    page.wait_for_url(f"{base}/office/real-estate/properties/")
    expect(page.locator("[data-toasts]")).to_contain_text("Pand om te verwijderen")
    expect(page.get_by_role("link", name="Pand om te verwijderen")).to_have_count(0)


# --- the portal, in Dutch ------------------------------------------------------------------------


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_it_answers_every_client_action_in_dutch_with_dutch_dates(open_window, scene, artifacts, viewport):
    page = window(open_window, viewport)
    base, ids = scene["base"], scene["ids"]
    page.set_extra_http_headers({"Accept-Language": "nl-NL,nl;q=0.9"})
    page.goto(f"{base}/auth/signin")
    assert english_lines(page) == []
    look(page, artifacts, "portal-signin-nl", viewport)
    page.locator("input[name=email]").fill(CLIENT_EMAIL)
    page.locator("input[name=password]").fill(CLIENT_PASSWORD)
    page.get_by_role("button", name="Inloggen", exact=True).click()
    page.wait_for_url(f"{base}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hallo Sanne")

    # Interested: a toast says so.
    page.goto(f"{base}/real-estate/properties/{ids['a']}/")
    page.get_by_role("button", name=dutch("Interested"), exact=True).click()
    toast(page, dutch("Marked as interested. Your agent can see it now."))

    # Favourite: the button changes in place and a toast confirms it.
    page.locator(".re-head .re-fav button").click()
    expect(page.locator(".re-head .re-fav button")).to_have_attribute("aria-pressed", "true")
    toast(page, dutch("Added to your favourites."))

    # A viewing request: a toast, and the times come back written the Dutch way.
    slot = (timezone.localtime(timezone.now() + timedelta(days=3), timezone.get_fixed_timezone(60))).replace(
        hour=14, minute=30, second=0, microsecond=0
    )
    page.locator("input[name=slots]").first.fill(slot.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name=dutch("Ask for a viewing")).click()
    expect(page.locator("[data-toasts] .toast")).to_be_visible()
    shown = page.locator("#viewing .re-times time").first.inner_text()
    with translation.override("nl"):
        months = ["jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"]
    assert re.fullmatch(rf"\w+ {slot.day} {months[slot.month - 1]} {slot.year}, 14:30", shown), shown

    # Not interested, with a reason: a toast thanks her.
    page.goto(f"{base}/real-estate/properties/{ids['b']}/")
    page.locator("details.re-decline > summary, details > summary").filter(
        has_text=dutch("Not interested…")
    ).click()
    page.locator("input[name=reasons]").first.check()
    page.get_by_role("button", name=dutch("Not interested"), exact=True).click()
    toast(page, dutch("Marked as not interested. Thank you for telling us why."))

    # The visited, approved property: no new viewing request, feedback with stars is answered.
    page.goto(f"{base}/real-estate/properties/{ids['c']}/")
    expect(page.get_by_role("button", name=dutch("Ask for a viewing"))).to_have_count(0)
    page.locator("input[name=rating][value='4']").check(force=True)
    page.locator("textarea[name=notes]").fill("Mooie lichtinval, rustige straat.")
    page.get_by_role("button", name=dutch("Send feedback")).click()
    toast(page, dutch("Thank you! Your feedback is with your agent."))

    # A message to the agent.
    page.goto(f"{base}/real-estate/contact/")
    page.locator("textarea[name=body]").fill("Kunnen we zaterdag bellen?")
    page.locator("form button[type=submit]").last.click()
    toast(page, dutch("Your message is sent. Your agent will answer by email."))

    # Every page in Dutch, accessible, without sideways scrolling.
    for name, path in [
        ("portal-home", "/"),
        ("portal-re-home", "/real-estate/"),
        ("portal-re-new", "/real-estate/new/"),
        ("portal-re-properties", "/real-estate/properties/"),
        ("portal-re-property", f"/real-estate/properties/{ids['a']}/"),
        ("portal-re-property-visited", f"/real-estate/properties/{ids['c']}/"),
        ("portal-re-viewings", "/real-estate/viewings/"),
        ("portal-re-contact", "/real-estate/contact/"),
        ("portal-profile", "/profile/"),
        ("portal-files", "/files/"),
    ]:
        page.goto(f"{base}{path}")
        expect(page.locator("html")).to_have_attribute("lang", "nl")
        assert english_lines(page) == [], f"{path} has English: {english_lines(page)}"
        no_sideways_scroll(page)
        look(page, artifacts, f"{name}-nl", viewport)

    # The activity feed reads in Dutch, rendered now from what was stored.
    page.goto(f"{base}/")
    expect(page.locator(".feed")).to_contain_text(dutch("You are interested in %(title)s", title=TITLES["a"]))
    expect(page.locator(".feed")).to_contain_text(dutch("just now"))

    # On a phone the header with the office's name stays one row.
    if viewport == "phone":
        header = page.locator(".topbar__inner").bounding_box()
        assert header["height"] < 70, header


def test_the_dutch_date_helper_writes_dates_the_dutch_way():
    from datetime import datetime
    from zoneinfo import ZoneInfo

    moment = datetime(2026, 12, 2, 13, 30, tzinfo=ZoneInfo("UTC"))
    with timezone.override(ZoneInfo("Europe/Amsterdam")):
        with translation.override("nl"):
            assert format_datetime(moment) == "2 dec 2026, 14:30"
        with translation.override("en"):
            assert format_datetime(moment) == "2 Dec 2026, 14:30"


# --- the platform ---------------------------------------------------------------------------------


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_the_platform_pages_are_accessible(open_window, site, db, artifacts, viewport):
    page = window(open_window, viewport)
    for name, path in [
        ("platform-landing", "/"),
        ("platform-signup", "/signup/"),
        ("platform-portal-link", "/auth/signin"),
    ]:
        page.goto(f"{site.platform}{path}")
        no_sideways_scroll(page)
        look(page, artifacts, name, viewport)
