"""Getting paid, in a real browser on desktop and on a phone: the office connects Stripe (the fake
Stripe's onboarding page), writes an invoice with live totals, lets the client pay in parts and
sends it; the client opens the emailed link, pays a deposit on the (fake) Checkout page, then the
rest; the office sees the invoice paid, a receipt arrives for each payment, and the office's
webhook endpoint receives ``invoices.invoice_paid``, verified with the ``standardwebhooks`` package,
as the office's webhook log shows."""

from __future__ import annotations

import re
import urllib.request

import pytest
from django.contrib.auth.hashers import make_password
from django.core import mail
from django.db import connection
from django.utils import timezone
from django_tenants.utils import tenant_context
from playwright.sync_api import Page, expect
from standardwebhooks import Webhook

from modules.invoices.models import Invoice
from portal_core.access import portal_account_for
from portal_core.models import Contact, PortalAccount, PortalConfig
from portal_core.services import module_enable
from tests.portal_core.test_payments import fake_stripe
from tests.webhooks.conftest import receiver  # noqa: F401 (fixture)
from webhooks.models import WebhookEndpoint
from webhooks.services import endpoint_create

from ..conftest import OWNER_PASSWORD
from .axe import assert_accessible
from .conftest import ARTIFACTS

pytestmark = pytest.mark.browser

VIEWPORTS = ["desktop", "phone"]
CLIENT_EMAIL = "noor@example.com"
CLIENT_PASSWORD = "Client-pass-2026!"
SHOTS = ARTIFACTS  # test-results/, which git ignores


@pytest.fixture
def office(make_office, receiver):  # noqa: F811 (the fixture)
    """An office with its portal and invoices on, a webhook endpoint (the test's receiver) for its
    paid invoices, and Noor, a client who has joined."""
    office = make_office("ledger", "Ledger & Co")
    with tenant_context(office.tenant):
        endpoint_create(url=receiver.url, event_types=["invoices.invoice_paid"])
        config = PortalConfig.objects.get()
        config.is_active = True
        config.save()
        module_enable(key="invoices")
        noor = Contact.objects.create(first_name="Noor", last_name="Visser", email=CLIENT_EMAIL)
        account = portal_account_for(contact=noor)
        account.password = make_password(CLIENT_PASSWORD)
        account.status = PortalAccount.Status.JOINED
        account.invited_at = account.joined_at = timezone.now()
        account.onboarding_completed = account.tour_completed = True
        account.save()
    connection.set_schema_to_public()
    return office


@pytest.fixture
def stripe(settings, site):
    """The fake Stripe, its events posted (signed) to the live server's Connect webhook."""
    fake = fake_stripe.FakeStripe().start()
    settings.STRIPE_SECRET_KEY = "sk_test_portico"
    settings.STRIPE_API_BASE = fake.base_url
    settings.STRIPE_CONNECT_WEBHOOK_SECRET = fake.webhook_secret

    def post(payload: bytes, header: str) -> int:
        request = urllib.request.Request(  # noqa: S310 (the live server on the loopback)
            f"http://127.0.0.1:{site.port}/stripe/connect/webhook/",
            data=payload,
            headers={
                "Content-Type": "application/json",
                "Stripe-Signature": header,
                "Host": f"{settings.PORTICO_BASE_DOMAIN}:{site.port}",
            },
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status

    fake.sender = post
    yield fake
    fake.stop()


def window(open_window, viewport: str) -> Page:
    return open_window(phone=viewport == "phone")


def shot(page: Page, name: str, viewport: str) -> None:
    """A screenshot for people to judge, of a page that must also pass axe-core."""
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SHOTS / f"invoices-{name}-{viewport}.png", full_page=True)
    assert_accessible(page, f"the invoices {name} page ({viewport})")


def no_sideways_scroll(page: Page) -> None:
    scroll, width = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert scroll <= width + 1, f"{page.url} scrolls sideways ({scroll} > {width})"


