"""The contract between Portico's payments and Stripe: the calls Portico makes (a Standard account
and its onboarding link, a Checkout session as a direct charge on the office's account, amounts in
minor units, Stripe's errors) and what comes back, checked on the objects Stripe returns.

By default (and in CI) these run against the fake Stripe server (``deploy/dev/fake_stripe.py``).
With ``STRIPE_TEST_SECRET_KEY`` set to a test-mode key (``sk_test_…``) of a platform with Connect,
the same tests run unchanged against Stripe's test mode; a Checkout session needs an account that
can take charges, named by ``STRIPE_TEST_CONNECTED_ACCOUNT`` (an onboarded test-mode Standard
account of that platform). Only then is anything skipped, each with its reason: paying a Checkout
session takes a person on Stripe's page, and Stripe's events cannot reach this machine."""

from __future__ import annotations

import os
from decimal import Decimal

import pytest
import stripe
from django.db import connection
from django_tenants.utils import schema_context

from portal_core.money import to_minor
from portal_core.payments import services, stripe_api
from portal_core.payments.models import Payment, StripeConnection
from tenants.models import StripeAccount

from .test_payments import fake_stripe

REAL_KEY = os.environ.get("STRIPE_TEST_SECRET_KEY", "")
REAL_ACCOUNT = os.environ.get("STRIPE_TEST_CONNECTED_ACCOUNT", "")
AGAINST_STRIPE = bool(REAL_KEY)
ONLY_THE_FAKE = pytest.mark.skipif(
    AGAINST_STRIPE,
    reason="STRIPE_TEST_SECRET_KEY is set: paying a Checkout session takes a person on Stripe's page "
    "and Stripe's signed events cannot reach this machine, so this runs against the fake only",
)
RETURN = "https://portico.example/office/payments/return"
REFRESH = "https://portico.example/office/payments/refresh"
D = Decimal


class Backend:
    """Stripe's test mode, or the fake; what a test needs that only one of them can give."""

    def __init__(self, fake=None):
        self.fake = fake

    @property
    def base_url(self) -> str:
        return self.fake.base_url if self.fake else "https://api.stripe.com"

    def onboarded(self, office) -> str:
        """The office connected to an account that can take charges; returns its id."""
        if self.fake is None:
            if not REAL_ACCOUNT:
                pytest.skip(
                    "STRIPE_TEST_SECRET_KEY is set but STRIPE_TEST_CONNECTED_ACCOUNT is not: a Checkout "
                    "session needs an onboarded test-mode account of the platform"
                )
            account_id = REAL_ACCOUNT
            with schema_context(office.schema_name):
                found = services.connection_get()
                found.account_id = account_id
                found.save()
                StripeAccount.objects.update_or_create(
                    account_id=account_id, defaults={"tenant": office.tenant}
                )
        else:
            with schema_context(office.schema_name):
                services.connect_start(email=office.owner_email, return_url=RETURN, refresh_url=REFRESH)
                account_id = services.connection_get().account_id
            self.fake.complete_onboarding(account_id)
        with schema_context(office.schema_name):
            assert services.account_refresh().status == StripeConnection.Status.ACTIVE
        connection.set_schema_to_public()
        return account_id


@pytest.fixture
def backend(settings):
    if AGAINST_STRIPE:
        assert REAL_KEY.startswith("sk_test_"), "STRIPE_TEST_SECRET_KEY must be a test-mode key"
        settings.STRIPE_SECRET_KEY = REAL_KEY
        settings.STRIPE_API_BASE = "https://api.stripe.com"
        yield Backend()
        return
    fake = fake_stripe.FakeStripe(secret_key_prefix="sk_test_portico").start()  # any other key is wrong
    settings.STRIPE_SECRET_KEY = "sk_test_portico"
    settings.STRIPE_API_BASE = fake.base_url
    settings.STRIPE_CONNECT_WEBHOOK_SECRET = fake.webhook_secret
    fake.sender = lambda payload, header: 200  # events are read from the fake, not posted
    yield Backend(fake)
    fake.stop()


def test_connecting_creates_a_standard_account_and_an_onboarding_link(office_a, backend):
    client = stripe_api.client()
    with schema_context(office_a.schema_name):
        url = services.connect_start(email=office_a.owner_email, return_url=RETURN, refresh_url=REFRESH)
        found = services.connection_get()
        account_id = found.account_id
        try:
            assert account_id.startswith("acct_") and found.status == StripeConnection.Status.DETAILS_NEEDED
            assert StripeAccount.objects.get(account_id=account_id).tenant_id == office_a.tenant.pk
            assert url.startswith("https://" if backend.fake is None else backend.base_url)
            account = client.v1.accounts.retrieve(account_id)
            assert (account.id, account.object, account.type) == (account_id, "account", "standard")
            assert (account.charges_enabled, account.details_submitted) == (False, False)
            assert account.metadata["schema"] == office_a.schema_name
            assert "requirements" in account.to_dict()
            refreshed = services.account_refresh()  # what the office's page shows after onboarding
            assert (refreshed.status, refreshed.charges_enabled) == (
                StripeConnection.Status.DETAILS_NEEDED,
                False,
            )
            again = services.connect_start(email=office_a.owner_email, return_url=RETURN, refresh_url=REFRESH)
            assert (
                again.startswith("http") and services.connection_get().account_id == account_id
            )  # one account
        finally:
            deleted = client.v1.accounts.delete(account_id)
    assert deleted.deleted is True


