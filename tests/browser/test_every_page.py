"""Every page the walks of ``test_finished_product`` do not reach, in a real Chromium on a desktop
and on a phone, each checked by axe-core (no critical or serious WCAG 2.2 violation), for sideways
scrolling, and photographed into ``test-results/``:

- the office's own pages (security, audit log, payments, domain, a contact, a company, a webhook,
  an email template) and the invoices module's pages;
- the portal in Dutch, the invoices module's pages included, and the pages a Dutch client reaches
  from an email before signing in (the invitation, the unsubscribe link, forgotten password);
- the platform's "Sign in to your office" answer and the operator's console: its dashboard, the
  offices, the confirmation that asks why an office is suspended, and what its owner then sees.
"""

from __future__ import annotations

import re
from decimal import Decimal
from urllib.parse import urlsplit

import pyotp
import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import connection
from playwright.sync_api import Page, expect

from portal_core.models import Company, Contact

from ..conftest import OWNER_PASSWORD
from .test_finished_product import (  # noqa: F401 (scene is a fixture)
    CLIENT_EMAIL,
    CLIENT_PASSWORD,
    OSM,
    VIEWPORTS,
    english_lines,
    in_office,
    look,
    no_sideways_scroll,
    scene,
    window,
)

pytestmark = pytest.mark.browser
# A module's key where a person reads (an event type such as ``real_estate.viewing_requested`` on
# the webhook pages is for developers, and reads as code).
MODULE_KEY = re.compile(r"\breal_estate\b(?!\.)")

OPERATOR_PASSWORD = "Operator-pass-2026!"


@pytest.fixture
def full_scene(scene, settings):  # noqa: F811 (the fixture)
    """The scene of ``test_finished_product`` with invoices on too: an invoice sent to Sanne, a
    company, a webhook endpoint, and Daan, a Dutch contact who was invited and has not joined."""
    settings.PORTICO_WEBHOOKS_ALLOW_PRIVATE = True

    def set_up() -> dict:
        from modules.invoices.services import LineInput, invoice_create, invoice_send
        from portal_core.access import portal_account_for, portal_account_invite
        from portal_core.email_preferences import notification_topics, unsubscribe_url
        from portal_core.services import module_enable
        from webhooks.services import endpoint_create

        module_enable(key="invoices")
        sanne = Contact.objects.get(email=CLIENT_EMAIL)
        invoice = invoice_create(
            contact=sanne,
            lines=[LineInput("Taxatierapport", Decimal(1), Decimal("650"), Decimal(21))],
        )
        invoice = invoice_send(invoice=invoice)
        company = Company.objects.create(name="Visser Vastgoed BV", email="info@visser.example")
        endpoint = endpoint_create(url="http://127.0.0.1:9/hooks/portico")
        daan = Contact.objects.create(
            first_name="Daan", last_name="Bakker", email="daan@example.nl", language="nl"
        )
        mail.outbox.clear()
        portal_account_invite(account=portal_account_for(contact=daan), actor=scene["office"].owner_email)
        [invitation] = [m for m in mail.outbox if "daan@example.nl" in m.to]
        topic = next(iter(notification_topics()))
        return {
            "invoice": invoice.pk,
            "company": company.pk,
            "endpoint": endpoint.pk,
            "invitation": re.search(r"https?://\S+/auth/invite/\S+", invitation.body).group(0),
            "unsubscribe": unsubscribe_url(contact=sanne, topic=topic),
        }

    scene["ids"] |= in_office(scene["office"], set_up)
    return scene


