"""``/api/v1/invoices/``: the generic suites of ``tests/api/mixins`` (lists, cursor pages, filters,
field errors, changes, the whole isolation suite: another office's key and JWT, read-only keys,
client tokens, the module switched off), then what invoices add: drafts change and sent ones do not,
send, void, payments and the PDF, each refused to every outsider."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone
from django_tenants.utils import tenant_context

from modules.invoices import services
from modules.invoices.models import Invoice
from portal_core.models import Company, Contact
from portal_core.services import module_enable
from tests.api import conftest as api_conftest
from tests.api.conftest import api
from tests.api.mixins import (
    CreateTests,
    IsolationTests,
    ListTests,
    RetrieveTests,
    UpdateTests,
    assert_field_errors,
    call,
    client_jwt,
    in_schema,
    staff_jwt,
)
from tests.invoices.pdf_text import amount_of, labelled, pdf_text

from ..conftest import PLATFORM_HOST

BASE = "/api/v1/invoices/"
D = Decimal


def module_on(office, capture) -> None:
    with tenant_context(office.tenant), capture(execute=True):
        module_enable(key="invoices")
    connection.set_schema_to_public()


@pytest.fixture
def office_a(office_a, django_capture_on_commit_callbacks):
    module_on(office_a, django_capture_on_commit_callbacks)
    return office_a


@pytest.fixture
def office_b(office_b, django_capture_on_commit_callbacks):
    module_on(office_b, django_capture_on_commit_callbacks)
    return office_b


api_key_a, api_key_b = api_conftest.api_key_a, api_conftest.api_key_b


def _contact(label: str) -> Contact:
    slug = label.lower().replace(" ", "-").replace("'", "")
    return Contact.objects.create(first_name=label.title(), email=f"{slug}@example.com")


def _line(description="Consulting", quantity="2", unit_price="60.50", tax_rate="21", discount_percent="0"):
    return {
        "description": description,
        "quantity": quantity,
        "unit_price": unit_price,
        "tax_rate": tax_rate,
        "discount_percent": discount_percent,
    }


def draft(contact=None, *prices: str, company=None, **more) -> Invoice:
    lines = [services.LineInput(f"Work {n}", D(1), D(p), D(21)) for n, p in enumerate(prices or ("100",))]
    return services.invoice_create(contact=contact, company=company, lines=lines, **more)


def _post(client, path, body=None):
    return client.post(path, body or {}, content_type="application/json")


class TestInvoices(ListTests, CreateTests, RetrieveTests, UpdateTests, IsolationTests):
    url = BASE
    model = Invoice
    detail_methods = ("get", "put", "patch")
    actions = ("send", "void")
    bad_filter = {"status": "late", "overdue": "maybe", "contact": "x"}
    invalid_body = {"currency": "EURO", "discount_percent": "150", "lines": []}
    patch_body = {"po_number": "PO-9", "lines": [_line("Photos", "3", "49.95", "9")]}

    def make(self, label):
        return draft(_contact(label), "100", "20.50")

    def make_many(self, created):
        contact = _contact("bulk")
        rows = Invoice.objects.bulk_create(Invoice(contact=contact, created=at) for at in created)
        return [row.pk for row in rows]

    def filter_cases(self):
        ada, bob = _contact("ada"), _contact("bob")
        firm = Company.objects.create(name="Firm BV")
        mine = draft(ada, "10")
        sent = services.invoice_send(invoice=draft(ada, "20"))
        late = services.invoice_send(
            invoice=draft(bob, "30", due_date=timezone.localdate() - timedelta(days=2))
        )
        theirs = draft(company=firm)
        return [
            ({}, {mine.pk, sent.pk, late.pk, theirs.pk}),
            ({"contact": ada.pk}, {mine.pk, sent.pk}),
            ({"company": firm.pk}, {theirs.pk}),
            ({"status": "sent"}, {sent.pk, late.pk}),
            ({"overdue": "true"}, {late.pk}),
            ({"overdue": "false", "contact": bob.pk}, set()),
            ({"status": "draft", "contact": ada.pk}, {mine.pk}),
        ]

    def create_body(self):
        return {
            "contact": _contact("Kim").pk,
            "currency": "eur",
            "discount_percent": "10",
            "po_number": "PO-1",
            "lines": [_line(), _line("Travel", "1", "35", "0")],
        }

    def check_created(self, row, body):
        # 2 × 60.50 = 121.00 at 21 % and 35.00 at 0 %, less 10 % (12.10 and 3.50): 108.90 with 22.87
        # tax, and 31.50 untaxed; 163.27 in all.
        assert (row.status, row.number, row.currency, row.contact.first_name) == ("draft", "", "EUR", "Kim")
        assert [line.description for line in row.lines.all()] == ["Consulting", "Travel"]
        assert (body["subtotal"], body["discount"], body["tax"], body["total"]) == (
            "156.00",
            "15.60",
            "22.87",
            "163.27",
        )
        assert body["total"] == str(row.total.quantize(D("0.01"))) and body["balance"] == body["total"]
        assert [line["amount"] for line in body["lines"]] == ["121.00", "35.00"]

    def check_patched(self, before, after):
        assert after.po_number == "PO-9" and after.contact_id == before.contact_id
        assert [(x.description, x.quantity) for x in after.lines.all()] == [("Photos", D(3))]
        assert after.total == D("163.34")  # 3 × 49.95 = 149.85, 9 % tax 13.49

    def test_it_puts(self, office_a, api_key_a):
        with in_schema(office_a):
            before = self.make("replaced")
            firm = Company.objects.create(name="Firm BV")
        client = api(office_a.host, api_key_a)
        body = {"company": firm.pk, "lines": [_line("Audit", "1", "1000", "0")]}
        response = call(client, "put", self.detail_url(before.pk), body)
        assert response.status_code == 200, response.content
        assert response.json() == client.get(self.detail_url(before.pk)).json()
        shown = response.json()
        assert (shown["company_id"], shown["contact_id"], shown["total"], shown["currency"]) == (
            firm.pk,
            None,
            "1000.00",
            "EUR",
        )

    def test_a_sent_invoice_does_not_change_and_sending_numbers_and_emails_it(self, office_a, api_key_a):
        with in_schema(office_a):
            row = self.make("Sent")
        client = api(office_a.host, api_key_a)
        mail.outbox.clear()
        sent = _post(client, f"{BASE}{row.pk}/send")
        assert sent.status_code == 200, sent.content
        shown = sent.json()
        assert shown["status"] == "sent" and shown["number"] == f"{date.today().year}-0001"
        assert shown["issue_date"] == timezone.localdate().isoformat() and shown["due_date"]
        [email] = mail.outbox
        assert (
            email.to == ["sent@example.com"] and email.attachments[0][0] == f"invoice-{shown['number']}.pdf"
        )
        refused = client.patch(self.detail_url(row.pk), {"notes": "Later"}, content_type="application/json")
        assert_field_errors(refused, "non_field_errors")
        assert "Only a draft" in refused.json()["message"]

    def test_void_needs_a_reason_and_a_void_invoice_is_not_sent(self, office_a, api_key_a):
        with in_schema(office_a):
            row = services.invoice_send(invoice=self.make("Void"))
        client = api(office_a.host, api_key_a)
        assert_field_errors(_post(client, f"{BASE}{row.pk}/void", {"reason": ""}), "reason")
        voided = _post(client, f"{BASE}{row.pk}/void", {"reason": "Wrong client"})
        assert voided.status_code == 200 and voided.json()["status"] == "void"
        assert voided.json()["void_reason"] == "Wrong client" and voided.json()["voided_at"]
        assert_field_errors(_post(client, f"{BASE}{row.pk}/send"), "non_field_errors")

    def test_it_needs_one_client_and_names_a_missing_one(self, office_a, api_key_a):
        client = api(office_a.host, api_key_a)
        with in_schema(office_a):
            kim, firm = _contact("Kim"), Company.objects.create(name="Firm BV")
        assert_field_errors(_post(client, BASE, {"lines": [_line()]}), "contact")
        both = {"contact": kim.pk, "company": firm.pk, "lines": [_line()]}
        assert_field_errors(_post(client, BASE, both), "contact")
        assert_field_errors(_post(client, BASE, {"contact": 999999, "lines": [_line()]}), "contact")
        assert_field_errors(
            _post(client, BASE, {"contact": kim.pk, "currency": "XYZ", "lines": [_line()]}), "currency"
        )
        numbers = {"contact": kim.pk, "lines": [{**_line(), "quantity": 2}]}
        assert_field_errors(
            _post(client, BASE, numbers), "lines"
        )  # a decimal is a string, as the schema says


def test_payments_are_listed_and_recorded_and_the_invoice_follows(
    office_a, api_key_a, django_capture_on_commit_callbacks
):
    with in_schema(office_a):
        invoice = services.invoice_send(invoice=draft(_contact("Kim"), "100"))  # 121.00
    client = api(office_a.host, api_key_a)
    url = f"{BASE}{invoice.pk}/payments/"
    assert client.get(url).json()["results"] == []
    body = {"amount": "21.00", "method": "bank_transfer", "paid_on": "2026-12-01", "note": "Ref 42"}
    with django_capture_on_commit_callbacks(execute=True):  # the invoice hears of it once it commits
        recorded = _post(client, url, body)
    assert recorded.status_code == 201, recorded.content
    payment = recorded.json()
    assert (payment["invoice_id"], payment["amount"], payment["status"], payment["method"]) == (
        invoice.pk,
        "21.00",
        "succeeded",
        "bank_transfer",
    )
    assert payment["recorded_by"] and client.get(url).json()["results"] == [payment]
    shown = client.get(f"{BASE}{invoice.pk}/").json()
    assert (shown["status"], shown["amount_paid"], shown["balance"]) == ("partially_paid", "21.00", "100.00")
    assert_field_errors(_post(client, url, {**body, "amount": "100.01"}), "amount")
    assert_field_errors(_post(client, url, {**body, "method": "card"}), "method")
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    assert_field_errors(_post(client, url, {**body, "paid_on": tomorrow}), "paid_on")
    with django_capture_on_commit_callbacks(execute=True):
        assert _post(client, url, {**body, "amount": "100"}).status_code == 201
    assert client.get(f"{BASE}{invoice.pk}/").json()["status"] == "paid"
    assert_field_errors(_post(client, url, {**body, "amount": "1"}), "non_field_errors")  # nothing left
    assert client.get(f"{BASE}2000000000/payments/").json() == {"message": "Invoice not found."}


def test_the_pdf_is_the_invoices_in_the_clients_language_or_the_one_asked_for(office_a, api_key_a):
    with in_schema(office_a):
        contact = Contact.objects.create(first_name="Sanne", email="sanne@example.com", language="nl")
        invoice = services.invoice_send(invoice=draft(contact, "1234.56", "0.99"))
    client = api(office_a.host, api_key_a)
    shown = client.get(f"{BASE}{invoice.pk}/").json()
    response = client.get(f"{BASE}{invoice.pk}/pdf", HTTP_ACCEPT="application/pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="invoice-{invoice.number}.pdf"'
    dutch = pdf_text(response.content)
    assert "Factuur" in dutch and invoice.number in dutch
    assert amount_of(labelled(dutch, "Totaal"), "nl") == D(shown["total"]) == D("1495.02")
    english = pdf_text(client.get(f"{BASE}{invoice.pk}/pdf", {"language": "en"}).content)
    assert amount_of(labelled(english, "Total")) == D(shown["total"]) and "€1,234.56" in english
    assert_field_errors(client.get(f"{BASE}{invoice.pk}/pdf", {"language": "xx"}), "language")
    as_bytes = client.get(f"{BASE}{invoice.pk}/pdf", HTTP_ACCEPT="application/octet-stream")
    assert as_bytes["Content-Type"] == "application/octet-stream" and as_bytes.content.startswith(b"%PDF-")
    missing = client.get(f"{BASE}2000000000/pdf", HTTP_ACCEPT="application/pdf")
    assert (missing.status_code, missing["Content-Type"]) == (404, "application/json")
    assert missing.json() == {"message": "Invoice not found."}


def test_payments_and_the_pdf_refuse_every_outsider(office_a, office_b, api_key_a, api_key_b):
    with in_schema(office_a):
        invoice = services.invoice_send(invoice=draft(_contact("Kim"), "100"))
    endpoints = [
        ("get", f"{BASE}{invoice.pk}/payments/"),
        ("post", f"{BASE}{invoice.pk}/payments/"),
        ("get", f"{BASE}{invoice.pk}/pdf"),
    ]
    for token in (api_key_b, staff_jwt(office_b)):
        for method, path in endpoints:
            response = call(api(office_a.host, token), method, path)
            assert response.status_code == 401, (method, path, response.content)
            assert response.json() == {"message": "This token belongs to another portal."}
    with in_schema(office_b):
        assert not Invoice.objects.filter(pk=invoice.pk).exists()
    for method, path in endpoints:  # on the platform host office B's key reaches office B: no such invoice
        response = call(api(PLATFORM_HOST, api_key_b), method, path)
        assert (response.status_code, response.json()) == (404, {"message": "Invoice not found."}), path
        assert call(api(office_a.host), method, path).status_code == 401
        response = call(api(office_a.host, client_jwt(office_a, email=f"{method}@example.com")), method, path)
        assert response.status_code == 403, (method, path)
    assert call(api(PLATFORM_HOST, api_key_a), "get", f"{BASE}{invoice.pk}/pdf").status_code == 200
