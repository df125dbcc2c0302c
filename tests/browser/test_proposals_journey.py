"""A proposal accepted and signed, in a real browser on desktop and on a phone: the office sends a
proposal with a choice group and an optional item; the client picks, changes a quantity and sees
the totals follow, reviews the document, ticks the consent, types their name and draws their
signature on the canvas (mouse moves), pays the deposit on the (fake) Checkout page; the invoice
for the accepted items, the deposit counted, appears in the invoices module; the signed PDF is
recognised on the platform's verification page and a copy with one byte changed is not."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
from django.contrib.auth.hashers import make_password
from django.db import connection
from django.utils import timezone
from django_tenants.utils import tenant_context
from playwright.sync_api import Page, expect

from modules.proposals.models import Proposal
from portal_core.access import portal_account_for
from portal_core.models import Contact, PortalAccount, PortalConfig
from portal_core.payments import services as payments
from portal_core.services import module_enable
from tests.proposals.helpers import draft_for

from ..conftest import OWNER_PASSWORD
from .axe import assert_accessible
from .test_invoices_journey import no_sideways_scroll, stripe  # noqa: F401 (stripe: the fixture)

pytestmark = pytest.mark.browser

VIEWPORTS = ["desktop", "phone"]
CLIENT_EMAIL = "noor@example.com"
CLIENT_PASSWORD = "Client-pass-2026!"
SHOTS = Path(__file__).resolve().parents[2] / "test-results"


@pytest.fixture
def office(make_office, stripe):  # noqa: F811 (the fixture)
    """An office with proposals and invoices on, its Stripe account connected, Noor (a client who
    has joined) and a draft proposal for her."""
    office = make_office("quill", "Quill Studio")
    with tenant_context(office.tenant):
        config = PortalConfig.objects.get()
        config.is_active = True
        config.save()
        module_enable(key="proposals")
        module_enable(key="invoices")
        noor = Contact.objects.create(first_name="Noor", last_name="Visser", email=CLIENT_EMAIL)
        account = portal_account_for(contact=noor)
        account.password = make_password(CLIENT_PASSWORD)
        account.status = PortalAccount.Status.JOINED
        account.invited_at = account.joined_at = timezone.now()
        account.onboarding_completed = account.tour_completed = True
        account.save()
        payments.connect_start(email=office.owner_email, return_url="https://x/r", refresh_url="https://x/f")
        account_id = payments.connection_get().account_id
        draft_for(noor)
    connection.set_schema_to_public()
    stripe.complete_onboarding(account_id)
    return office


def shot(page: Page, name: str, viewport: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SHOTS / f"proposals-{name}-{viewport}.png", full_page=True)
    assert_accessible(page, f"the proposals {name} page ({viewport})")


def draw_signature(page: Page) -> None:
    pad = page.locator("#signature-pad")
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    x, y, w, h = box["x"], box["y"], box["width"], box["height"]
    page.mouse.move(x + w * 0.1, y + h * 0.7)
    page.mouse.down()
    for n in range(1, 21):
        page.mouse.move(x + w * (0.1 + 0.04 * n), y + h * (0.3 if n % 2 else 0.7), steps=2)
    page.mouse.up()


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_a_proposal_is_chosen_signed_paid_and_invoiced_and_its_pdf_verifies(
    viewport,
    office,
    stripe,  # noqa: F811 (the fixture)
    site,
    open_window,
):
    base = site.office(office.slug)
    phone = viewport == "phone"
    with tenant_context(office.tenant):
        proposal = Proposal.objects.get()
    connection.set_schema_to_public()

    # The office sends the proposal (the design system's modal asks first).
    staff = open_window(phone=phone)
    staff.goto(f"{base}/office/login/?next=/office/proposals/{proposal.pk}/")
    staff.get_by_label("Email").fill(office.owner_email)
    staff.get_by_label("Password").fill(OWNER_PASSWORD)
    staff.get_by_role("button", name="Sign in", exact=True).click()
    staff.get_by_role("button", name="Send to the client").click()
    staff.locator("dialog#confirm-dialog").get_by_role("button", name="Send").click()
    expect(staff.locator(".toast").filter(has_text="Version 1")).to_be_visible()
    shot(staff, "office-proposal", viewport)

    # The client picks the premium hosting and three training sessions: the totals follow.
    client = open_window(phone=phone)
    client.goto(f"{base}/proposals/{proposal.pk}/")
    client.get_by_label("Email").fill(CLIENT_EMAIL)
    client.get_by_label("Password").fill(CLIENT_PASSWORD)
    client.get_by_role("button", name="Sign in", exact=True).click()
    expect(client.get_by_role("heading", level=1)).to_contain_text("Website redesign")
    total = client.locator("[data-total]")
    expect(total).to_have_text("€1,331")
    client.get_by_label("Premium hosting").check()
    client.get_by_label("Training").check()
    client.locator('input[name="quantity-3"]').fill("3")
    expect(total).to_have_text("€1,754.50")
    expect(client.locator("[data-deposit]")).to_have_text("€526.35")
    shot(client, "choose", viewport)
    no_sideways_scroll(client)

    # Review, consent, type the name, draw, sign.
    client.get_by_role("button", name="Review and sign").click()
    expect(client.get_by_role("heading", level=1)).to_have_text("Review and sign")
    client.get_by_label("I agree to sign this document electronically", exact=False).check()
    client.get_by_label("Your full name").fill("Noor Visser")
    draw_signature(client)
    expect(client.locator("#id_drawing")).to_have_value(re.compile(r"^data:image/png;base64,"))
    shot(client, "sign", viewport)
    no_sideways_scroll(client)
    client.get_by_role("button", name=re.compile("Sign and accept")).click()
    expect(client.locator("#signed-note")).to_contain_text("Signed by Noor Visser")

    # The deposit, on the (fake) Checkout page.
    client.get_by_role("button", name="Pay €526.35").click()
    expect(client.locator("body")).to_contain_text("526.35 EUR")
    client.get_by_role("button", name="Pay").click()
    expect(client.get_by_role("status")).to_contain_text("Your deposit has arrived")
    shot(client, "paid", viewport)

    # The invoice of the rest is in the invoices module, for the office and the client.
    staff.goto(f"{base}/office/invoices/")
    staff.get_by_role("link", name=re.compile(r"\d{4}-0001")).first.click()
    expect(staff.locator("body")).to_contain_text("Premium hosting")
    expect(staff.locator("#invoice-payments")).to_contain_text("Deposit paid earlier")
    shot(staff, "invoice", viewport)
    client.goto(f"{base}/invoices/")
    expect(client.locator("body")).to_contain_text("€1,228.15")

    # The signed PDF verifies on the platform host; a copy with a byte changed does not.
    client.goto(f"{base}/proposals/{proposal.pk}/")
    shot(client, "signed", viewport)
    with client.expect_download() as download:
        client.get_by_role("link", name="Download the signed PDF").click()
    content = Path(download.value.path()).read_bytes()
    with tenant_context(office.tenant):
        stored = proposal.signatures.get().sealed_sha256
    connection.set_schema_to_public()
    assert hashlib.sha256(content).hexdigest() == stored
    verifier = open_window(phone=phone)
    verifier.goto(f"{site.platform}/verify/")
    verifier.get_by_label("The PDF to check").set_input_files(
        {"name": "signed.pdf", "mimeType": "application/pdf", "buffer": content}
    )
    verifier.get_by_role("button", name="Check the document").click()
    expect(verifier.locator("#verdict")).to_contain_text("This is a document sealed by Portico.")
    expect(verifier.locator("#verdict")).to_contain_text("Quill Studio")
    shot(verifier, "verified", viewport)
    changed = bytearray(content)
    changed[len(changed) // 3] ^= 0x01
    verifier.get_by_label("The PDF to check").set_input_files(
        {"name": "changed.pdf", "mimeType": "application/pdf", "buffer": bytes(changed)}
    )
    verifier.get_by_role("button", name="Check the document").click()
    expect(verifier.locator("#verdict")).to_contain_text("Not recognised.")
