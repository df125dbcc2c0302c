"""The office's invoice settings (Invoices → Settings): the number pattern and its yearly reset, the
currency, payment terms, terms and footer, part payments and reminders new invoices start with,
refused with a message on the field that is wrong; then an invoice's notes, terms, footer and PO
number in the editor, on the office's and the client's page, in the PDF and in the API."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from modules.invoices import clock, services
from modules.invoices.models import Invoice, InvoiceTerms
from portal_core.models import Contact, PortalAccount
from tests.api.conftest import api
from tests.api.conftest import api_key_a as api_key_a  # noqa: F401 (fixture)
from tests.invoices.pdf_text import pdf_text
from tests.invoices.test_invoices import switched

D = Decimal
PAGE = "/office/invoices/settings/"
SETTINGS = {
    "number_pattern": "{YYYY}-{seq:04}",
    "number_reset_yearly": "on",
    "default_currency": "EUR",
    "payment_terms_days": "14",
    "default_terms": "",
    "default_footer": "",
    "deposit": "",
    "deposit_value": "",
    "remind_days_before": "3",
    "remind_on_due_date": "on",
    "remind_days_after": "7",
}


@pytest.fixture
def office_a(office_a, django_capture_on_commit_callbacks):
    switched(office_a, django_capture_on_commit_callbacks)
    return office_a


def in_office(office):
    return schema_context(office.schema_name)


def text(response) -> str:
    """The page as read: without its tags, spaces collapsed."""
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())))


def test_the_settings_page_shows_the_defaults_and_saves_with_a_confirmation(office_a):
    staff = office_a.staff_client()
    response = staff.get(PAGE)
    page = text(response)
    assert "Invoice settings" in page
    for shown in ('value="{YYYY}-{seq:04}"', 'value="EUR"', 'value="14"', 'value="3"', 'value="7"'):
        assert shown in response.content.decode(), shown
    year = clock.today().year
    assert f"gets the number {year}-0001" in page
    saved = staff.post(
        PAGE,
        {
            **SETTINGS,
            "number_pattern": "INV-{seq:05}",
            "number_reset_yearly": "",
            "default_currency": "usd",
            "payment_terms_days": "30",
            "default_terms": "Pay by bank transfer to NL00 BANK 0123 4567 89.",
            "default_footer": "Ledger & Co · KvK 1234 5678 · VAT NL0012345678B01",
            "deposit": "percent",
            "deposit_value": "25",
            "remind_days_before": "",
            "remind_on_due_date": "",
            "remind_days_after": "10",
        },
        follow=True,
    )
    assert "Invoice settings saved" in text(saved)
    assert "gets the number INV-00001" in text(saved)
    with in_office(office_a):
        terms = InvoiceTerms.objects.get()
        assert (terms.number_pattern, terms.number_reset_yearly, terms.default_currency) == (
            "INV-{seq:05}",
            False,
            "USD",
        )
        assert (terms.payment_terms_days, terms.deposit, terms.deposit_value) == (30, "percent", D(25))
        assert (terms.remind_days_before, terms.remind_on_due_date, terms.remind_days_after) == (
            None,
            False,
            10,
        )
        assert terms.default_footer.startswith("Ledger & Co")
        kim = Contact.objects.create(first_name="Kim")
        new = services.invoice_create(contact=kim, lines=[services.LineInput("Audit", D(1), D(100))])
        assert (new.currency, new.deposit, new.deposit_value, new.terms) == (
            "USD",
            "percent",
            D(25),
            "Pay by bank transfer to NL00 BANK 0123 4567 89.",
        )
        assert new.minimum_payment == D("25.00")  # the client may pay a quarter at a time
    editor = staff.get("/office/invoices/new/").content.decode()
    assert 'value="USD"' in editor and '<option value="percent" selected>' in editor


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("number_pattern", "INV-{YYYY}", "Put {seq}"),
        ("number_pattern", "{seq:04}", "need {YYYY} or {YY}"),
        ("number_pattern", "{YYYY}-{seq:04}-{DAY}", "Only {YYYY}"),
        ("default_currency", "EUX", "ISO 4217"),
        ("default_currency", "", "This field is required."),
        ("payment_terms_days", "400", "less than or equal to 365"),
        ("payment_terms_days", "-1", "greater than or equal to 0"),
        ("deposit_value", "100", "less than 100 percent"),
        ("remind_days_after", "200", "less than or equal to 120"),
    ],
)
def test_a_wrong_setting_is_refused_on_its_field_and_nothing_is_saved(office_a, field, value, message):
    staff = office_a.staff_client()
    body = {**SETTINGS, field: value}
    if field == "deposit_value":
        body["deposit"] = "percent"
    refused = staff.post(PAGE, body)
    assert refused.status_code == 400
    page = text(refused)
    assert "The settings are not saved" in page and message in page, page[-3000:]
    assert re.search(
        rf'<div class="field[^"]*field--error[^"]*"[^>]*>\s*<label for="id_{field}"', refused.content.decode()
    )
    with in_office(office_a):
        terms = services.invoice_terms_get()
        assert (terms.number_pattern, terms.default_currency, terms.payment_terms_days) == (
            "{YYYY}-{seq:04}",
            "EUR",
            14,
        )


def test_a_new_invoice_starts_from_the_settings_and_carries_its_texts_everywhere(
    office_a, api_key_a, django_capture_on_commit_callbacks
):
    client, account = office_a.portal_client("noor@example.com", first_name="Noor", language="nl")
    staff = office_a.staff_client()
    staff.post(
        PAGE,
        {
            **SETTINGS,
            "number_pattern": "LC/{YY}/{seq:03}",
            "payment_terms_days": "30",
            "default_terms": "Betaal binnen 30 dagen.",
            "default_footer": "Ledger & Co, KvK 12345678",
        },
    )
    editor = html.unescape(staff.get("/office/invoices/new/").content.decode())
    assert "Betaal binnen 30 dagen." in editor and "Ledger & Co, KvK 12345678" in editor
    with in_office(office_a):
        noor = PortalAccount.objects.get(pk=account.pk).contact
    form = {
        "contact": noor.pk,
        "currency": "EUR",
        "po_number": "PO-4471",
        "notes": "Thank you for the kitchen project.",
        "terms": "Betaal binnen 30 dagen.",
        "footer": "Ledger & Co, KvK 12345678",
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-0-description": "Kitchen design",
        "lines-0-quantity": "1",
        "lines-0-unit_price": "800",
        "lines-0-tax_rate": "21",
    }
    assert "Draft saved" in text(staff.post("/office/invoices/new/", form, follow=True))
    with in_office(office_a):
        invoice = Invoice.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        staff.post(f"/office/invoices/{invoice.pk}/send")
    connection.set_schema_to_public()
    with in_office(office_a):
        invoice = Invoice.objects.get()
        today = clock.today()
        assert invoice.number == f"LC/{today.year % 100:02d}/001"
        assert invoice.due_date == today + timedelta(days=30)  # the payment terms
    office_page = text(staff.get(f"/office/invoices/{invoice.pk}/"))
    for shown in (
        "PO number: PO-4471",
        "Thank you for the kitchen project.",
        "Betaal binnen 30 dagen.",
        "KvK 12345678",
    ):
        assert shown in office_page, shown
    portal = text(client.get(f"/invoices/{invoice.pk}/"))
    for shown in (
        "Ordernummer: PO-4471",
        "Opmerkingen",
        "Voorwaarden",
        "Betaal binnen 30 dagen.",
        "KvK 12345678",
    ):
        assert shown in portal, shown  # in the client's language (Dutch)
    pdf = pdf_text(client.get(f"/invoices/{invoice.pk}/pdf").content)
    for shown in ("PO-4471", "VOORWAARDEN", "Betaal binnen 30 dagen.", "Ledger & Co, KvK 12345678"):
        assert shown in pdf, shown  # labels in capitals
    body = api(office_a.host, api_key_a).get(f"/api/v1/invoices/{invoice.pk}/").json()
    assert (body["po_number"], body["notes"], body["terms"], body["footer"]) == (
        "PO-4471",
        "Thank you for the kitchen project.",
        "Betaal binnen 30 dagen.",
        "Ledger & Co, KvK 12345678",
    )
    assert {"number", "status", "currency", "lines", "total", "balance", "due_date"} <= set(body)


def test_the_api_drafts_with_the_offices_defaults_and_changes_the_texts(office_a, api_key_a):
    with in_office(office_a):
        services.invoice_terms_change(
            remind_days_before=3,
            remind_on_due_date=True,
            remind_days_after=7,
            default_currency="GBP",
            default_terms="30 days net.",
            default_footer="Registered in England.",
        )
        kim = Contact.objects.create(first_name="Kim")
    client = api(office_a.host, api_key_a)
    line = {"description": "Audit", "unit_price": "100"}
    created = client.post(
        "/api/v1/invoices/", {"contact": kim.pk, "lines": [line]}, content_type="application/json"
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["currency"], body["terms"], body["footer"]) == (
        "GBP",
        "30 days net.",
        "Registered in England.",
    )
    changed = client.patch(
        f"/api/v1/invoices/{body['id']}/",
        {"terms": "Due on receipt.", "footer": ""},
        content_type="application/json",
    ).json()
    assert (changed["terms"], changed["footer"], changed["currency"]) == ("Due on receipt.", "", "GBP")
    own = client.post(
        "/api/v1/invoices/",
        {"contact": kim.pk, "currency": "EUR", "terms": "", "lines": [line]},
        content_type="application/json",
    ).json()
    assert (own["currency"], own["terms"], own["footer"]) == ("EUR", "", "Registered in England.")
