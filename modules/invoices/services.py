"""Writes of invoices: the office's pages, the API and the worker all go through these."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from portal_core.money import Line, minor_digits, totals
from portal_core.payments import services as payments
from portal_core.payments.models import Payment
from webhooks.services import event_emit

from . import invoice_mail
from .models import Invoice, InvoiceLine, NumberSequence
from .overdue import overdue_watch
from .payloads import invoice_payload, payment_payload

PAYMENT_TERMS_DAYS = 14


@dataclass(frozen=True)
class LineInput:
    description: str
    quantity: Decimal
    unit_price: Decimal
    tax_rate: Decimal = Decimal(0)
    discount_percent: Decimal = Decimal(0)


def _recompute(invoice: Invoice) -> None:
    """Store the totals the money helper computes from the invoice's lines."""
    lines = list(invoice.lines.all())
    result = totals(
        [Line(x.quantity, x.unit_price, x.tax_rate, x.discount_percent) for x in lines],
        currency=invoice.currency,
        prices_include_tax=invoice.prices_include_tax,
        discount_percent=invoice.discount_percent,
    )
    for line, amount in zip(lines, result.lines, strict=True):
        if line.amount != amount:
            line.amount = amount
            line.save(update_fields=["amount"])
    invoice.subtotal, invoice.discount, invoice.tax, invoice.total = (
        result.subtotal,
        result.discount,
        result.tax,
        result.total,
    )


def invoice_create(
    *,
    contact=None,
    company=None,
    lines: list[LineInput],
    currency: str = "EUR",
    due_date: date | None = None,
    prices_include_tax: bool = False,
    discount_percent: Decimal = Decimal(0),
    notes: str = "",
    po_number: str = "",
) -> Invoice:
    """A draft invoice with its lines and totals."""
    if (contact is None) == (company is None):
        raise ValidationError("An invoice is for one contact or one company.")
    try:
        minor_digits(currency)
    except ValueError as exc:
        raise ValidationError({"currency": str(exc)}) from exc
    if not lines:
        raise ValidationError("Add at least one line.")
    with transaction.atomic():
        invoice = Invoice.objects.create(
            contact=contact,
            company=company,
            currency=currency.upper(),
            due_date=due_date,
            prices_include_tax=prices_include_tax,
            discount_percent=discount_percent,
            notes=notes.strip(),
            po_number=po_number.strip(),
        )
        InvoiceLine.objects.bulk_create(
            InvoiceLine(
                invoice=invoice,
                position=position,
                description=line.description.strip(),
                quantity=line.quantity,
                unit_price=line.unit_price,
                tax_rate=line.tax_rate,
                discount_percent=line.discount_percent,
            )
            for position, line in enumerate(lines)
        )
        _recompute(invoice)
        invoice.save()
        event_emit(type="invoices.invoice_created", data={"invoice": invoice_payload(invoice)})
    return invoice


def _next_number(year: int) -> str:
    sequence, _created = NumberSequence.objects.select_for_update().get_or_create(year=year)
    sequence.last += 1
    sequence.save(update_fields=["last"])
    return f"{year}-{sequence.last:04d}"


def invoice_send(*, invoice: Invoice) -> Invoice:
    """Give the invoice its number (the first time) and open it for payment."""
    with transaction.atomic():
        invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
        if invoice.status == Invoice.Status.VOID:
            raise ValidationError("A void invoice cannot be sent.")
        if invoice.total <= 0:
            raise ValidationError("An invoice of nothing cannot be sent.")
        first_time = not invoice.number
        if first_time:
            today = timezone.localdate()
            invoice.number = _next_number(today.year)
            invoice.issue_date = today
            invoice.due_date = invoice.due_date or today + timedelta(days=PAYMENT_TERMS_DAYS)
        if invoice.status == Invoice.Status.DRAFT:
            invoice.status = Invoice.Status.SENT
        invoice.sent_at = timezone.now()
        invoice.save()
        event_emit(
            type="invoices.invoice_sent", data={"invoice": invoice_payload(invoice), "first_time": first_time}
        )
        if first_time:
            overdue_watch(invoice=invoice)
    return invoice