def toast(page: Page, text: str) -> None:
    expect(page.locator(".toast").filter(has_text=text)).to_be_visible()


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_an_invoice_is_sent_paid_in_two_parts_and_receipted(
    viewport,
    office,
    stripe,
    site,
    open_window,
    receiver,  # noqa: F811 (the fixture)
):
    base = site.office(office.slug)
    staff = window(open_window, viewport)

    # The office signs in; the checklist asks it to connect Stripe.
    staff.goto(f"{base}/office/login/?next=/office/")
    staff.get_by_label("Email").fill(office.owner_email)
    staff.get_by_label("Password").fill(OWNER_PASSWORD)
    staff.get_by_role("button", name="Sign in", exact=True).click()
    checklist = staff.locator('[data-item="stripe"]')
    expect(checklist).to_have_attribute("data-done", "false")
    checklist.get_by_role("link").click()

    # Stripe's onboarding (the fake's page), and back.
    staff.get_by_role("button", name="Connect Stripe").click()
    expect(staff.get_by_role("heading", name="Set up payments")).to_be_visible()
    staff.get_by_role("button", name="Finish setup").click()
    toast(staff, "Stripe is connected")
    staff.goto(f"{base}/office/")
    expect(staff.locator('[data-item="stripe"]')).to_have_attribute("data-done", "true")

    # A new invoice: the totals follow what is typed.
    staff.goto(f"{base}/office/invoices/new/")
    staff.get_by_label("Contact").select_option(label="Noor Visser")
    staff.locator("#id_lines-0-description").fill("Kitchen design")
    staff.locator("#id_lines-0-unit_price").fill("800")
    staff.locator("#id_lines-0-tax_rate").fill("21")
    totals = staff.locator("#editor-totals")
    expect(totals.locator('[data-figure="total"]')).to_have_text("€968")
    staff.locator("#id_lines-1-description").fill("Site visit")
    staff.locator("#id_lines-1-quantity").fill("2")
    staff.locator("#id_lines-1-unit_price").fill("16")
    staff.locator("#id_lines-1-tax_rate").fill("21")
    expect(totals.locator('[data-figure="total"]')).to_have_text("€1,006.72")
    staff.get_by_label("The client may pay").select_option(label="At least a percentage of the total")
    staff.get_by_label("Smallest part (amount or %)").fill("25")
    shot(staff, "editor", viewport)
    no_sideways_scroll(staff)
    staff.get_by_role("button", name="Save draft").click()
    toast(staff, "Draft saved")

    # Send it: the design system's modal asks first.
    staff.get_by_role("button", name="Send to the client").click()
    dialog = staff.locator("dialog#confirm-dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Send this invoice?")
    dialog.get_by_role("button", name="Send").click()
    toast(staff, "emailed to them")
    number = staff.get_by_role("heading", level=1).inner_text().split()[1]
    assert re.fullmatch(r"\d{4}-0001", number)

    # The client opens the emailed link, signs in, and pays a deposit.
    [email] = [m for m in mail.outbox if CLIENT_EMAIL in m.to]
    assert email.subject == f"Invoice {number} from Ledger & Co"
    link = re.search(r"https?://\S+/invoices/\d+/", email.body).group(0)
    client = window(open_window, viewport)
    client.goto(link)
    client.get_by_label("Email").fill(CLIENT_EMAIL)
    client.get_by_label("Password").fill(CLIENT_PASSWORD)
    client.get_by_role("button", name="Sign in", exact=True).click()
    expect(client.get_by_role("heading", level=1)).to_contain_text(f"Invoice {number}")
    expect(client.locator("#pay-form")).to_contain_text("at least €251.68 now, up to the €1,006.72 left")
    amount = client.get_by_label("Amount to pay")
    amount.fill("100")
    client.get_by_role("button", name="Pay by card").click()
    expect(client.locator("#pay-form")).to_contain_text("Pay at least €251.68 and at most €1,006.72.")
    client.get_by_label("Amount to pay").fill("300")
    shot(client, "pay", viewport)
    no_sideways_scroll(client)
    client.get_by_role("button", name="Pay by card").click()
    expect(client.get_by_role("heading", name="Pay")).to_be_visible()
    expect(client.locator("body")).to_contain_text("300.00 EUR")
    client.get_by_role("button", name="Pay").click()
    expect(client.get_by_role("heading", level=1)).to_have_text(
        "Thank you, your payment of €300 has arrived."
    )
    expect(client.get_by_role("status").filter(has_text="Left to pay")).to_contain_text("€706.72")
    shot(client, "deposit-arrived", viewport)

    # Then the rest: the amount offered is what is left.
    client.get_by_role("link", name="Back to the invoice").click()
    expect(client.get_by_label("Amount to pay")).to_have_value("706.72")
    client.get_by_role("button", name="Pay by card").click()
    client.get_by_role("button", name="Pay").click()
    expect(client.get_by_role("heading", level=1)).to_have_text(
        "Thank you, your payment of €706.72 has arrived."
    )
    expect(client.locator(".badge").filter(has_text="Paid")).to_be_visible()
    shot(client, "paid", viewport)

    # The office sees it paid, both payments listed; the list's totals count them this month.
    staff.reload()
    expect(staff.get_by_role("heading", level=1)).to_contain_text("Paid")
    payments = staff.locator("#invoice-payments tbody tr")
    expect(payments).to_have_count(2)
    shot(staff, "invoice-paid", viewport)
    staff.goto(f"{base}/office/invoices/")
    expect(staff.locator('[data-total="paid_month"]')).to_contain_text("€1,006.72")
    shot(staff, "list", viewport)
    no_sideways_scroll(staff)

    # A receipt for each payment.
    receipts = [m.subject for m in mail.outbox if CLIENT_EMAIL in m.to and m.subject.startswith("Receipt")]
    assert receipts == [f"Receipt: €300 for invoice {number}", f"Receipt: €706.72 for invoice {number}"]
    with tenant_context(office.tenant):
        paid = Invoice.objects.get(number=number)
        assert (paid.status, paid.amount_paid) == ("paid", paid.total)
    connection.set_schema_to_public()

    # The office's endpoint received invoices.invoice_paid once, signed as Standard Webhooks says.
    with tenant_context(office.tenant):
        endpoint = WebhookEndpoint.objects.get()
    connection.set_schema_to_public()
    [delivered] = [r for r in receiver.requests if r.json["type"] == "invoices.invoice_paid"]
    event = Webhook(endpoint.secret).verify(delivered.body, delivered.headers)
    assert event["data"]["invoice"]["number"] == number
    assert (event["data"]["invoice"]["status"], event["data"]["invoice"]["balance"]) == ("paid", "0.00")
    assert event["data"]["payment"]["amount"] == "706.72"
    # … and the office's webhook log shows it delivered.
    staff.goto(f"{base}/office/webhooks/{endpoint.pk}/")
    logged = staff.locator(".webhook-delivery").filter(has_text="invoices.invoice_paid")
    expect(logged).to_have_count(1)
    expect(logged.locator(".badge").first).to_have_text("Succeeded")
    logged.locator("summary").first.click()
    expect(logged).to_contain_text(number)
