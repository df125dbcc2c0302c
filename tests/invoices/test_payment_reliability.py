"""Card payments when things go wrong, through the fake Stripe and the Connect webhook: two payments
racing for one balance (both counted, the excess flagged for a refund), the same event twice and an
event that lands before the client is back, a payment for an invoice voided meanwhile (kept and
flagged, never lost), and a payment in another currency than the invoice's (not counted, flagged)."""

from __future__ import annotations

import html
import re
import threading
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection, connections
from django_tenants.utils import schema_context, tenant_context

from modules.invoices import services
from modules.invoices.models import Invoice
from portal_core.models import PortalAccount
from portal_core.payments.models import Payment
from portal_core.services import module_enable
from tests.invoices.test_invoices import draft_for, switched
from tests.portal_core.test_payments import connected, stripe_fake  # noqa: F401 (fixture)
from tests.webhooks.conftest import receiver  # noqa: F401 (fixture)
from webhooks.models import WebhookEvent
from webhooks.services import endpoint_create

D = Decimal


@pytest.fixture
def office_a(office_a, django_capture_on_commit_callbacks):
    switched(office_a, django_capture_on_commit_callbacks)
    return office_a


def in_office(office):
    return schema_context(office.schema_name)


def text(response) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())))


def open_invoice(office, account, price: str = "100") -> Invoice:
    """A sent invoice of ``price`` plus 21 % tax for the account's contact."""
    with in_office(office):
        invoice = services.invoice_send(
            invoice=draft_for(PortalAccount.objects.get(pk=account.pk).contact, price)
        )
    connection.set_schema_to_public()
    return invoice


def checkout_of(client, invoice, fake) -> dict:
    """The client presses Pay: the fake's Checkout session it is sent to."""
    to_stripe = client.post(f"/invoices/{invoice.pk}/pay")
    assert to_stripe.status_code == 302, to_stripe
    return fake.objects[to_stripe["Location"].rsplit("/", 1)[1]]


def invoice_now(office, invoice) -> Invoice:
    with in_office(office):
        found = Invoice.objects.get(pk=invoice.pk)
    connection.set_schema_to_public()
    return found


def payments_of(office, invoice) -> list[Payment]:
    with in_office(office):
        found = list(services.invoice_payments(invoice).order_by("id"))
    connection.set_schema_to_public()
    return found


def receipts() -> list[str]:
    return [m.subject for m in mail.outbox if m.subject.startswith("Receipt")]


@pytest.mark.django_db(transaction=True)
def test_two_payments_racing_for_one_balance_both_count_and_the_excess_is_flagged(
    make_office,
    stripe_fake,  # noqa: F811 (the fixture)
    receiver,  # noqa: F811 (the fixture)
):
    """The client pays the same balance in two tabs; both webhooks land at the same moment on two
    connections. Both payments count (none is lost), and the office is told to give one back."""
    office = make_office("racing")
    with tenant_context(office.tenant):
        module_enable(key="invoices")
        endpoint_create(url=receiver.url)
    connection.set_schema_to_public()
    connected(office, stripe_fake)
    client, account = office.portal_client()
    invoice = open_invoice(office, account)
    first, second = (
        checkout_of(client, invoice, stripe_fake.fake),
        checkout_of(client, invoice, stripe_fake.fake),
    )
    assert first["amount_total"] == second["amount_total"] == 12100  # both for the whole balance
    stripe_fake.fake.pay(first["id"])
    stripe_fake.fake.pay(second["id"])
    held, stripe_fake.held = stripe_fake.held, []
    assert len(held) == 2
    barrier, answers = threading.Barrier(2), []

    def land(payload, header):
        try:
            barrier.wait()
            answers.append(stripe_fake.post(payload, header).status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=land, args=item) for item in held]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == [200, 200]

    paid = invoice_now(office, invoice)
    assert (paid.status, paid.amount_paid, paid.balance) == ("paid", D("242.00"), D(0))
    assert [p.status for p in payments_of(office, invoice)] == ["succeeded", "succeeded"]
    with in_office(office):
        told = list(WebhookEvent.objects.filter(type__startswith="invoices.").values_list("type", flat=True))
    connection.set_schema_to_public()
    assert told.count("invoices.payment_received") == 2 and told.count("invoices.invoice_paid") == 1
    staff = office.staff_client()
    page = text(staff.get(f"/office/invoices/{invoice.pk}/"))
    assert "Money to give back" in page and "Overpaid by €121" in page
    listed = text(staff.get("/office/invoices/"))
    assert "1 invoice holds money to give back" in listed
    assert paid.number in text(staff.get("/office/invoices/?status=refund"))

    # The office refunds one payment through Stripe; once Stripe confirms, nothing is left to flag.
    extra = payments_of(office, invoice)[1]
    staff.post(f"/office/invoices/{invoice.pk}/payments/{extra.pk}/refund", {"amount": ""})
    assert stripe_fake.flush() == [200]
    settled = invoice_now(office, invoice)
    assert (settled.status, settled.amount_paid) == ("paid", D("121.00"))
    assert "Money to give back" not in text(staff.get(f"/office/invoices/{invoice.pk}/"))
    assert "money to give back" not in text(staff.get("/office/invoices/"))


