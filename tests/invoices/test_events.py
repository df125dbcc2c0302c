"""The invoices module's webhook events, as an endpoint of the office receives them (a real HTTP
receiver, each delivery verified with the ``standardwebhooks`` package): from the draft to the
refund, the overdue one from its timer, the card payment from Stripe's webhook, none while the
module is off."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context, tenant_context
from standardwebhooks import Webhook

from modules.invoices import services
from modules.invoices.models import Invoice
from portal_core.models import Contact, PortalAccount
from portal_core.payments import services as payments
from portal_core.services import module_disable, module_enable
from tenants.models import QueueTimer
from tenants.queue import timers_fire
from tests.api.conftest import api
from tests.portal_core.test_payments import connected, stripe_fake  # noqa: F401 (fixture)
from tests.webhooks.conftest import receiver  # noqa: F401 (fixture)
from webhooks.services import endpoint_create

D = Decimal
EVENTS = {
    "invoices.invoice_created",
    "invoices.invoice_sent",
    "invoices.invoice_viewed",
    "invoices.invoice_paid",
    "invoices.invoice_partially_paid",
    "invoices.invoice_overdue",
    "invoices.invoice_voided",
    "invoices.payment_received",
    "invoices.payment_refunded",
}


def switched(office, capture, *, on: bool = True) -> None:
    with tenant_context(office.tenant), capture(execute=True):
        (module_enable if on else module_disable)(key="invoices")
    connection.set_schema_to_public()


@pytest.fixture
def office_a(office_a, django_capture_on_commit_callbacks):
    switched(office_a, django_capture_on_commit_callbacks)
    return office_a


class Hooks:
    """The office's endpoint and what it received, each body checked against its signature."""

    def __init__(self, endpoint, received):
        self.endpoint, self.received = endpoint, received

    def types(self) -> list[str]:
        return [r.json["type"] for r in self.received.requests]

    def data(self, event_type: str) -> list[dict]:
        verifier = Webhook(self.endpoint.secret)
        return [
            verifier.verify(r.body, r.headers)["data"]
            for r in self.received.requests
            if r.json["type"] == event_type
        ]

    def one(self, event_type: str) -> dict:
        [data] = self.data(event_type)
        return data

    def clear(self) -> None:
        self.received.requests.clear()


@pytest.fixture
def hooks(office_a, receiver):  # noqa: F811 (the fixture)
    with schema_context(office_a.schema_name):
        endpoint = endpoint_create(url=receiver.url)
    connection.set_schema_to_public()
    return Hooks(endpoint, receiver)


def draft(contact, *prices: str, **more) -> Invoice:
    lines = [services.LineInput(f"Work {n}", D(1), D(p), D(0)) for n, p in enumerate(prices)]
    return services.invoice_create(contact=contact, lines=lines, **more)


def record(office, invoice, amount: str, capture):
    with schema_context(office.schema_name), capture(execute=True):
        payment = services.invoice_payment_record(
            invoice=invoice, amount=D(amount), method="bank_transfer", paid_on=date(2026, 12, 1)
        )
    connection.set_schema_to_public()
    return payment


def test_an_invoice_tells_its_whole_life_to_the_offices_endpoint(
    office_a, hooks, django_capture_on_commit_callbacks
):
    client, account = office_a.portal_client()
    with schema_context(office_a.schema_name):
        contact = PortalAccount.objects.get(pk=account.pk).contact
        invoice = draft(contact, "100", "21")
    connection.set_schema_to_public()
    created = hooks.one("invoices.invoice_created")["invoice"]
    assert (created["id"], created["status"], created["number"], created["total"]) == (
        invoice.pk,
        "draft",
        "",
        "121.00",
    )
    assert created["contact_id"] == contact.pk and created["company_id"] is None

    with schema_context(office_a.schema_name):
        services.invoice_send(invoice=invoice)
        services.invoice_send(invoice=invoice)  # sent again: told again, not numbered again
    connection.set_schema_to_public()
    first, again = hooks.data("invoices.invoice_sent")
    assert (first["first_time"], again["first_time"]) == (True, False)
    assert first["invoice"]["number"] == again["invoice"]["number"] == f"{date.today().year}-0001"
    assert first["invoice"]["status"] == "sent" and first["invoice"]["due_date"]

    for _ in range(2):
        assert client.get(f"/invoices/{invoice.pk}/").status_code == 200
    viewed = hooks.one("invoices.invoice_viewed")["invoice"]  # the first time only
    assert viewed["viewed_at"].endswith("Z")

    record(office_a, invoice, "21.00", django_capture_on_commit_callbacks)
    part = hooks.one("invoices.invoice_partially_paid")
    assert (part["invoice"]["status"], part["invoice"]["amount_paid"], part["invoice"]["balance"]) == (
        "partially_paid",
        "21.00",
        "100.00",
    )
    assert part["payment"]["amount"] == "21.00" and part["payment"]["method"] == "bank_transfer"
    last = record(office_a, invoice, "100.00", django_capture_on_commit_callbacks)
    paid = hooks.one("invoices.invoice_paid")
    assert (paid["invoice"]["status"], paid["invoice"]["balance"], paid["payment"]["id"]) == (
        "paid",
        "0.00",
        last.pk,
    )
    received = hooks.data("invoices.payment_received")
    assert [r["payment"]["amount"] for r in received] == ["21.00", "100.00"]
    assert [r["invoice"]["status"] for r in received] == ["partially_paid", "paid"]

    with schema_context(office_a.schema_name), django_capture_on_commit_callbacks(execute=True):
        payments.refund(payment=last, amount=D("40.00"), actor="owner")
    connection.set_schema_to_public()
    refunded = hooks.one("invoices.payment_refunded")
    assert (refunded["payment"]["amount_refunded"], refunded["payment"]["status"]) == (
        "40.00",
        "partially_refunded",
    )
    assert (refunded["invoice"]["status"], refunded["invoice"]["amount_paid"]) == ("partially_paid", "81.00")
    ours = {name for name in hooks.types() if name.startswith("invoices.")}
    assert ours == EVENTS - {"invoices.invoice_overdue", "invoices.invoice_voided"}


