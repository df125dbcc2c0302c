"""Payments: connect the office's Stripe account, take a card payment through Checkout on it,
record a manual payment, refund, and apply what Stripe's Connect webhook says.

Every function runs in the office's schema. A payment that succeeds, however it is learnt (the
webhook, staff recording it), sends ``payment_succeeded`` once, to the paying module's receivers
only where that module is on."""

from __future__ import annotations

import logging
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django_tenants.utils import schema_context

from tenants.models import StripeAccount, Tenant

from ..money import from_minor, minor_digits, percentage_of, to_minor
from ..signals import ModuleSignal
from . import stripe_api
from .models import Payment, StripeConnection, StripeEventSeen

logger = logging.getLogger(__name__)

# Sent (inside the office's schema, after the change commits) with ``payment`` when a payment
# succeeds: the paying module marks what it was for as paid.
payment_succeeded = ModuleSignal()
# Sent with ``payment`` when a refund is recorded (``payment.amount_refunded`` is the total so far).
payment_refunded = ModuleSignal()

MANUAL_METHODS = (Payment.Method.BANK_TRANSFER, Payment.Method.CASH, Payment.Method.CHEQUE)


# --- the office's Stripe account --------------------------------------------------------------


def _office() -> Tenant:
    """The office whose schema is in use (with its plan)."""
    tenant = getattr(connection, "tenant", None)
    if isinstance(tenant, Tenant):
        return tenant
    return Tenant.objects.select_related("plan").get(schema_name=connection.schema_name)


def connection_get() -> StripeConnection:
    found, _created = StripeConnection.objects.get_or_create(singleton=True)
    return found


def _status_of(account) -> str:
    requirements = account.get("requirements") or {}
    if account.get("charges_enabled"):
        return StripeConnection.Status.ACTIVE
    if requirements.get("disabled_reason") and account.get("details_submitted"):
        return StripeConnection.Status.RESTRICTED
    return StripeConnection.Status.DETAILS_NEEDED


def account_apply(account) -> StripeConnection:
    """The office's connection as ``account`` (a Stripe Account object) describes it."""
    with transaction.atomic():
        found = StripeConnection.objects.select_for_update().get(pk=connection_get().pk)
        if found.account_id != account["id"]:
            return found  # an account the office has disconnected since
        requirements = account.get("requirements") or {}
        found.status = _status_of(account)
        found.charges_enabled = bool(account.get("charges_enabled"))
        found.details_submitted = bool(account.get("details_submitted"))
        found.disabled_reason = (requirements.get("disabled_reason") or "")[:120]
        found.default_currency = (account.get("default_currency") or "").upper()[:3]
        found.save()
    return found


def connect_start(*, email: str, return_url: str, refresh_url: str) -> str:
    """The Stripe onboarding link for the office (creating its Standard account the first time)."""
    client = stripe_api.client()
    found = connection_get()
    if not found.account_id:
        account = client.v1.accounts.create(
            params={"type": "standard", "email": email, "metadata": {"schema": connection.schema_name}}
        )
        with transaction.atomic():
            found.account_id = account.id
            found.status = StripeConnection.Status.DETAILS_NEEDED
            found.save()
            StripeAccount.objects.update_or_create(account_id=account.id, defaults={"tenant": _office()})
    link = client.v1.account_links.create(
        params={
            "account": found.account_id,
            "refresh_url": refresh_url,
            "return_url": return_url,
            "type": "account_onboarding",
        }
    )
    return link.url


def account_refresh() -> StripeConnection:
    """Ask Stripe how the office's account stands (after onboarding returns)."""
    found = connection_get()
    if not found.account_id:
        return found
    return account_apply(stripe_api.client().v1.accounts.retrieve(found.account_id).to_dict())


def disconnect() -> StripeConnection:
    """Forget the office's Stripe account: no new card payments; recorded payments stay."""
    with transaction.atomic():
        found = StripeConnection.objects.select_for_update().get(pk=connection_get().pk)
        StripeAccount.objects.filter(account_id=found.account_id).delete()
        found.account_id = found.disabled_reason = found.default_currency = ""
        found.status = StripeConnection.Status.NOT_CONNECTED
        found.charges_enabled = found.details_submitted = False
        found.save()
    return found


# --- taking money -------------------------------------------------------------------------------


def _checked_amount(amount: Decimal, currency: str) -> str:
    if not isinstance(amount, Decimal):
        raise TypeError("money is a Decimal, never a float")
    try:
        minor_digits(currency)
    except ValueError as exc:
        raise ValidationError({"currency": str(exc)}) from exc
    if amount <= 0:
        raise ValidationError({"amount": "The amount must be more than zero."})
    if amount != amount.quantize(Decimal(1).scaleb(-minor_digits(currency))):
        raise ValidationError(
            {"amount": f"{currency.upper()} amounts have {minor_digits(currency)} decimals."}
        )
    return currency.upper()