def test_a_checkout_session_is_a_direct_charge_on_the_offices_account_in_minor_units(office_a, backend):
    account_id = backend.onboarded(office_a)
    client = stripe_api.client()
    with schema_context(office_a.schema_name):
        for amount, currency, minor in ((D("12.34"), "EUR", 1234), (D("1200"), "JPY", 1200)):
            payment, url = services.checkout_start(
                module="invoices",
                reference="contract",
                amount=amount,
                currency=currency,
                description="Invoice CONTRACT-1",
                success_url="https://portico.example/invoices/1/paid?session={CHECKOUT_SESSION_ID}",
                cancel_url="https://portico.example/invoices/1/",
                customer_email="client@example.com",
            )
            assert to_minor(amount, currency) == minor
            session = client.v1.checkout.sessions.retrieve(
                payment.checkout_session_id, options=stripe_api.on_account(account_id)
            )
            assert (session.object, session.mode, session.url) == ("checkout.session", "payment", url)
            assert (session.amount_total, session.currency) == (minor, currency.lower())
            assert (session.status, session.payment_status) == ("open", "unpaid")
            assert session.metadata["payment"] == str(payment.pk)
            assert session.client_reference_id == "invoices:contract"
            assert Payment.objects.get(pk=payment.pk).status == Payment.Status.PENDING
            with pytest.raises(stripe.InvalidRequestError) as elsewhere:  # not the platform's own
                client.v1.checkout.sessions.retrieve(payment.checkout_session_id)
            assert elsewhere.value.code == "resource_missing"


def test_stripe_refuses_with_its_own_errors(office_a, backend, settings):
    client = stripe_api.client()
    with pytest.raises(stripe.InvalidRequestError) as missing:
        client.v1.payment_intents.retrieve("pi_portico_missing")
    assert (missing.value.http_status, missing.value.code) == (404, "resource_missing")
    with pytest.raises(stripe.StripeError) as refused:  # an account that is not the platform's
        client.v1.checkout.sessions.create(
            params={
                "mode": "payment",
                "line_items": [{"quantity": 1, "price_data": {"currency": "eur", "unit_amount": 100}}],
                "success_url": RETURN,
            },
            options=stripe_api.on_account("acct_portico_missing"),
        )
    assert refused.value.http_status in (400, 401, 403, 404)
    settings.STRIPE_SECRET_KEY = "sk_test_wrong_key"
    with pytest.raises(stripe.AuthenticationError):
        stripe_api.client().v1.accounts.retrieve("acct_portico_missing")


@ONLY_THE_FAKE
def test_a_paid_session_and_its_refund_arrive_as_events_the_library_verifies(office_a, backend):
    account_id = backend.onboarded(office_a)
    with schema_context(office_a.schema_name):
        payment, _url = services.checkout_start(
            module="invoices",
            reference="contract",
            amount=D("50.00"),
            currency="EUR",
            description="Invoice CONTRACT-2",
            success_url="https://portico.example/paid",
            cancel_url="https://portico.example/",
        )
    connection.set_schema_to_public()
    [completed] = backend.fake.pay(payment.checkout_session_id, deliver=False)
    payload, header = backend.fake.signed(completed)
    event = stripe.Webhook.construct_event(payload, header, backend.fake.webhook_secret)
    assert (event.type, event.account) == ("checkout.session.completed", account_id)
    session = event.data.object
    assert (session.id, session.payment_status, session.amount_total) == (
        payment.checkout_session_id,
        "paid",
        5000,
    )
    assert session.payment_intent.startswith("pi_")
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(payload + b" ", header, backend.fake.webhook_secret)
    with schema_context(office_a.schema_name):
        assert services.stripe_event_handle(event.to_dict()) is True
        services.refund(payment=Payment.objects.get(pk=payment.pk), amount=D("20.00"))
    refunded = next(e for e in reversed(backend.fake.events) if e["type"] == "charge.refunded")
    payload, header = backend.fake.signed(refunded)
    charge = stripe.Webhook.construct_event(payload, header, backend.fake.webhook_secret).data.object
    assert (charge.object, charge.amount_refunded, charge.payment_intent) == (
        "charge",
        2000,
        session.payment_intent,
    )