def test_a_void_invoice_says_why(office_a, hooks):
    with schema_context(office_a.schema_name):
        invoice = services.invoice_send(invoice=draft(Contact.objects.create(first_name="Kim"), "10"))
        services.invoice_void(invoice=invoice, reason="Wrong client")
    connection.set_schema_to_public()
    voided = hooks.one("invoices.invoice_voided")
    assert voided["reason"] == "Wrong client"
    assert (voided["invoice"]["status"], voided["invoice"]["void_reason"]) == ("void", "Wrong client")


def test_an_unpaid_invoice_turns_overdue_once_the_day_after_its_due_date(
    office_a, hooks, django_capture_on_commit_callbacks
):
    today = timezone.localdate()
    with schema_context(office_a.schema_name):
        kim = Contact.objects.create(first_name="Kim")
        late = services.invoice_send(invoice=draft(kim, "50", due_date=today - timedelta(days=1)))
        paid = services.invoice_send(invoice=draft(kim, "60", due_date=today - timedelta(days=1)))
        later = services.invoice_send(invoice=draft(kim, "70", due_date=today + timedelta(days=10)))
        services.invoice_send(invoice=late)  # sent again: still one timer
        timers = {
            t.args[0]: t.due_at for t in QueueTimer.objects.filter(func__endswith="invoice_overdue_check")
        }
    connection.set_schema_to_public()
    assert set(timers) == {late.pk, paid.pk, later.pk}
    assert timezone.localtime(timers[later.pk]).date() == later.due_date + timedelta(days=1)
    record(office_a, paid, "60.00", django_capture_on_commit_callbacks)
    hooks.clear()

    assert timers_fire(now=timezone.now())[0] == 2  # the two due yesterday; the later one waits
    connection.set_schema_to_public()
    overdue = hooks.one("invoices.invoice_overdue")["invoice"]  # not the paid one
    assert (overdue["id"], overdue["overdue"], overdue["balance"]) == (late.pk, True, "50.00")
    assert timers_fire(now=timezone.now())[0] == 0  # once


def test_a_card_payment_through_stripe_tells_the_invoice_paid(
    office_a,
    hooks,
    stripe_fake,  # noqa: F811 (the fixture)
    django_capture_on_commit_callbacks,
):
    connected(office_a, stripe_fake)
    client, account = office_a.portal_client()
    with schema_context(office_a.schema_name):
        invoice = services.invoice_send(invoice=draft(PortalAccount.objects.get(pk=account.pk).contact, "80"))
    connection.set_schema_to_public()
    to_stripe = client.post(f"/invoices/{invoice.pk}/pay")
    session = stripe_fake.fake.objects[to_stripe["Location"].rsplit("/", 1)[1]]
    stripe_fake.fake.pay(session["id"])
    with django_capture_on_commit_callbacks(execute=True):
        assert stripe_fake.flush() == [200]
    paid = hooks.one("invoices.invoice_paid")
    assert paid["payment"]["method"] == "card" and paid["payment"]["amount"] == "80.00"
    assert paid["invoice"]["total"] == paid["invoice"]["amount_paid"] == "80.00"
    assert int(D(paid["invoice"]["total"]) * 100) == session["amount_total"]
    assert hooks.one("invoices.payment_received")["payment"]["id"] == paid["payment"]["id"]


def test_no_event_leaves_while_the_module_is_off_and_the_catalogue_lists_them(
    office_a, hooks, django_capture_on_commit_callbacks
):
    switched(office_a, django_capture_on_commit_callbacks, on=False)
    with schema_context(office_a.schema_name):
        services.invoice_send(invoice=draft(Contact.objects.create(first_name="Kim"), "10"))
    connection.set_schema_to_public()
    assert hooks.types() == []
    switched(office_a, django_capture_on_commit_callbacks, on=True)
    from tenants.services import api_key_create

    key = api_key_create(tenant=office_a.tenant, name="Catalogue").secret
    listed = api(office_a.host, key).get("/api/v1/webhooks/event-types/").json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    shown = {row["type"]: row for row in rows if row["type"].startswith("invoices.")}
    assert set(shown) == EVENTS
    assert all(row["description"] and row["example"]["data"] for row in shown.values())