def checkout_start(
    *,
    module: str,
    reference: str,
    amount: Decimal,
    currency: str,
    description: str,
    success_url: str,
    cancel_url: str,
    customer_email: str = "",
) -> tuple[Payment, str]:
    """A pending payment and the Stripe Checkout page that pays it, on the office's own account
    (a direct charge), less the platform's fee of the office's plan. Returns (payment, its URL)."""
    currency = _checked_amount(amount, currency)
    found = connection_get()
    if not found.account_id or not found.charges_enabled:
        raise ValidationError("This office does not take card payments yet.")
    payment = Payment.objects.create(module=module, reference=reference, amount=amount, currency=currency)
    plan = _office().plan
    intent = {"metadata": {"payment": str(payment.pk), "schema": connection.schema_name}}
    if plan is not None and plan.application_fee_percent:
        intent["application_fee_amount"] = to_minor(
            percentage_of(amount, plan.application_fee_percent, currency), currency
        )
    params = {
        "mode": "payment",
        "line_items": [
            {
                "quantity": 1,
                "price_data": {
                    "currency": currency.lower(),
                    "unit_amount": to_minor(amount, currency),
                    "product_data": {"name": description[:250] or reference},
                },
            }
        ],
        "payment_intent_data": intent,
        "metadata": {"payment": str(payment.pk), "schema": connection.schema_name},
        "client_reference_id": f"{module}:{reference}"[:200],
        "success_url": success_url,
        "cancel_url": cancel_url,
    }
    if customer_email:
        params["customer_email"] = customer_email
    session = stripe_api.client().v1.checkout.sessions.create(
        params=params, options=stripe_api.on_account(found.account_id)
    )
    payment.checkout_session_id = session.id
    payment.save(update_fields=["checkout_session_id"])
    return payment, session.url


def manual_payment_record(
    *,
    module: str,
    reference: str,
    amount: Decimal,
    currency: str,
    method: str,
    paid_on: date,
    note: str = "",
    actor: str = "",
) -> Payment:
    """A payment staff received outside Stripe (bank transfer, cash, cheque)."""
    currency = _checked_amount(amount, currency)
    if method not in MANUAL_METHODS:
        raise ValidationError({"method": "Choose bank transfer, cash or cheque."})
    with transaction.atomic():
        payment = Payment.objects.create(
            module=module,
            reference=reference,
            amount=amount,
            currency=currency,
            method=method,
            paid_on=paid_on,
            note=note.strip()[:300],
            recorded_by=actor,
        )
        _succeed(payment)
    return payment


def deposit_carry_over(*, payment: Payment, module: str, reference: str, note: str = "") -> Payment:
    """What a client paid for one thing (a proposal's deposit) counted towards another (the invoice
    that follows): a payment of the same amount, method ``deposit``, for ``module`` and
    ``reference``, succeeded at once (``payment_succeeded`` tells that module). The money stays
    where it was paid; a refund of it goes through the original payment."""
    if payment.status not in (Payment.Status.SUCCEEDED, Payment.Status.PARTIALLY_REFUNDED):
        raise ValidationError("Only a payment that arrived can be carried over.")
    amount = payment.amount - payment.amount_refunded
    _checked_amount(amount, payment.currency)
    with transaction.atomic():
        carried = Payment.objects.create(
            module=module,
            reference=reference,
            amount=amount,
            currency=payment.currency,
            method=Payment.Method.DEPOSIT,
            paid_on=payment.paid_on,
            note=(note or f"Deposit (payment {payment.pk})").strip()[:300],
        )
        _succeed(carried)
    return carried


def refund(*, payment: Payment, amount: Decimal | None = None, actor: str = "") -> Payment:
    """Give back ``amount`` (all that is left, by default): through Stripe for a card payment (the
    webhook then confirms it), recorded at once for a manual one."""
    if payment.method == Payment.Method.DEPOSIT:
        raise ValidationError("This is a deposit paid earlier: refund it where it was paid.")
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment.pk)
        left = payment.refundable
        amount = left if amount is None else amount
        _checked_amount(amount, payment.currency)
        if amount > left:
            raise ValidationError({"amount": f"At most {left} {payment.currency} can be refunded."})
        if payment.method != Payment.Method.CARD:
            _refunded(payment, payment.amount_refunded + amount)
            return payment
    found = connection_get()
    stripe_api.client().v1.refunds.create(
        params={"payment_intent": payment.payment_intent_id, "amount": to_minor(amount, payment.currency)},
        options=stripe_api.on_account(found.account_id),
    )
    return payment


# --- state changes (called with the payment locked) ---------------------------------------------


def _after_commit(signal: ModuleSignal, payment: Payment) -> None:
    """Send ``signal`` once the change commits, in the payment's office whatever schema is in use
    by then."""
    schema = connection.schema_name

    def send() -> None:
        with schema_context(schema):
            signal.send(sender=Payment, payment=payment)

    transaction.on_commit(send)