def invoice_send_to_client(*, invoice: Invoice) -> Invoice:
    """Send the invoice (its number the first time) and email it to the client with its PDF and
    the link to its page (from the worker, once this commits)."""
    invoice = invoice_send(invoice=invoice)
    invoice_mail.invoice_email_queue(invoice=invoice)
    return invoice


def invoice_void(*, invoice: Invoice, reason: str) -> Invoice:
    if not reason.strip():
        raise ValidationError({"reason": "Say why the invoice is void (the client sees it)."})
    with transaction.atomic():
        invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
        if invoice.amount_paid > 0:
            raise ValidationError("This invoice has payments: refund them first.")
        invoice.status = Invoice.Status.VOID
        invoice.voided_at = timezone.now()
        invoice.void_reason = reason.strip()[:300]
        invoice.save()
        event_emit(
            type="invoices.invoice_voided",
            data={"invoice": invoice_payload(invoice), "reason": invoice.void_reason},
        )
    return invoice


def invoice_viewed(*, invoice: Invoice) -> None:
    """The client opened the invoice: the first time is remembered (and told)."""
    if invoice.viewed_at is None and invoice.status != Invoice.Status.DRAFT:
        now = timezone.now()
        with transaction.atomic():
            if Invoice.objects.filter(pk=invoice.pk, viewed_at__isnull=True).update(viewed_at=now):
                invoice.viewed_at = now
                event_emit(type="invoices.invoice_viewed", data={"invoice": invoice_payload(invoice)})


def invoice_checkout(*, invoice: Invoice, success_url: str, cancel_url: str, email: str = "") -> str:
    """The Stripe Checkout page that pays the invoice's balance, on the office's account."""
    if invoice.status not in (Invoice.Status.SENT, Invoice.Status.PARTIALLY_PAID) or invoice.balance <= 0:
        raise ValidationError("This invoice is not open for payment.")
    _payment, url = payments.checkout_start(
        module="invoices",
        reference=str(invoice.pk),
        amount=invoice.balance,
        currency=invoice.currency,
        description=f"Invoice {invoice.number}",
        success_url=success_url,
        cancel_url=cancel_url,
        customer_email=email,
    )
    return url


def payment_apply(*, payment: Payment) -> Invoice | None:
    """A payment for an invoice succeeded: what it paid counts, once. A payment for a void invoice
    is kept (and stays visible to the office for a refund), never lost."""
    if payment.module != "invoices" or not payment.reference.isdigit():
        return None
    with transaction.atomic():
        invoice = Invoice.objects.select_for_update().filter(pk=int(payment.reference)).first()
        if invoice is None or payment.currency != invoice.currency:
            return None
        paid = Payment.objects.filter(
            module="invoices",
            reference=payment.reference,
            currency=invoice.currency,
            status__in=[Payment.Status.SUCCEEDED, Payment.Status.PARTIALLY_REFUNDED],
        )
        before = invoice.amount_paid
        invoice.amount_paid = sum((p.amount - p.amount_refunded for p in paid), Decimal(0))
        if invoice.status != Invoice.Status.VOID:
            if invoice.amount_paid >= invoice.total:
                invoice.status = Invoice.Status.PAID
            elif invoice.amount_paid > 0:
                invoice.status = Invoice.Status.PARTIALLY_PAID
        invoice.save(update_fields=["amount_paid", "status"])
        _payment_events(invoice, payment, received=invoice.amount_paid > before)
    return invoice


def _payment_events(invoice: Invoice, payment: Payment, *, received: bool) -> None:
    """What a counted payment tells the office's webhooks: it arrived, and where the invoice stands."""
    if not received:
        return
    data = {"payment": payment_payload(payment), "invoice": invoice_payload(invoice)}
    event_emit(type="invoices.payment_received", data=data)
    if invoice.status == Invoice.Status.PAID:
        event_emit(
            type="invoices.invoice_paid", data={"invoice": data["invoice"], "payment": data["payment"]}
        )
    elif invoice.status == Invoice.Status.PARTIALLY_PAID:
        event_emit(
            type="invoices.invoice_partially_paid",
            data={"invoice": data["invoice"], "payment": data["payment"]},
        )


# --- changing a draft, payments the office records ------------------------------------------------


def invoice_lines_of(invoice: Invoice) -> list[LineInput]:
    return [
        LineInput(x.description, x.quantity, x.unit_price, x.tax_rate, x.discount_percent)
        for x in invoice.lines.all()
    ]


