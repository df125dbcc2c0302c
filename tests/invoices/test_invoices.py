"""The invoices module: the office drafts, sends (numbers without gaps) and voids invoices; the
client sees their own and pays them through the office's Stripe account (the fake Stripe server),
and the invoice is paid once the Connect webhook lands."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django_tenants.utils import schema_context, tenant_context

from modules.invoices import services
from modules.invoices.models import Invoice
from portal_core.models import Contact, PortalAccount
from portal_core.payments import services as payments
from portal_core.services import module_disable, module_enable
from tests.portal_core.test_payments import connected, stripe_fake  # noqa: F401 (fixture)

D = Decimal


def switched(office, capture, *, on: bool = True) -> None:
    with tenant_context(office.tenant), capture(execute=True):
        (module_enable if on else module_disable)(key="invoices")
    connection.set_schema_to_public()


@pytest.fixture
def office_a(office_a, django_capture_on_commit_callbacks):
    switched(office_a, django_capture_on_commit_callbacks)
    return office_a


def draft_for(contact, *prices: str, tax: str = "21") -> Invoice:
    lines = [services.LineInput(f"Work {n}", D("1"), D(price), D(tax)) for n, price in enumerate(prices)]
    return services.invoice_create(contact=contact, lines=lines)


def in_office(office):
    return schema_context(office.schema_name)


def test_the_office_drafts_an_invoice_with_lines_and_sends_it_with_the_next_number(office_a):
    with in_office(office_a):
        contact = Contact.objects.create(first_name="Kim", email="kim@example.com")
    connection.set_schema_to_public()
    staff = office_a.staff_client()
    form = {
        "contact": contact.pk,
        "currency": "EUR",
        "discount_percent": "10",
        "lines-TOTAL_FORMS": "3",
        "lines-INITIAL_FORMS": "0",
        "lines-0-description": "Valuation",
        "lines-0-quantity": "1",
        "lines-0-unit_price": "250",
        "lines-0-tax_rate": "21",
        "lines-1-description": "Photos",
        "lines-1-quantity": "2",
        "lines-1-unit_price": "49.95",
        "lines-1-tax_rate": "21",
        "lines-2-description": "No price",
        "lines-2-quantity": "1",
        "lines-2-unit_price": "",
    }
    refused = staff.post("/office/invoices/new/", form)
    assert refused.status_code == 200 and "Give the line a price." in refused.content.decode()
    form["lines-2-description"] = ""
    page = staff.post("/office/invoices/new/", form, follow=True).content.decode()
    assert "Draft saved" in page
    with in_office(office_a):
        invoice = Invoice.objects.get()
        assert (invoice.subtotal, invoice.discount, invoice.tax, invoice.total) == (
            D("349.90"),
            D("34.99"),
            D("66.13"),
            D("381.04"),
        )
        assert invoice.status == "draft" and invoice.number == ""
    connection.set_schema_to_public()
    sent = staff.post(f"/office/invoices/{invoice.pk}/send", follow=True).content.decode()
    year = date.today().year
    assert f"Invoice {year}-0001 is open for payment" in sent
    with in_office(office_a):
        second = services.invoice_send(invoice=draft_for(contact, "10"))
        draft_for(contact, "5")  # a draft takes no number
        third = services.invoice_send(invoice=draft_for(contact, "20"))
        assert (second.number, third.number) == (f"{year}-0002", f"{year}-0003")
        again = services.invoice_send(invoice=second)  # sending again keeps the number
        assert again.number == f"{year}-0002"


def test_a_void_needs_a_reason_and_keeps_its_number(office_a):
    with in_office(office_a):
        invoice = services.invoice_send(invoice=draft_for(Contact.objects.create(first_name="Kim"), "10"))
    connection.set_schema_to_public()
    staff = office_a.staff_client()
    assert (
        "Say why"
        in staff.post(f"/office/invoices/{invoice.pk}/void", {"reason": ""}, follow=True).content.decode()
    )
    assert (
        "The invoice is void."
        in staff.post(
            f"/office/invoices/{invoice.pk}/void", {"reason": "Wrong client"}, follow=True
        ).content.decode()
    )
    with in_office(office_a):
        voided = Invoice.objects.get(pk=invoice.pk)
        assert (voided.status, voided.number, voided.void_reason) == ("void", invoice.number, "Wrong client")


def test_a_client_sees_only_their_own_sent_invoices(office_a, office_b):
    chris, account = office_a.portal_client("chris@example.com")
    olga, _ = office_a.portal_client("olga@example.com", first_name="Olga")
    with in_office(office_a):
        contact = PortalAccount.objects.get(pk=account.pk).contact
        sent = services.invoice_send(invoice=draft_for(contact, "99.50"))
        draft = draft_for(contact, "12")
    connection.set_schema_to_public()
    page = chris.get("/invoices/").content.decode()
    assert f"Invoice {sent.number}" in page and "€120.40" in page
    assert chris.get(f"/invoices/{draft.pk}/").status_code == 404
    assert "€120.40" in chris.get(f"/invoices/{sent.pk}/").content.decode()
    strangers = office_b.client()
    strangers.post("/office/login/", {"username": office_b.owner_email, "password": office_b.owner_password})
    for path in (f"/invoices/{sent.pk}/", f"/invoices/{sent.pk}/paid"):
        assert olga.get(path).status_code == 404
    assert olga.post(f"/invoices/{sent.pk}/pay").status_code == 404
    for path in ("/office/invoices/", f"/office/invoices/{sent.pk}/"):
        assert strangers.get(path, HTTP_HOST=office_a.host).status_code in (302, 403)
        assert chris.get(path).status_code in (302, 403)
    with in_office(office_a):
        assert Invoice.objects.get(pk=sent.pk).viewed_at is not None


def test_the_client_pays_by_card_and_the_invoice_is_paid_when_the_webhook_lands(
    office_a,
    stripe_fake,  # noqa: F811 (the fixture)
    django_capture_on_commit_callbacks,
):
    account_id = connected(office_a, stripe_fake)
    client, account = office_a.portal_client()
    with in_office(office_a):
        invoice = services.invoice_send(
            invoice=draft_for(PortalAccount.objects.get(pk=account.pk).contact, "100")
        )
    connection.set_schema_to_public()
    to_stripe = client.post(f"/invoices/{invoice.pk}/pay")
    assert to_stripe.status_code == 302 and to_stripe["Location"].startswith(
        stripe_fake.fake.base_url + "/pay/"
    )
    session = stripe_fake.fake.objects[to_stripe["Location"].rsplit("/", 1)[1]]
    assert (session["amount_total"], session["_account"]) == (12100, account_id)  # on the office's account
    processing = client.get(f"/invoices/{invoice.pk}/paid").content.decode()
    assert "being processed" in processing and 'http-equiv="refresh"' in processing
    stripe_fake.fake.pay(session["id"])
    with django_capture_on_commit_callbacks(execute=True):
        assert stripe_fake.flush() == [200]
    done = client.get(f"/invoices/{invoice.pk}/paid").content.decode()
    assert "your payment has arrived" in done and 'http-equiv="refresh"' not in done
    with in_office(office_a):
        paid = Invoice.objects.get(pk=invoice.pk)
        assert (paid.status, paid.amount_paid, paid.balance) == ("paid", D("121.00"), D("0"))
    assert client.post(f"/invoices/{invoice.pk}/pay", follow=True).status_code == 200  # nothing left to pay
    assert len([r for r in stripe_fake.fake.requests if r[1] == "/v1/checkout/sessions"]) == 1


def test_part_payments_add_up_and_a_payment_is_heard_only_while_the_module_is_on(
    office_a, django_capture_on_commit_callbacks
):
    with in_office(office_a):
        invoice = services.invoice_send(
            invoice=draft_for(Contact.objects.create(first_name="Kim"), "100", tax="0")
        )

    def record(amount, currency="EUR"):
        with in_office(office_a), django_capture_on_commit_callbacks(execute=True):
            payments.manual_payment_record(
                module="invoices",
                reference=str(invoice.pk),
                amount=D(amount),
                currency=currency,
                method="bank_transfer",
                paid_on=date(2026, 12, 1),
            )
        connection.set_schema_to_public()
        with in_office(office_a):
            return Invoice.objects.get(pk=invoice.pk)

    assert record("40.00").status == "partially_paid"
    assert record("10.00", currency="USD").amount_paid == D("40.00")  # another currency never counts
    switched(office_a, django_capture_on_commit_callbacks, on=False)
    assert record("60.00").status == "partially_paid"  # the module is off: it does not hear
    switched(office_a, django_capture_on_commit_callbacks, on=True)
    paid = record("0.01")
    assert (paid.status, paid.amount_paid) == ("paid", D("100.01"))  # every payment counted once on