def office_sign_in(page: Page, world) -> None:
    base = world["base"]
    page.goto(f"{base}/office/login/")
    page.get_by_label("Email").fill(world["office"].owner_email)
    page.get_by_label("Password").fill(OWNER_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url(f"{base}/office/")


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_every_office_page_is_accessible_and_fits(open_window, full_scene, artifacts, viewport):
    page = window(open_window, viewport)
    base, ids = full_scene["base"], full_scene["ids"]
    office_sign_in(page, full_scene)
    if viewport == "desktop":
        # The user menu stays in sight however long the sidebar is.
        expect(page.locator(".user-menu summary")).to_be_in_viewport()
    for name, path in [
        ("office-security", "/office/security/"),
        ("office-audit", "/office/audit/"),
        ("office-payments", "/office/payments/"),
        ("office-domain", "/office/domain/"),
        ("office-contact-new", "/office/contacts/new/"),
        ("office-contacts-import", "/office/contacts/import/"),
        ("office-contact", f"/office/contacts/{ids['contact']}/"),
        ("office-company", f"/office/companies/{ids['company']}/"),
        ("office-webhook", f"/office/webhooks/{ids['endpoint']}/"),
        ("office-email-template", "/office/email-templates/invitation/nl/"),
        ("office-invoices", "/office/invoices/"),
        ("office-invoice", f"/office/invoices/{ids['invoice']}/"),
        ("office-invoice-new", "/office/invoices/new/"),
        ("office-invoices-recurring", "/office/invoices/recurring/"),
        ("office-invoices-settings", "/office/invoices/settings/"),
        ("office-re-property-new", "/office/real-estate/properties/new/"),
        ("office-re-deal", f"/office/real-estate/deals/{first_deal(full_scene)}/"),
    ]:
        response = page.goto(f"{base}{path}")
        assert response.status == 200, f"{path}: {response.status}"
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        assert not MODULE_KEY.search(page.locator("body").inner_text()), f"{path} shows a module key"
        no_sideways_scroll(page)
        look(page, artifacts, name, viewport)


def first_deal(world) -> int:
    from modules.real_estate.models import Deal

    return in_office(world["office"], lambda: Deal.objects.values_list("pk", flat=True).first())


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_every_portal_page_is_dutch_for_a_dutch_client(open_window, full_scene, artifacts, viewport):
    base, ids = full_scene["base"], full_scene["ids"]

    def check(page: Page, name: str) -> None:
        expect(page.locator("html")).to_have_attribute("lang", "nl")
        assert english_lines(page) == [], f"{page.url} has English: {english_lines(page)}"
        no_sideways_scroll(page)
        look(page, artifacts, f"{name}-nl", viewport)

    # Before signing in, from an email: the invitation, the unsubscribe link, a forgotten password.
    visitor = window(open_window, viewport)
    visitor.set_extra_http_headers({"Accept-Language": "nl-NL,nl;q=0.9"})
    for name, url in [
        ("portal-invitation", on_live_server(ids["invitation"], base)),
        ("portal-unsubscribe", on_live_server(ids["unsubscribe"], base)),
        ("portal-forgot", f"{base}/auth/forgot"),
        ("portal-magic-request", f"{base}/auth/magic"),
    ]:
        visitor.goto(url)
        check(visitor, name)

    # Signed in: the invoices module's pages and the security page.
    page = window(open_window, viewport)
    page.set_extra_http_headers({"Accept-Language": "nl-NL,nl;q=0.9"})
    page.goto(f"{base}/auth/signin")
    page.locator("input[name=email]").fill(CLIENT_EMAIL)
    page.locator("input[name=password]").fill(CLIENT_PASSWORD)
    page.get_by_role("button", name="Inloggen", exact=True).click()
    page.wait_for_url(f"{base}/")
    for name, path in [
        ("portal-invoices", "/invoices/"),
        ("portal-invoice", f"/invoices/{ids['invoice']}/"),
        ("portal-security", "/profile/security"),
    ]:
        response = page.goto(f"{base}{path}")
        assert response.status == 200, f"{path}: {response.status}"
        check(page, name)
        if name == "portal-invoice":
            expect(page.locator("main")).to_contain_text("€ 786,50")  # 650 + 21 % VAT, the Dutch way


def on_live_server(link: str, base: str) -> str:
    """An emailed link, on the test's live server (emails name the office's host without its port)."""
    parts = urlsplit(link)
    return f"{base}{parts.path}"


def operator_sign_in(page: Page, site) -> None:
    """Signs the operator in for the first time: the console sets up their authenticator app."""
    page.goto(f"{site.platform}/admin/")
    page.get_by_label("Username").fill("ops")
    page.get_by_label("Password").fill(OPERATOR_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    secret = page.locator("code").first.inner_text().replace(" ", "")
    page.get_by_label("Code").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Turn on").click()
    page.get_by_role("link", name="I have saved them, continue").click()


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_the_operators_console_and_a_suspended_owner_are_accessible(
    open_window, make_office, site, artifacts, viewport
):
    office = make_office("harbour", "Harbour Homes")
    connection.set_schema_to_public()
    get_user_model().objects.create_superuser("ops", "ops@portico.localhost", OPERATOR_PASSWORD)

    # "Sign in to your office" answers without saying whether the address exists.
    visitor = window(open_window, viewport)
    visitor.goto(f"{site.platform}/")
    finder = visitor.locator("#sign-in")
    finder.get_by_label("Email").fill("nobody@example.com")
    finder.get_by_role("button").click()
    expect(visitor.locator("body")).to_contain_text("If nobody@example.com works at an office on Portico")
    no_sideways_scroll(visitor)
    look(visitor, artifacts, "platform-find-office", viewport)

    page = window(open_window, viewport)
    operator_sign_in(page, site)
    expect(page.get_by_role("heading", name="Platform at a glance")).to_be_visible()
    look(page, artifacts, "operator-dashboard", viewport)
    page.goto(f"{site.platform}/admin/tenants/tenant/")
    expect(page.get_by_role("link", name=re.compile("portal", re.I)).first).to_be_visible()
    look(page, artifacts, "operator-offices", viewport)

    # Suspending asks why; the reason is what the owner reads.
    page.goto(f"{site.platform}/admin/tenants/tenant/status/suspend/?ids={office.tenant.pk}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Suspend 1 office?")
    look(page, artifacts, "operator-suspend", viewport)
    page.get_by_label("Reason").fill("Three invoices unpaid since March.")
    page.get_by_role("button", name=re.compile("^Suspend")).click()
    expect(page.locator(".messagelist, .messages").first).to_contain_text("Suspended 1 office:")
    look(page, artifacts, "operator-suspended", viewport)

    owner = window(open_window, viewport)
    owner.goto(f"{site.office(office.slug)}/office/login/")
    expect(owner.get_by_role("heading", level=1)).to_have_text("Your office is suspended")
    expect(owner.locator("body")).to_contain_text("Three invoices unpaid since March.")
    expect(owner.locator("body")).to_contain_text(re.compile(r"Since \d{1,2} [A-Z][a-z]{2} \d{4}\."))
    no_sideways_scroll(owner)
    look(owner, artifacts, "office-suspended", viewport)


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_a_property_shows_its_map_when_online_and_its_address_and_links_offline(
    open_window,
    scene,  # noqa: F811 (the fixture)
    viewport,
):
    """The address and the map links are always there; the map itself once it has loaded, never
    while the browser is offline, and back when the connection is."""
    from modules.real_estate.models import Property

    located = {"latitude": Decimal("52.3731"), "longitude": Decimal("4.8922")}
    in_office(scene["office"], lambda: Property.objects.update(**located))
    page = window(open_window, viewport)
    base = scene["base"]
    page.goto(f"{base}/auth/signin")
    page.locator("input[name=email]").fill(CLIENT_EMAIL)
    page.locator("input[name=password]").fill(CLIENT_PASSWORD)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_url(f"{base}/")
    place = page.locator(".re-map")
    embed = place.locator("[data-map-embed]")

    # Online: the map loads as it comes near the screen.
    page.goto(f"{base}/real-estate/properties/{scene['ids']['a']}/")
    place.scroll_into_view_if_needed()
    expect(embed.locator("iframe")).to_be_visible()

    # Offline: the address and the links, and no frame that would show the browser's error page.
    page.context.set_offline(True)
    expect(embed).to_be_hidden()
    expect(embed.locator("iframe")).to_have_count(0)
    expect(place.locator("address")).to_contain_text("Herengracht 10")
    apps = place.get_by_role("link").first
    expect(apps).to_have_attribute("href", re.compile(r"^geo:52\.373100,4\.892200"))

    # Back online: the map comes back by itself.
    page.context.set_offline(False)
    expect(embed.locator("iframe")).to_be_visible()


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_the_style_page_shows_each_component_working(open_window, make_office, site, artifacts, viewport):
    """The living style page, used as a person would: a file dropped in the drop zone is named with
    its size, a field's error goes once it is valid, a toast comes and goes, the modal asks first,
    and on a phone the table's rows become cards that name each value."""
    office = make_office("atelier", "Atelier Noord")
    page = window(open_window, viewport)
    office_sign_in(page, {"base": site.office(office.slug), "office": office})
    page.goto(f"{site.office(office.slug)}/office/style/")

    sample = page.locator("[data-style-form]")
    zone = sample.locator(".dropzone")
    expect(zone).to_contain_text("Choose a file or drop it here")
    sample.get_by_label("Photo").set_input_files(
        {"name": "voorgevel.jpg", "mimeType": "image/jpeg", "buffer": b"\xff\xd8" + b"0" * 2046}
    )
    expect(zone.locator(".dropzone__files li")).to_have_text("voorgevel.jpg · 2.0 KB")

    invalid = page.locator("#fields form").nth(1)
    email = invalid.locator(".field").filter(has=page.locator("input[type=email]"))
    expect(email.locator(".errorlist")).to_be_visible()
    email.locator("input").fill("maria@example.nl")
    expect(email.locator(".errorlist")).to_have_count(0)
    expect(email).not_to_have_class(re.compile(r"field--error"))

    page.get_by_role("button", name="Show a toast").click()
    expect(page.locator("[data-toasts] .toast")).to_contain_text("Saved. This toast leaves by itself.")

    page.get_by_role("button", name="Delete…", exact=True).click()
    modal = page.locator("#confirm-dialog")
    expect(modal).to_be_visible()
    expect(modal).to_contain_text("Delete this property?")
    modal.get_by_role("button", name="Cancel").click()
    expect(modal).to_be_hidden()

    table = page.locator("#tables .table")
    cell = table.locator("tbody td[data-label='Status']").first
    if viewport == "phone":
        expect(table.locator("thead")).to_be_hidden()
        label = cell.evaluate("(td) => getComputedStyle(td, '::before').content")
        assert label == '"Status: "', label
    else:
        expect(table.locator("thead")).to_be_visible()
    no_sideways_scroll(page)
    look(page, artifacts, "office-style-used", viewport)