def invoice_change(
    *,
    invoice: Invoice,
    contact=None,
    company=None,
    lines: list[LineInput],
    currency: str,
    due_date: date | None = None,
    prices_include_tax: bool = False,
    discount_percent: Decimal = Decimal(0),
    notes: str = "",
    po_number: str = "",
) -> Invoice:
    """A draft's new client, lines and terms, with its totals recomputed. Only a draft changes:
    what a client has seen stays as they saw it."""
    if (contact is None) == (company is None):
        raise ValidationError("An invoice is for one contact or one company.")
    try:
        minor_digits(currency)
    except ValueError as exc:
        raise ValidationError({"currency": str(exc)}) from exc
    if not lines:
        raise ValidationError("Add at least one line.")
    with transaction.atomic():
        invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
        if invoice.status != Invoice.Status.DRAFT:
            raise ValidationError("Only a draft can be changed; duplicate this invoice instead.")
        invoice.contact, invoice.company = contact, company
        invoice.currency = currency.upper()
        invoice.due_date = due_date
        invoice.prices_include_tax = prices_include_tax
        invoice.discount_percent = discount_percent
        invoice.notes, invoice.po_number = notes.strip(), po_number.strip()
        invoice.lines.all().delete()
        InvoiceLine.objects.bulk_create(
            InvoiceLine(
                invoice=invoice,
                position=position,
                description=line.description.strip(),
                quantity=line.quantity,
                unit_price=line.unit_price,
                tax_rate=line.tax_rate,
                discount_percent=line.discount_percent,
            )
            for position, line in enumerate(lines)
        )
        _recompute(invoice)
        invoice.save()
    return invoice


def invoice_payments(invoice: Invoice):
    return Payment.objects.filter(module="invoices", reference=str(invoice.pk))


def invoice_payment_record(
    *, invoice: Invoice, amount: Decimal, method: str, paid_on: date, note: str = "", actor: str = ""
) -> Payment:
    """A payment the office received outside Stripe (bank transfer, cash, cheque), at most the
    balance; the invoice counts it once the payment is recorded (``payment_succeeded``)."""
    with transaction.atomic():
        invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
        is_open = invoice.status in (Invoice.Status.SENT, Invoice.Status.PARTIALLY_PAID)
        if not is_open or invoice.balance <= 0:
            raise ValidationError("Only a sent invoice with something left to pay takes a payment.")
        if amount > invoice.balance:
            raise ValidationError({"amount": f"At most the balance, {invoice.balance} {invoice.currency}."})
        if paid_on > timezone.localdate():
            raise ValidationError({"paid_on": "A payment received is not in the future."})
        return payments.manual_payment_record(
            module="invoices",
            reference=str(invoice.pk),
            amount=amount,
            currency=invoice.currency,
            method=method,
            paid_on=paid_on,
            note=note,
            actor=actor,
        )


def invoice_payments_recount(*, payment: Payment) -> Invoice | None:
    """After a refund: what the invoice has received, and its status, from its payments; event
    ``invoices.payment_refunded``."""
    if payment.module != "invoices" or not payment.reference.isdigit():
        return None
    with transaction.atomic():
        invoice = Invoice.objects.select_for_update().filter(pk=int(payment.reference)).first()
        if invoice is None:
            return None
        paid = invoice_payments(invoice).filter(
            currency=invoice.currency,
            status__in=[Payment.Status.SUCCEEDED, Payment.Status.PARTIALLY_REFUNDED],
        )
        invoice.amount_paid = sum((p.amount - p.amount_refunded for p in paid), Decimal(0))
        if invoice.status != Invoice.Status.VOID and invoice.number:
            if invoice.amount_paid >= invoice.total:
                invoice.status = Invoice.Status.PAID
            elif invoice.amount_paid > 0:
                invoice.status = Invoice.Status.PARTIALLY_PAID
            else:
                invoice.status = Invoice.Status.SENT
        invoice.save(update_fields=["amount_paid", "status"])
        event_emit(
            type="invoices.payment_refunded",
            data={"payment": payment_payload(payment), "invoice": invoice_payload(invoice)},
        )
    return invoice
