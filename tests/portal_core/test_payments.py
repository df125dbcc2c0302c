"""Payments through the office's own Stripe account, against the fake Stripe server (real HTTP on the
loopback, stripe-python unchanged, events signed with Stripe's scheme and posted to the Connect
webhook on the platform host)."""

from __future__ import annotations

import importlib.util
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_context

from portal_core.payments import services
from portal_core.payments.models import Payment, StripeConnection, StripeEventSeen
from tenants.models import StripeAccount

from ..conftest import PLATFORM_HOST

ROOT = Path(__file__).resolve().parents[2]
WEBHOOK = "/stripe/connect/webhook/"


def _fake_stripe_module():
    spec = importlib.util.spec_from_file_location("portico_fake_stripe", ROOT / "deploy/dev/fake_stripe.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


fake_stripe = _fake_stripe_module()


class Stripe:
    """The fake, with the events it sends held until ``flush()`` posts them to the webhook (so that
    they land in the test's own transaction, after the call that caused them)."""

    def __init__(self, fake):
        self.fake, self.held = fake, []
        fake.sender = lambda payload, header: self.held.append((payload, header)) or 200

    def post(self, payload: bytes, header: str | None):
        extra = {"HTTP_STRIPE_SIGNATURE": header} if header is not None else {}
        return Client(HTTP_HOST=PLATFORM_HOST).post(
            WEBHOOK, payload, content_type="application/json", **extra
        )

    def flush(self) -> list[int]:
        held, self.held = self.held, []
        answers = [self.post(payload, header) for payload, header in held]
        connection.set_schema_to_public()
        return [a.status_code for a in answers]


@pytest.fixture
def stripe_fake(settings):
    fake = fake_stripe.FakeStripe().start()
    settings.STRIPE_SECRET_KEY = "sk_test_portico"
    settings.STRIPE_API_BASE = fake.base_url
    settings.STRIPE_CONNECT_WEBHOOK_SECRET = fake.webhook_secret
    yield Stripe(fake)
    fake.stop()


def connected(office, stripe) -> str:
    """The office connects its Stripe account and finishes onboarding; returns the account id."""
    with schema_context(office.schema_name):
        url = services.connect_start(
            email=office.owner_email, return_url="https://x/return", refresh_url="https://x/refresh"
        )
        account = services.connection_get().account_id
    assert url == f"{stripe.fake.base_url}/onboarding/{account}"
    stripe.fake.complete_onboarding(account)
    assert stripe.flush() == [200]
    return account


def checkout(office, amount="120.50", currency="EUR", reference="invoice:7"):
    with schema_context(office.schema_name):
        payment, url = services.checkout_start(
            module="invoices",
            reference=reference,
            amount=Decimal(amount),
            currency=currency,
            description="Invoice 2026-0007",
            success_url="https://x/paid?session={CHECKOUT_SESSION_ID}",
            cancel_url="https://x/cancelled",
            customer_email="kim@example.com",
        )
    connection.set_schema_to_public()
    return payment, url


def payment_now(office, payment) -> Payment:
    with schema_context(office.schema_name):
        found = Payment.objects.get(pk=payment.pk)
    connection.set_schema_to_public()
    return found


@pytest.fixture
def heard():
    """Every ``payment_succeeded`` the core's receivers hear: (schema, payment id, status)."""
    calls = []

    def receiver(sender, payment, **kwargs):
        calls.append((connection.schema_name, payment.pk, payment.status))

    services.payment_succeeded.connect(receiver)
    yield calls
    services.payment_succeeded.disconnect(receiver)


def test_an_office_connects_its_standard_account_and_its_status_follows_stripe(office_a, stripe_fake):
    with schema_context(office_a.schema_name):
        assert services.connection_get().status == StripeConnection.Status.NOT_CONNECTED
    account = connected(office_a, stripe_fake)
    assert StripeAccount.objects.get(account_id=account).tenant_id == office_a.tenant.pk
    method, path, _on, params = stripe_fake.fake.requests[0]
    assert (method, path, params["type"]) == ("POST", "/v1/accounts", "standard")
    with schema_context(office_a.schema_name):
        found = services.connection_get()
        assert (found.status, found.charges_enabled, found.default_currency) == ("active", True, "EUR")
        # Stripe restricts it later: the office sees it.
        stripe_fake.fake.complete_onboarding(account, charges_enabled=False)
    assert stripe_fake.flush() == [200]
    with schema_context(office_a.schema_name):
        assert services.account_refresh().status == StripeConnection.Status.RESTRICTED
        services.disconnect()
        assert services.connection_get().status == StripeConnection.Status.NOT_CONNECTED
        with pytest.raises(ValidationError, match="does not take card payments"):
            services.checkout_start(
                module="invoices",
                reference="1",
                amount=Decimal(1),
                currency="EUR",
                description="x",
                success_url="https://x",
                cancel_url="https://x",
            )
    assert not StripeAccount.objects.filter(account_id=account).exists()


def test_a_card_payment_is_a_direct_charge_with_the_plans_fee_and_succeeds_by_the_webhook(
    office_a, stripe_fake, heard, django_capture_on_commit_callbacks
):
    account = connected(office_a, stripe_fake)
    plan = office_a.tenant.plan
    plan.application_fee_percent = Decimal("2.5")
    plan.save()
    payment, url = checkout(office_a)
    method, path, on_account, params = stripe_fake.fake.requests[-1]
    assert (method, path, on_account) == ("POST", "/v1/checkout/sessions", account)
    assert params["line_items"][0]["price_data"]["unit_amount"] == "12050"
    assert params["payment_intent_data"]["application_fee_amount"] == "301"  # 2.5% of 120.50
    assert url.startswith(stripe_fake.fake.base_url + "/pay/") and payment.status == "pending"

    stripe_fake.fake.pay(payment.checkout_session_id)
    with django_capture_on_commit_callbacks(execute=True):
        assert stripe_fake.flush() == [200]
    paid = payment_now(office_a, payment)
    assert (paid.status, paid.amount, paid.payment_intent_id[:3]) == ("succeeded", Decimal("120.50"), "pi_")
    assert heard == [(office_a.schema_name, payment.pk, "succeeded")]


def test_the_same_event_twice_changes_nothing_and_a_late_failure_does_not_undo_a_success(
    office_a, stripe_fake, heard, django_capture_on_commit_callbacks
):
    connected(office_a, stripe_fake)
    payment, _url = checkout(office_a)
    (completed,) = stripe_fake.fake.pay(payment.checkout_session_id, deliver=False)
    payload, header = stripe_fake.fake.signed(completed)
    with django_capture_on_commit_callbacks(execute=True):
        first, again = stripe_fake.post(payload, header), stripe_fake.post(payload, header)
    assert first.json() == {"received": True, "handled": True}
    assert again.status_code == 200 and again.json()["handled"] is False
    assert len(heard) == 1
    intent = stripe_fake.fake.objects[payment_now(office_a, payment).payment_intent_id]
    late = stripe_fake.fake.event("payment_intent.payment_failed", intent, completed["account"])
    assert stripe_fake.post(*stripe_fake.fake.signed(late)).json()["handled"] is False
    assert payment_now(office_a, payment).status == "succeeded"


def test_a_declined_card_fails_then_a_second_try_succeeds(office_a, stripe_fake, heard):
    connected(office_a, stripe_fake)
    payment, _url = checkout(office_a)
    stripe_fake.fake.pay(payment.checkout_session_id, outcome="failed")
    stripe_fake.flush()
    failed = payment_now(office_a, payment)
    assert (failed.status, failed.failure_message) == ("failed", "Your card was declined.")
    stripe_fake.fake.pay(payment.checkout_session_id)
    stripe_fake.flush()
    assert payment_now(office_a, payment).status == "succeeded"


def test_a_bank_debit_completes_unpaid_then_succeeds_or_fails_later(office_a, stripe_fake):
    connected(office_a, stripe_fake)
    later_paid, _ = checkout(office_a, reference="a")
    later_failed, _ = checkout(office_a, reference="b")
    for payment in (later_paid, later_failed):
        stripe_fake.fake.pay(payment.checkout_session_id, outcome="async")
    stripe_fake.flush()
    assert payment_now(office_a, later_paid).status == "pending"
    stripe_fake.fake.pay(later_paid.checkout_session_id, outcome="async_succeeded")
    stripe_fake.fake.pay(later_failed.checkout_session_id, outcome="async_failed")
    stripe_fake.flush()
    assert payment_now(office_a, later_paid).status == "succeeded"
    assert payment_now(office_a, later_failed).status == "failed"


def test_refunds_go_through_stripe_partially_then_fully_and_events_out_of_order_end_right(
    office_a, stripe_fake
):
    connected(office_a, stripe_fake)
    payment, _url = checkout(office_a, amount="100.00")
    stripe_fake.fake.pay(payment.checkout_session_id)
    stripe_fake.flush()
    paid = payment_now(office_a, payment)
    with schema_context(office_a.schema_name):
        services.refund(payment=paid, amount=Decimal("30.00"))
        with pytest.raises(ValidationError, match="At most"):
            services.refund(payment=Payment.objects.get(pk=payment.pk), amount=Decimal("100.01"))
    import time

    for _ in range(50):  # the fake sends charge.refunded just after answering
        if stripe_fake.held:
            break
        time.sleep(0.02)
    first_refund = list(stripe_fake.held)
    stripe_fake.flush()
    partly = payment_now(office_a, payment)
    assert (partly.status, partly.amount_refunded, partly.refundable) == (
        "partially_refunded",
        Decimal("30.00"),
        Decimal("70.00"),
    )
    with schema_context(office_a.schema_name):
        services.refund(payment=partly)
    for _ in range(50):
        if stripe_fake.held:
            break
        time.sleep(0.02)
    stripe_fake.flush()
    for payload, header in first_refund:  # the older refund event again, late: nothing moves back
        assert stripe_fake.post(payload, header).status_code == 200
    refunded = payment_now(office_a, payment)
    assert (refunded.status, refunded.amount_refunded) == ("refunded", Decimal("100.00"))


def test_a_refund_event_before_the_completed_one_still_ends_refunded(office_a, stripe_fake, heard):
    connected(office_a, stripe_fake)
    payment, _url = checkout(office_a, amount="10.00")
    (completed,) = stripe_fake.fake.pay(payment.checkout_session_id, deliver=False)
    intent = stripe_fake.fake.objects[completed["data"]["object"]["payment_intent"]]
    charge = stripe_fake.fake.objects[intent["latest_charge"]]
    charge["amount_refunded"] = 1000
    refunded = stripe_fake.fake.event(
        "charge.refunded", stripe_fake.fake._public(charge), completed["account"]
    )
    assert stripe_fake.post(*stripe_fake.fake.signed(refunded)).json()["handled"] is True
    assert stripe_fake.post(*stripe_fake.fake.signed(completed)).json()["handled"] is False
    assert payment_now(office_a, payment).status == "refunded"


def test_a_bad_or_missing_signature_gets_400_and_writes_nothing(office_a, stripe_fake):
    account = connected(office_a, stripe_fake)
    payment, _url = checkout(office_a)
    with schema_context(office_a.schema_name):
        seen = StripeEventSeen.objects.count()
    (completed,) = stripe_fake.fake.pay(payment.checkout_session_id, deliver=False)
    payload, _header = stripe_fake.fake.signed(completed)
    _p, forged = stripe_fake.fake.signed(completed, secret="whsec_someone_else")
    tampered = payload.replace(b'"paid"', b'"PAID"')
    for body, header in (
        (payload, forged),
        (payload, None),
        (payload, "t=1,v1=00"),
        (tampered, _header),
        (b"not json", fake_stripe.sign(b"not json", stripe_fake.fake.webhook_secret)),
    ):
        response = stripe_fake.post(body, header)
        assert response.status_code == 400, (header, response.content)
    with schema_context(office_a.schema_name):
        assert StripeEventSeen.objects.count() == seen
        assert Payment.objects.get(pk=payment.pk).status == "pending"
    assert account


def test_an_unknown_account_gets_200_and_is_logged(office_a, stripe_fake, caplog):
    event = stripe_fake.fake.event(
        "account.updated", {"id": "acct_nobody", "object": "account"}, "acct_nobody"
    )
    response = stripe_fake.post(*stripe_fake.fake.signed(event))
    assert response.status_code == 200 and response.json()["handled"] is False
    assert "unknown account" in caplog.text


def test_events_reach_only_the_office_whose_account_they_name(office_a, office_b, stripe_fake):
    connected(office_a, stripe_fake)
    account_b = connected(office_b, stripe_fake)
    payment_a, _ = checkout(office_a, reference="same")
    payment_b, _ = checkout(office_b, reference="same")
    # An event for office B's account naming office A's session changes nothing anywhere.
    session_a = stripe_fake.fake._public(stripe_fake.fake.objects[payment_a.checkout_session_id])
    session_a.update(payment_status="paid")
    forged = stripe_fake.fake.event("checkout.session.completed", session_a, account_b)
    assert stripe_fake.post(*stripe_fake.fake.signed(forged)).json()["handled"] is False
    assert payment_now(office_a, payment_a).status == "pending"
    assert payment_now(office_b, payment_b).status == "pending"


def test_staff_record_manual_payments_and_refund_them(office_a, heard, django_capture_on_commit_callbacks):
    with schema_context(office_a.schema_name), django_capture_on_commit_callbacks(execute=True):
        payment = services.manual_payment_record(
            module="invoices",
            reference="invoice:9",
            amount=Decimal("45.00"),
            currency="eur",
            method="bank_transfer",
            paid_on=date(2026, 11, 30),
            note="Ref 123",
            actor="owner@alpha.example",
        )
        assert (payment.status, payment.currency, payment.recorded_by) == (
            "succeeded",
            "EUR",
            "owner@alpha.example",
        )
        services.refund(payment=payment, amount=Decimal("5.00"))
        assert Payment.objects.get(pk=payment.pk).status == "partially_refunded"
        with pytest.raises(ValidationError):
            services.manual_payment_record(
                module="invoices",
                reference="x",
                amount=Decimal("1"),
                currency="EUR",
                method="card",
                paid_on=date(2026, 11, 30),
            )
    assert heard == [(office_a.schema_name, payment.pk, "succeeded")]


@pytest.mark.parametrize(
    ("amount", "currency", "field"),
    [
        (Decimal("0"), "EUR", "amount"),
        (Decimal("1.005"), "EUR", "amount"),
        (Decimal("1"), "EURO", "currency"),
        (Decimal("1.5"), "JPY", "amount"),
    ],
)
def test_amounts_and_currencies_are_checked(office_a, amount, currency, field):
    with schema_context(office_a.schema_name):
        with pytest.raises(ValidationError) as caught:
            services.manual_payment_record(
                module="invoices",
                reference="x",
                amount=amount,
                currency=currency,
                method="cash",
                paid_on=date(2026, 11, 30),
            )
        assert field in caught.value.message_dict
        with pytest.raises(TypeError):
            services.manual_payment_record(
                module="invoices",
                reference="x",
                amount=1.5,
                currency="EUR",
                method="cash",
                paid_on=date(2026, 1, 1),
            )
        assert not Payment.objects.exists()


# --- the office's page --------------------------------------------------------------------------


def test_the_office_connects_stripe_from_its_payments_page_and_sees_it_active(office_a, stripe_fake):
    staff = office_a.staff_client()
    page = staff.get("/office/payments/").content.decode()
    assert "Not connected" in page and "Connect Stripe" in page and ">Payments</a>" in page
    to_stripe = staff.post("/office/payments/connect/")
    assert to_stripe.status_code == 302 and to_stripe["Location"].startswith(
        f"{stripe_fake.fake.base_url}/onboarding/"
    )
    account = to_stripe["Location"].rsplit("/", 1)[1]
    again = staff.get(
        "/office/payments/connect/"
    )  # Stripe's refresh link: a new onboarding link, same account
    assert again["Location"].endswith(account)
    back = staff.get("/office/payments/return/", follow=True).content.decode()
    assert "Details needed" in back and "a few more details" in back
    stripe_fake.fake.complete_onboarding(account)
    stripe_fake.flush()
    back = staff.get("/office/payments/return/", follow=True).content.decode()
    assert "Stripe is connected: clients can now pay by card." in back and 'badge--ok">Active' in back
    gone = staff.post("/office/payments/disconnect/", follow=True).content.decode()
    assert "Stripe is disconnected" in gone and "Not connected" in gone


def test_only_the_offices_staff_reach_its_payments_pages(office_a, office_b, stripe_fake):
    client, _account = office_a.portal_client()
    strangers = office_b.client()
    strangers.post("/office/login/", {"username": office_b.owner_email, "password": office_b.owner_password})
    for browser in (office_a.client(), client, strangers):
        for method, path in (
            ("get", "/office/payments/"),
            ("post", "/office/payments/connect/"),
            ("post", "/office/payments/disconnect/"),
            ("get", "/office/payments/return/"),
        ):
            response = getattr(browser, method)(path, HTTP_HOST=office_a.host)
            assert response.status_code in (302, 403), (path, response.status_code)
            assert stripe_fake.fake.base_url not in response.get("Location", "")
    assert not StripeAccount.objects.exists() and stripe_fake.fake.requests == []


def test_without_a_stripe_key_the_page_says_card_payments_are_not_set_up(office_a, settings):
    settings.STRIPE_SECRET_KEY = ""
    staff = office_a.staff_client()
    assert "not set up on this platform" in staff.get("/office/payments/").content.decode()
    answer = staff.post("/office/payments/connect/", follow=True).content.decode()
    assert "Card payments are not set up on this platform yet." in answer