def _succeed(payment: Payment, *, intent: str = "") -> bool:
    if payment.status != Payment.Status.PENDING and payment.status != Payment.Status.FAILED:
        return False
    payment.status = Payment.Status.SUCCEEDED
    payment.succeeded_at = timezone.now()
    payment.paid_on = payment.paid_on or timezone.localdate()
    payment.failure_message = ""
    payment.payment_intent_id = intent or payment.payment_intent_id
    payment.save()
    _after_commit(payment_succeeded, payment)
    return True


def _fail(payment: Payment, message: str) -> bool:
    if payment.status != Payment.Status.PENDING:
        return False  # a late failure after a success changes nothing
    payment.status = Payment.Status.FAILED
    payment.failure_message = (message or "The payment failed.")[:300]
    payment.save()
    return True


def _refunded(payment: Payment, total_refunded: Decimal) -> bool:
    if total_refunded <= payment.amount_refunded:
        return False  # an older refund event than the one already applied
    payment.amount_refunded = min(total_refunded, payment.amount)
    full = payment.amount_refunded >= payment.amount
    payment.status = Payment.Status.REFUNDED if full else Payment.Status.PARTIALLY_REFUNDED
    payment.save()
    _after_commit(payment_refunded, payment)
    return True


# --- the Connect webhook's events ---------------------------------------------------------------


def _payment_for(obj, *, session: bool = False) -> Payment | None:
    """The office's payment an event's object is about: by the Checkout session's id, else by the
    PaymentIntent's (learnt from the session, or the one its metadata names, once)."""
    queryset = Payment.objects.select_for_update()
    if session:
        return queryset.filter(checkout_session_id=obj.get("id") or "-").first()
    intent = obj.get("payment_intent") if obj.get("object") == "charge" else obj.get("id")
    if not intent:
        return None
    found = queryset.filter(payment_intent_id=intent).first()
    named = str((obj.get("metadata") or {}).get("payment", ""))
    if found is None and named.isdigit():
        found = queryset.filter(pk=int(named), payment_intent_id="", method=Payment.Method.CARD).first()
        if found is not None:
            found.payment_intent_id = intent
    return found


def _as_charged(payment: Payment, session) -> None:
    """What Stripe says the Checkout session charged, when it is not what was asked (another
    currency or amount): the payment records what the client really paid, and its note says so.
    Whether that counts is the paying module's decision (an invoice refuses another currency)."""
    currency = str(session.get("currency") or "").upper()
    total = session.get("amount_total")
    if not currency or total is None or int(total) <= 0:
        return
    try:
        amount = from_minor(int(total), currency)
    except ValueError:
        logger.warning("Stripe reported a payment in %r, which is not a known currency.", currency)
        return
    if (currency, amount) != (payment.currency, payment.amount):
        logger.warning(
            "Payment %s: Stripe charged %s %s, not the %s %s asked.",
            payment.pk, amount, currency, payment.amount, payment.currency,
        )  # fmt: skip
        asked = payment.amount.quantize(Decimal(1).scaleb(-minor_digits(payment.currency)))
        payment.note = f"Stripe charged {amount} {currency}; {asked} {payment.currency} was asked."
        payment.currency, payment.amount = currency, amount


def stripe_event_handle(event: dict) -> bool:
    """Apply one Connect event (as a plain dict) in the office's schema; the same event id twice
    changes nothing. Returns whether anything changed."""
    kind, obj = event["type"], event["data"]["object"]
    try:
        with transaction.atomic():
            StripeEventSeen.objects.create(event_id=event["id"], type=kind[:80])
            return _apply(kind, obj)
    except IntegrityError:
        return False


def _apply(kind: str, obj) -> bool:
    if kind == "account.updated":
        account_apply(obj)
        return True
    if kind in ("checkout.session.completed", "checkout.session.async_payment_succeeded"):
        payment = _payment_for(obj, session=True)
        if payment is None:
            return False
        intent = obj.get("payment_intent") or ""
        if obj.get("payment_status") in ("paid", "no_payment_required"):
            if payment.status in (Payment.Status.PENDING, Payment.Status.FAILED):
                _as_charged(payment, obj)
            return _succeed(payment, intent=intent)
        if intent and not payment.payment_intent_id:
            payment.payment_intent_id = intent  # paid later (a bank debit): the next event says
            payment.save(update_fields=["payment_intent_id"])
        return False
    if kind == "checkout.session.async_payment_failed":
        payment = _payment_for(obj, session=True)
        return payment is not None and _fail(payment, "The payment did not go through.")
    if kind == "payment_intent.payment_failed":
        payment = _payment_for(obj)
        error = obj.get("last_payment_error") or {}
        return payment is not None and _fail(payment, error.get("message") or "")
    if kind == "charge.refunded":
        payment = _payment_for(obj)
        if payment is None:
            return False
        if payment.status in (Payment.Status.PENDING, Payment.Status.FAILED):
            _succeed(payment, intent=obj.get("payment_intent") or "")  # the refund came first
        payment.charge_id = obj.get("id", "")[:80]
        return _refunded(payment, from_minor(int(obj.get("amount_refunded") or 0), payment.currency))
    return False