def test_the_same_event_twice_counts_once_and_an_early_one_shows_on_the_return_page(
    office_a,
    stripe_fake,  # noqa: F811 (the fixture)
    django_capture_on_commit_callbacks,
):
    connected(office_a, stripe_fake)
    client, account = office_a.portal_client()
    invoice = open_invoice(office_a, account)
    session = checkout_of(client, invoice, stripe_fake.fake)
    stripe_fake.fake.pay(session["id"])
    [event] = stripe_fake.held
    stripe_fake.held.append(event)  # Stripe retries: the same event, again
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert stripe_fake.flush() == [200, 200]
    paid = invoice_now(office_a, invoice)
    assert (paid.status, paid.amount_paid) == ("paid", D("121.00"))
    assert len(payments_of(office_a, invoice)) == 1
    assert receipts() == [f"Receipt: €121 for invoice {invoice.number}"]  # one receipt
    # The webhook landed before the client came back from Stripe: the page says so at once.
    back = client.get(f"/invoices/{invoice.pk}/paid?session={session['id']}").content.decode()
    assert "your payment of €121 has arrived" in back and 'http-equiv="refresh"' not in back
    assert "Money to give back" not in text(office_a.staff_client().get(f"/office/invoices/{invoice.pk}/"))


def test_a_payment_for_an_invoice_voided_meanwhile_is_kept_and_flagged_for_a_refund(
    office_a,
    stripe_fake,  # noqa: F811 (the fixture)
    django_capture_on_commit_callbacks,
):
    connected(office_a, stripe_fake)
    client, account = office_a.portal_client()
    invoice = open_invoice(office_a, account)
    session = checkout_of(client, invoice, stripe_fake.fake)  # the client is on Stripe's page …
    staff = office_a.staff_client()
    voided = staff.post(f"/office/invoices/{invoice.pk}/void", {"reason": "Billed twice"}, follow=True)
    assert "The invoice is void." in text(voided)  # … while the office voids the invoice
    stripe_fake.fake.pay(session["id"])
    with django_capture_on_commit_callbacks(execute=True):
        assert stripe_fake.flush() == [200]
    [payment] = payments_of(office_a, invoice)
    assert (payment.status, payment.amount, payment.payment_intent_id != "") == (
        "succeeded",
        D("121.00"),
        True,
    )
    kept = invoice_now(office_a, invoice)
    assert (kept.status, kept.amount_paid) == ("void", D("121.00"))  # still void, the money recorded
    page = text(staff.get(f"/office/invoices/{invoice.pk}/"))
    assert "Paid after it was void: refund the €121 the client paid." in page
    assert "1 invoice holds money to give back" in text(staff.get("/office/invoices/"))
    assert "Pay" not in text(client.get(f"/invoices/{invoice.pk}/")).replace("Paid", "")  # nothing to pay
    staff.post(f"/office/invoices/{invoice.pk}/payments/{payment.pk}/refund", {"amount": ""})
    with django_capture_on_commit_callbacks(execute=True):
        assert stripe_fake.flush() == [200]
    refunded = invoice_now(office_a, invoice)
    assert (refunded.status, refunded.amount_paid) == ("void", D(0))
    assert payments_of(office_a, invoice)[0].status == "refunded"
    assert "Money to give back" not in text(staff.get(f"/office/invoices/{invoice.pk}/"))


def test_a_payment_stripe_took_in_another_currency_is_recorded_not_counted_and_flagged(
    office_a,
    stripe_fake,  # noqa: F811 (the fixture)
    django_capture_on_commit_callbacks,
):
    connected(office_a, stripe_fake)
    client, account = office_a.portal_client()
    invoice = open_invoice(office_a, account)
    session = checkout_of(client, invoice, stripe_fake.fake)
    session.update(currency="usd", amount_total=13050)  # what Stripe's event will say it charged
    stripe_fake.fake.pay(session["id"])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert stripe_fake.flush() == [200]
    [payment] = payments_of(office_a, invoice)
    assert (payment.status, payment.amount, payment.currency) == ("succeeded", D("130.50"), "USD")
    assert "Stripe charged 130.50 USD; 121.00 EUR was asked." in payment.note
    untouched = invoice_now(office_a, invoice)
    assert (untouched.status, untouched.amount_paid, untouched.balance) == ("sent", D(0), D("121.00"))
    assert receipts() == []  # no receipt for money the invoice does not count
    back = text(client.get(f"/invoices/{invoice.pk}/"))
    assert "Pay €121" in back  # the client still owes the invoice
    staff = office_a.staff_client()
    page = text(staff.get(f"/office/invoices/{invoice.pk}/"))
    assert "Paid in USD, not EUR: US$130.50 is not counted towards the invoice." in page
    assert "1 invoice holds money to give back" in text(staff.get("/office/invoices/"))
