"""Writes of invoices: the office's pages, the API and the worker all go through these."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from portal_core.money import Line, minor_digits, totals
from portal_core.payments import services as payments
from portal_core.payments.models import Payment
from portal_core.time_zones import office_localtime, office_time_zone
from tenants.queue import enqueue, enqueue_at
from webhooks.services import event_emit

from . import clock, invoice_mail
from .models import (
    Deposit,
    Invoice,
    InvoiceLine,
    InvoiceReminder,
    InvoiceTerms,
    NumberSequence,
    RecurringInvoice,
)
from .overdue import overdue_watch
from .payloads import invoice_payload, payment_payload


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
    currency: str | None = None,
    due_date: date | None = None,
    prices_include_tax: bool = False,
    discount_percent: Decimal = Decimal(0),
    notes: str = "",
    po_number: str = "",
    terms: str | None = None,
    footer: str | None = None,
    deposit: str | None = None,
    deposit_value: Decimal | None = None,
) -> Invoice:
    """A draft invoice with its lines, totals and part payments (``deposit``), all or nothing. What
    is not given (``None``) comes from the office's invoice settings: currency, terms, footer and
    part payments."""
    if (contact is None) == (company is None):
        raise ValidationError("An invoice is for one contact or one company.")
    settings_ = invoice_terms_get()
    currency = settings_.default_currency if currency is None else currency
    terms = settings_.default_terms if terms is None else terms
    footer = settings_.default_footer if footer is None else footer
    if deposit is None:
        deposit, deposit_value = settings_.deposit, settings_.deposit_value
    try:
        minor_digits(currency)
    except ValueError as exc:
        raise ValidationError({"currency": str(exc)}) from exc
    if not lines:
        raise ValidationError("Add at least one line.")
    deposit_value = _deposit_checked(deposit, deposit_value, currency.upper())
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
            terms=terms.strip(),
            footer=footer.strip(),
            deposit=deposit,
            deposit_value=deposit_value,
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


NUMBER_TOKEN = re.compile(r"\{(YYYY|YY|MM|seq(?::0([1-9]))?)\}")
NUMBER_TEXT = re.compile(r"[A-Za-z0-9 ._/#-]*")


def number_format(pattern: str, *, day: date, seq: int) -> str:
    """The number ``pattern`` gives the ``seq``-th invoice sent on ``day``: ``{YYYY}``, ``{YY}``,
    ``{MM}``, and ``{seq}`` (``{seq:04}``: at least four digits, zeros in front)."""

    def token(match: re.Match) -> str:
        name, width = match.group(1), match.group(2)
        if name == "YYYY":
            return f"{day.year:04d}"
        if name == "YY":
            return f"{day.year % 100:02d}"
        if name == "MM":
            return f"{day.month:02d}"
        return str(seq).zfill(int(width or 0))

    return NUMBER_TOKEN.sub(token, pattern)


def number_pattern_check(pattern: str, *, reset_yearly: bool) -> str:
    """The pattern, stripped, or a ``ValidationError`` on ``number_pattern`` saying what is wrong."""
    pattern = (pattern or "").strip()
    tokens = NUMBER_TOKEN.findall(pattern)
    outside = NUMBER_TOKEN.sub("", pattern)
    if sum(1 for name, _width in tokens if name.startswith("seq")) != 1:
        raise ValidationError({"number_pattern": "Put {seq} (or {seq:04}) in the pattern once."})
    if "{" in outside or "}" in outside:
        raise ValidationError(
            {"number_pattern": "Only {YYYY}, {YY}, {MM} and {seq} or {seq:04} go in braces."}
        )
    if not NUMBER_TEXT.fullmatch(outside):
        raise ValidationError(
            {"number_pattern": "Besides the braces, use letters, digits, spaces and . _ / # - only."}
        )
    if reset_yearly and not any(name in ("YYYY", "YY") for name, _width in tokens):
        raise ValidationError(
            {"number_pattern": "Numbers that start again each year need {YYYY} or {YY} in the pattern."}
        )
    if (
        len(number_format(pattern, day=date(2099, 12, 31), seq=99999))
        > Invoice._meta.get_field("number").max_length
    ):
        raise ValidationError({"number_pattern": "The numbers would be too long (at most 40 characters)."})
    return pattern


def _next_number(day: date, terms: InvoiceTerms) -> str:
    """The next number of the office's sequence (this year's, or the running one), taken with the
    counter row locked until the sending commits: two sends at once get two numbers in a row, and a
    send that fails gives its number back. A number the pattern gives that is taken already (the
    pattern was changed) is passed over."""
    year = day.year if terms.number_reset_yearly else 0
    NumberSequence.objects.bulk_create([NumberSequence(year=year)], ignore_conflicts=True)
    sequence = NumberSequence.objects.select_for_update().get(year=year)
    while True:
        sequence.last += 1
        number = number_format(terms.number_pattern, day=day, seq=sequence.last)
        if not Invoice.objects.filter(number=number).exists():
            break
    sequence.save(update_fields=["last"])
    return number


def number_next_preview() -> str:
    """The number the next invoice sent today would get (nothing is taken)."""
    terms, today = invoice_terms_get(), clock.today()
    found = NumberSequence.objects.filter(year=today.year if terms.number_reset_yearly else 0).first()
    return number_format(terms.number_pattern, day=today, seq=(found.last if found else 0) + 1)


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
            today, terms = clock.today(), invoice_terms_get()
            invoice.number = _next_number(today, terms)
            invoice.issue_date = today
            invoice.due_date = invoice.due_date or today + timedelta(days=terms.payment_terms_days)
        if invoice.status == Invoice.Status.DRAFT:
            invoice.status = Invoice.Status.SENT
        invoice.sent_at = clock.now()
        invoice.save()
        event_emit(
            type="invoices.invoice_sent", data={"invoice": invoice_payload(invoice), "first_time": first_time}
        )
        if first_time:
            overdue_watch(invoice=invoice)
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
        paid = list(
            Payment.objects.filter(
                module="invoices",
                reference=payment.reference,
                currency=invoice.currency,
                status__in=[Payment.Status.SUCCEEDED, Payment.Status.PARTIALLY_REFUNDED],
            )
        )
        was_paid = invoice.status == Invoice.Status.PAID
        invoice.amount_paid = sum((p.amount - p.amount_refunded for p in paid), Decimal(0))
        if invoice.status != Invoice.Status.VOID:
            if invoice.amount_paid >= invoice.total:
                invoice.status = Invoice.Status.PAID
            elif invoice.amount_paid > 0:
                invoice.status = Invoice.Status.PARTIALLY_PAID
        invoice.save(update_fields=["amount_paid", "status"])
        # Each payment is told once, by its own success: another payment's recount (two landing at
        # once) may have counted it already, so "the total grew" would miss it.
        counted = any(p.pk == payment.pk for p in paid)
        _payment_events(invoice, payment, received=counted, was_paid=was_paid)
    return invoice


def _payment_events(invoice: Invoice, payment: Payment, *, received: bool, was_paid: bool = False) -> None:
    """What a counted payment tells the office's webhooks: it arrived, and where the invoice stands
    (``invoice_paid`` once, when it becomes paid: a payment beyond the total is received, not paid)."""
    if not received:
        return
    data = {"payment": payment_payload(payment), "invoice": invoice_payload(invoice)}
    event_emit(type="invoices.payment_received", data=data)
    if invoice.status == Invoice.Status.PAID and not was_paid:
        event_emit(
            type="invoices.invoice_paid", data={"invoice": data["invoice"], "payment": data["payment"]}
        )
    elif invoice.status == Invoice.Status.PARTIALLY_PAID:
        event_emit(
            type="invoices.invoice_partially_paid",
            data={"invoice": data["invoice"], "payment": data["payment"]},
        )


# --- the office's editor, duplicates, part payments ---------------------------------------------


def _lines_replace(invoice: Invoice, lines: list[LineInput]) -> None:
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


def _deposit_checked(deposit: str, value: Decimal | None, currency: str) -> Decimal | None:
    if not deposit:
        return None
    if deposit not in Deposit.values or value is None or value <= 0:
        raise ValidationError({"deposit_value": "Give the smallest part a client may pay."})
    if deposit == Deposit.PERCENT and value >= 100:
        raise ValidationError({"deposit_value": "A part is less than 100 percent."})
    if deposit == Deposit.AMOUNT:
        step = Decimal(1).scaleb(-minor_digits(currency))
        if value != value.quantize(step):
            raise ValidationError(
                {"deposit_value": f"{currency} amounts have {minor_digits(currency)} decimals."}
            )
    return value


def invoice_change(
    *,
    invoice: Invoice,
    contact=None,
    company=None,
    lines: list[LineInput],
    currency: str | None,
    due_date: date | None = None,
    prices_include_tax: bool = False,
    discount_percent: Decimal = Decimal(0),
    notes: str = "",
    po_number: str = "",
    terms: str | None = "",
    footer: str | None = "",
    deposit: str = "",
    deposit_value: Decimal | None = None,
) -> Invoice:
    """A draft's new client, lines and terms, with its totals recomputed (``None``: the office's
    currency, terms or footer). Only a draft changes: what a client has seen stays as they saw it."""
    if (contact is None) == (company is None):
        raise ValidationError("An invoice is for one contact or one company.")
    settings_ = invoice_terms_get()
    currency = settings_.default_currency if currency is None else currency
    terms = settings_.default_terms if terms is None else terms
    footer = settings_.default_footer if footer is None else footer
    try:
        minor_digits(currency)
    except ValueError as exc:
        raise ValidationError({"currency": str(exc)}) from exc
    if not lines:
        raise ValidationError("Add at least one line.")
    deposit_value = _deposit_checked(deposit, deposit_value, currency.upper())
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
        invoice.terms, invoice.footer = terms.strip(), footer.strip()
        invoice.deposit, invoice.deposit_value = deposit, deposit_value
        _lines_replace(invoice, lines)
        _recompute(invoice)
        invoice.save()
    return invoice


def invoice_part_payments_set(*, invoice: Invoice, deposit: str, deposit_value: Decimal | None) -> Invoice:
    """Let the client pay a part of the invoice at a time (at least an amount, or a percentage of
    the total), or only the full balance (``deposit=""``). Allowed on an open invoice too."""
    deposit_value = _deposit_checked(deposit, deposit_value, invoice.currency)
    with transaction.atomic():
        invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
        if invoice.status in (Invoice.Status.PAID, Invoice.Status.VOID):
            raise ValidationError("This invoice is closed.")
        invoice.deposit, invoice.deposit_value = deposit, deposit_value
        invoice.save(update_fields=["deposit", "deposit_value"])
    return invoice


def invoice_lines_of(invoice: Invoice) -> list[LineInput]:
    return [
        LineInput(x.description, x.quantity, x.unit_price, x.tax_rate, x.discount_percent)
        for x in invoice.lines.all()
    ]


def invoice_duplicate(*, invoice: Invoice) -> Invoice:
    """A new draft with the same client, lines and terms (no number, dates or payments)."""
    return invoice_create(
        contact=invoice.contact,
        company=invoice.company,
        lines=invoice_lines_of(invoice),
        currency=invoice.currency,
        prices_include_tax=invoice.prices_include_tax,
        discount_percent=invoice.discount_percent,
        notes=invoice.notes,
        po_number=invoice.po_number,
        terms=invoice.terms,
        footer=invoice.footer,
        deposit=invoice.deposit,
        deposit_value=invoice.deposit_value,
    )


def invoice_checkout_part(
    *, invoice: Invoice, amount: Decimal, success_url: str, cancel_url: str, email: str = ""
) -> str:
    """The Stripe Checkout page that pays ``amount`` of the invoice: at least its smallest part
    (the whole balance unless the office allows parts), at most the balance."""
    if not invoice.is_open:
        raise ValidationError("This invoice is not open for payment.")
    if amount < invoice.minimum_payment or amount > invoice.balance:
        raise ValidationError(
            {"amount": f"Pay between {invoice.minimum_payment} and {invoice.balance} {invoice.currency}."}
        )
    _payment, url = payments.checkout_start(
        module="invoices",
        reference=str(invoice.pk),
        amount=amount,
        currency=invoice.currency,
        description=f"Invoice {invoice.number}",
        success_url=success_url,
        cancel_url=cancel_url,
        customer_email=email,
    )
    return url


# --- money the office records or gives back ------------------------------------------------------


def invoice_payments(invoice: Invoice):
    return Payment.objects.filter(module="invoices", reference=str(invoice.pk))


def invoice_payment_record(
    *, invoice: Invoice, amount: Decimal, method: str, paid_on: date, note: str = "", actor: str = ""
) -> Payment:
    """A payment the office received outside Stripe (bank transfer, cash, cheque), at most the
    balance; the invoice counts it once the payment is recorded (``payment_succeeded``)."""
    with transaction.atomic():
        invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
        if not invoice.is_open:
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


def invoice_payment_refund(
    *, invoice: Invoice, payment: Payment, amount: Decimal | None = None, actor: str = ""
) -> Payment:
    """Give back a payment of the invoice, all of it or a part: through Stripe for a card payment
    (the invoice's balance follows when Stripe confirms it), at once for a manual one."""
    if payment.module != "invoices" or payment.reference != str(invoice.pk):
        raise ValidationError("This payment is not for this invoice.")
    return payments.refund(payment=payment, amount=amount, actor=actor)


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
    if invoice.is_open:
        reminders_schedule(invoice=invoice)
    return invoice


# --- an accepted proposal ---------------------------------------------------------------------------


def invoice_from_accepted(*, accepted) -> Invoice | None:
    """The invoice for what a client accepted (``portal_core.signals.AcceptedProposal``), sent to
    them with the deposit they paid already counted (a payment of method ``deposit``). Once per
    proposal: its PO number names the proposal."""
    from portal_core.models import Company, Contact

    reference = f"Proposal {accepted.proposal_id}"
    if not accepted.items or Invoice.objects.filter(po_number=reference).exists():
        return None
    contact = Contact.objects.filter(pk=accepted.contact_id).first() if accepted.contact_id else None
    company = Company.objects.filter(pk=accepted.company_id).first() if accepted.company_id else None
    with transaction.atomic():
        invoice = invoice_create(
            contact=contact,
            company=company,
            lines=[
                LineInput(i.description, i.quantity, i.unit_price, i.tax_rate, i.discount_percent)
                for i in accepted.items
            ],
            currency=accepted.currency,
            prices_include_tax=accepted.prices_include_tax,
            discount_percent=accepted.discount_percent,
            notes=f"For the accepted proposal “{accepted.title}”.",
            po_number=reference,
        )
        invoice = invoice_send(invoice=invoice)
        deposit = (
            Payment.objects.filter(pk=accepted.deposit_payment_id).first()
            if accepted.deposit_payment_id
            else None
        )
        if deposit is not None and deposit.currency == invoice.currency:
            payments.deposit_carry_over(
                payment=deposit,
                module="invoices",
                reference=str(invoice.pk),
                note=f"Deposit paid with the proposal “{accepted.title}”",
            )
        reminders_schedule(invoice=invoice)
        invoice_mail.invoice_email_queue(invoice=invoice)
    return invoice


# --- emails to the client -------------------------------------------------------------------------


def invoice_send_to_client(*, invoice: Invoice) -> Invoice:
    """Send the invoice (its number the first time), email it to the client with its PDF and the
    link to its page (from the worker, once this commits), and set its reminders. What the office's
    Send button, the API and the recurring schedule do."""
    invoice = invoice_send(invoice=invoice)
    reminders_schedule(invoice=invoice)
    invoice_mail.invoice_email_queue(invoice=invoice)
    return invoice


EMAIL_TASK = "modules.invoices.tasks.invoice_email"
RECEIPT_TASK = "modules.invoices.tasks.payment_receipt"
REMINDER_TASK = "modules.invoices.tasks.reminders_due"
RECURRING_TASK = "modules.invoices.tasks.recurring_due"
REMINDER_HOUR = 8  # reminders and recurring invoices leave at 08:00 in the office's time zone


def _recipient(invoice) -> tuple[str, str, dict]:
    """(email, language, contact tokens) of who the invoice is for."""
    if invoice.contact_id:
        contact = invoice.contact
        names = {"contact.first_name": contact.first_name, "contact.last_name": contact.last_name}
        return contact.email, contact.language, names
    company = invoice.company
    return company.email, company.language, {"contact.first_name": company.name, "contact.last_name": ""}


def invoice_email_values(invoice: Invoice, language: str) -> dict[str, str]:
    from django.utils import translation

    from portal_core.emails import supported_language
    from portal_core.formatting import format_date, format_money

    with translation.override(supported_language(language)):
        return {
            "invoice.number": invoice.number,
            "invoice.total": format_money(invoice.total, invoice.currency),
            "invoice.balance": format_money(invoice.balance, invoice.currency),
            "invoice.due_date": format_date(invoice.due_date) if invoice.due_date else "",
            "portal_link": invoice_mail.invoice_link(invoice),
        }


def invoice_email_send(*, invoice: Invoice, kind: str) -> bool:
    """Email the invoice's client (``kind``: ``invoices.…``) in their language. False when there
    is nobody to send it to, or a reminder is held (the client unsubscribed from reminders, or the
    address is failing)."""
    from portal_core.emails import send_client_email

    to, language, names = _recipient(invoice)
    if not to:
        return False
    values = {**names, **invoice_email_values(invoice, language)}
    # A company's invoice goes to the company's own address: its preferences are the company's.
    recipient = invoice.contact if invoice.contact_id else invoice.company
    return send_client_email(kind, to=to, language=language, values=values, contact=recipient)


def payment_receipt_send(*, payment: Payment) -> bool:
    """The receipt of a payment that arrived, in the client's language."""
    from django.utils import translation

    from portal_core.emails import send_client_email, supported_language
    from portal_core.formatting import format_date, format_money

    if payment.module != "invoices" or not payment.reference.isdigit():
        return False
    invoice = Invoice.objects.select_related("contact", "company").filter(pk=int(payment.reference)).first()
    if invoice is None or payment.status != Payment.Status.SUCCEEDED:
        return False
    to, language, names = _recipient(invoice)
    if not to:
        return False
    values = {**names, **invoice_email_values(invoice, language)}
    with translation.override(supported_language(language)):
        values["payment.amount"] = format_money(payment.amount, payment.currency)
        values["payment.date"] = format_date(payment.paid_on or timezone.localdate())
    send_client_email("invoices.payment_receipt", to=to, language=language, values=values)
    return True


# --- reminders -----------------------------------------------------------------------------------


def invoice_terms_get() -> InvoiceTerms:
    found, _created = InvoiceTerms.objects.get_or_create(singleton=True)
    return found


def invoice_terms_change(
    *,
    remind_days_before: int | None,
    remind_on_due_date: bool,
    remind_days_after: int | None,
    number_pattern: str | None = None,
    number_reset_yearly: bool | None = None,
    default_currency: str | None = None,
    payment_terms_days: int | None = None,
    default_terms: str | None = None,
    default_footer: str | None = None,
    deposit: str | None = None,
    deposit_value: Decimal | None = None,
) -> InvoiceTerms:
    """The office's invoice settings; what is not given (``None``) stays as it is. New numbers follow
    the pattern from the next invoice sent; new invoices start with the currency, terms, footer and
    part payments; every open invoice's next reminder moves with the reminder settings."""
    terms = invoice_terms_get()
    errors: dict[str, list[str]] = {}
    if number_reset_yearly is not None:
        terms.number_reset_yearly = number_reset_yearly
    if number_pattern is not None:
        terms.number_pattern = number_pattern
    try:
        terms.number_pattern = number_pattern_check(
            terms.number_pattern, reset_yearly=terms.number_reset_yearly
        )
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if default_currency is not None:
        try:
            minor_digits(default_currency)
        except ValueError:
            errors["default_currency"] = ["Give an ISO 4217 currency code, such as EUR."]
        else:
            terms.default_currency = default_currency.upper()
    if payment_terms_days is not None:
        terms.payment_terms_days = payment_terms_days
    if default_terms is not None:
        terms.default_terms = default_terms.strip()
    if default_footer is not None:
        terms.default_footer = default_footer.strip()
    if deposit is not None:
        try:
            terms.deposit_value = _deposit_checked(deposit, deposit_value, terms.default_currency)
        except ValidationError as exc:
            errors.update(exc.message_dict)
        else:
            terms.deposit = deposit
    terms.remind_days_before = remind_days_before or None
    terms.remind_on_due_date = remind_on_due_date
    terms.remind_days_after = remind_days_after or None
    if errors:
        raise ValidationError(errors)
    terms.full_clean()
    terms.save()
    for invoice in Invoice.objects.filter(status__in=[Invoice.Status.SENT, Invoice.Status.PARTIALLY_PAID]):
        reminders_schedule(invoice=invoice, terms=terms)
    return terms


def reminder_dates(invoice: Invoice, terms: InvoiceTerms) -> list[tuple[str, date]]:
    """The reminders the invoice gets, (kind, date) in order, none dated before it was sent."""
    if invoice.due_date is None:
        return []
    due = invoice.due_date
    planned = []
    if terms.remind_days_before:
        planned.append((InvoiceReminder.Kind.BEFORE, due - timedelta(days=terms.remind_days_before)))
    if terms.remind_on_due_date:
        planned.append((InvoiceReminder.Kind.ON, due))
    if terms.remind_days_after:
        planned.append((InvoiceReminder.Kind.AFTER, due + timedelta(days=terms.remind_days_after)))
    sent_on = office_localtime(invoice.sent_at).date() if invoice.sent_at else None
    return [(kind, day) for kind, day in planned if sent_on is None or day > sent_on]


def reminder_next(*, invoice: Invoice) -> tuple[str, date] | None:
    """The next reminder the invoice will get, (kind, date), or None."""
    if not invoice.is_open:
        return None
    done = set(invoice.reminders.values_list("kind", flat=True))
    upcoming = [(kind, day) for kind, day in reminder_dates(invoice, invoice_terms_get()) if kind not in done]
    return upcoming[0] if upcoming else None


def _at_office_morning(day: date):
    from datetime import datetime, time

    return datetime.combine(day, time(REMINDER_HOUR), tzinfo=office_time_zone())


def reminders_schedule(*, invoice: Invoice, terms: InvoiceTerms | None = None) -> date | None:
    """Set the timer of the invoice's next reminder (none once it is paid or void). Returns its
    date."""
    if not invoice.is_open:
        return None
    terms = terms or invoice_terms_get()
    done = set(InvoiceReminder.objects.filter(invoice=invoice).values_list("kind", flat=True))
    today = clock.today()
    upcoming = [day for kind, day in reminder_dates(invoice, terms) if kind not in done]
    if not upcoming:
        return None
    day = max(min(upcoming), today)
    enqueue_at(_at_office_morning(day), REMINDER_TASK, invoice.pk)
    return day


def reminders_rearm() -> int:
    """Set again the next reminder of every open invoice (after the module was off). Returns how
    many were set."""
    terms = invoice_terms_get()
    open_ = Invoice.objects.filter(status__in=[Invoice.Status.SENT, Invoice.Status.PARTIALLY_PAID])
    return sum(1 for invoice in open_ if reminders_schedule(invoice=invoice, terms=terms) is not None)


def reminders_send_due(*, invoice: Invoice) -> str | None:
    """Send the reminder that is due today (the latest when several are: the earlier ones are
    passed over), once; then set the timer for the next. Nothing once the invoice is paid or void.
    Returns the kind sent."""
    terms = invoice_terms_get()
    today = clock.today()
    with transaction.atomic():
        invoice = (
            Invoice.objects.select_for_update(of=("self",))
            .select_related("contact", "company")
            .get(pk=invoice.pk)
        )
        if not invoice.is_open:
            return None
        done = set(InvoiceReminder.objects.filter(invoice=invoice).values_list("kind", flat=True))
        due = [kind for kind, day in reminder_dates(invoice, terms) if day <= today and kind not in done]
        if not due:
            sent = None
        else:
            *passed, sent = due
            InvoiceReminder.objects.bulk_create(
                [InvoiceReminder(invoice=invoice, kind=kind, skipped=True) for kind in passed]
                + [InvoiceReminder(invoice=invoice, kind=sent)]
            )
            enqueue(EMAIL_TASK, invoice.pk, f"invoices.reminder_{sent}")
    reminders_schedule(invoice=invoice, terms=terms)
    return sent


# --- recurring invoices --------------------------------------------------------------------------

MONTHS = {
    RecurringInvoice.Frequency.MONTHLY: 1,
    RecurringInvoice.Frequency.QUARTERLY: 3,
    RecurringInvoice.Frequency.YEARLY: 12,
}


def next_occurrence(start: date, frequency: str, n: int) -> date:
    """The ``n``-th date after ``start`` (0: ``start``) on the schedule; a month's day past its end
    is the month's last day (31 January, 28 February, 31 March)."""
    import calendar

    if frequency == RecurringInvoice.Frequency.WEEKLY:
        return start + timedelta(weeks=n)
    months = start.month - 1 + MONTHS[frequency] * n
    year, month = start.year + months // 12, months % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def _recurring_next(recurring: RecurringInvoice) -> date | None:
    if recurring.stopped_at is not None:
        return None
    if recurring.end_after is not None and recurring.issued >= recurring.end_after:
        return None
    day = next_occurrence(recurring.start_date, recurring.frequency, recurring.issued)
    if recurring.end_on is not None and day > recurring.end_on:
        return None
    return day


def recurring_create(
    *,
    invoice: Invoice,
    frequency: str,
    start_date: date,
    end_after: int | None = None,
    end_on: date | None = None,
) -> RecurringInvoice:
    """Issue and send a copy of the invoice's lines to its client on a schedule, from
    ``start_date``, ending after ``end_after`` invoices or after ``end_on`` (or neither)."""
    if frequency not in RecurringInvoice.Frequency.values:
        raise ValidationError({"frequency": "Choose how often."})
    if start_date < clock.today():
        raise ValidationError({"start_date": "The first date is today or later."})
    if end_on is not None and end_on < start_date:
        raise ValidationError({"end_on": "The end is after the first date."})
    if end_after is not None and end_after < 1:
        raise ValidationError({"end_after": "At least one invoice."})
    with transaction.atomic():
        recurring = RecurringInvoice.objects.create(
            contact=invoice.contact,
            company=invoice.company,
            currency=invoice.currency,
            prices_include_tax=invoice.prices_include_tax,
            discount_percent=invoice.discount_percent,
            notes=invoice.notes,
            po_number=invoice.po_number,
            terms=invoice.terms,
            footer=invoice.footer,
            lines=[
                {
                    "description": line.description,
                    "quantity": str(line.quantity),
                    "unit_price": str(line.unit_price),
                    "tax_rate": str(line.tax_rate),
                    "discount_percent": str(line.discount_percent),
                }
                for line in invoice_lines_of(invoice)
            ],
            frequency=frequency,
            start_date=start_date,
            next_date=start_date,
            end_after=end_after,
            end_on=end_on,
        )
        enqueue_at(_at_office_morning(start_date), RECURRING_TASK, recurring.pk)
    return recurring


def recurring_rearm() -> int:
    """Set again the timer of every running schedule (after the module was off): the next invoice
    on its date, or now when that date has passed. Returns how many were set."""
    today, count = clock.today(), 0
    for recurring in RecurringInvoice.objects.filter(stopped_at__isnull=True, next_date__isnull=False):
        enqueue_at(_at_office_morning(max(recurring.next_date, today)), RECURRING_TASK, recurring.pk)
        count += 1
    return count


def recurring_stop(*, recurring: RecurringInvoice) -> RecurringInvoice:
    """No more invoices from this schedule (those issued stay)."""
    with transaction.atomic():
        recurring = RecurringInvoice.objects.select_for_update().get(pk=recurring.pk)
        if recurring.stopped_at is None:
            recurring.stopped_at = timezone.now()
            recurring.next_date = None
            recurring.save(update_fields=["stopped_at", "next_date"])
    return recurring


def recurring_issue_due(*, recurring: RecurringInvoice) -> list[Invoice]:
    """Issue and send every invoice of the schedule whose date has come (one, unless the worker was
    away), each once; then set the timer for the next."""
    issued = []
    today = clock.today()
    while True:
        with transaction.atomic():
            current = RecurringInvoice.objects.select_for_update().get(pk=recurring.pk)
            day = _recurring_next(current)
            if day is None or day > today:
                current.next_date = day
                current.save(update_fields=["next_date"])
                if day is not None:
                    enqueue_at(_at_office_morning(day), RECURRING_TASK, current.pk)
                return issued
            invoice = invoice_create(
                contact=current.contact,
                company=current.company,
                lines=[
                    LineInput(
                        x["description"],
                        Decimal(x["quantity"]),
                        Decimal(x["unit_price"]),
                        Decimal(x.get("tax_rate") or 0),
                        Decimal(x.get("discount_percent") or 0),
                    )
                    for x in current.lines
                ],
                currency=current.currency,
                prices_include_tax=current.prices_include_tax,
                discount_percent=current.discount_percent,
                notes=current.notes,
                po_number=current.po_number,
                terms=current.terms,
                footer=current.footer,
            )
            invoice.recurring = current
            invoice.save(update_fields=["recurring"])
            current.issued += 1
            current.save(update_fields=["issued"])
            issued.append(invoice_send_to_client(invoice=invoice))
