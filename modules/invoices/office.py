"""The office's invoice pages: the list (filters, totals, a 12-month chart, CSV exports), the
editor (live totals through htmx), an invoice's page with its actions (send, record a payment,
refund, part payments, make recurring, duplicate, void), the recurring schedules and the
reminder settings. Every action answers with a message; writes go through ``services``."""

from __future__ import annotations

import csv
from decimal import Decimal

import stripe
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_POST

from portal_core.formatting import format_money, money_round
from portal_core.money import Line, totals
from portal_core.office.shell import actor, errors_onto, query_without, render_office, staff_required
from portal_core.payments.models import Payment

from . import selectors, services
from .forms import (
    InvoiceFilterForm,
    InvoiceForm,
    InvoiceTermsForm,
    LineFormSet,
    PartPaymentsForm,
    PaymentForm,
    RecurringForm,
    RefundForm,
    VoidForm,
)
from .models import Invoice, RecurringInvoice

PER_PAGE = 25


def _id(value) -> int | None:
    return int(value) if value and str(value).isdigit() else None


@staff_required
def office_list(request):
    form = InvoiceFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    contact_id, company_id = _id(request.GET.get("contact")), _id(request.GET.get("company"))
    invoices = selectors.invoices_filtered(
        status=data.get("status", ""), q=data.get("q", ""), contact_id=contact_id, company_id=company_id
    )
    page = Paginator(invoices, PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "filtered": bool(data.get("status") or data.get("q") or contact_id or company_id),
        "contact_id": contact_id,
        "company_id": company_id,
        "totals": selectors.invoice_totals(),
        "refund_due": selectors.refund_due_count(),
        "query_string": query_without(request, "page"),
        "export_query": query_without(request, "page"),
    }
    return render_office(request, "invoices/office/list.html", context)


# --- the editor ------------------------------------------------------------------------------------


def _entered_lines(lines) -> list[services.LineInput]:
    return [
        services.LineInput(
            description=line["description"],
            quantity=line.get("quantity") or Decimal(1),
            unit_price=line["unit_price"],
            tax_rate=line.get("tax_rate") or Decimal(0),
            discount_percent=line.get("discount_percent") or Decimal(0),
        )
        for line in lines.cleaned_data
        if line.get("description") and line.get("unit_price") is not None
    ]


def _more_lines(post):
    """The posted form with one more (empty) line, for "Add a line": what was typed stays."""
    data = post.copy()
    count = int(data.get("lines-TOTAL_FORMS") or 0)
    data["lines-TOTAL_FORMS"] = str(min(count + 1, 100))
    return data


def _initial_of(invoice: Invoice) -> tuple[dict, list[dict]]:
    head = {
        "contact": invoice.contact_id,
        "company": invoice.company_id,
        "currency": invoice.currency,
        "due_date": invoice.due_date,
        "prices_include_tax": invoice.prices_include_tax,
        "discount_percent": invoice.discount_percent or None,
        "po_number": invoice.po_number,
        "notes": invoice.notes,
        "terms": invoice.terms,
        "footer": invoice.footer,
        "deposit": invoice.deposit,
        "deposit_value": invoice.deposit_value,
    }
    lines = [
        {
            "description": x.description,
            "quantity": x.quantity.normalize(),
            "unit_price": x.unit_price.normalize(),
            "tax_rate": x.tax_rate.normalize(),
            "discount_percent": x.discount_percent.normalize() or None,
        }
        for x in invoice.lines.all()
    ]
    return head, lines


def _new_invoice_defaults() -> dict:
    """What the editor starts a new invoice with: the office's invoice settings."""
    terms = services.invoice_terms_get()
    return {
        "currency": terms.default_currency,
        "terms": terms.default_terms,
        "footer": terms.default_footer,
        "deposit": terms.deposit,
        "deposit_value": terms.deposit_value,
    }


def _editor(request, invoice: Invoice | None):
    adding = request.method == "POST" and "add_line" in request.POST
    data = _more_lines(request.POST) if adding else (request.POST if request.method == "POST" else None)
    if invoice is None:
        chosen = {"contact": _id(request.GET.get("contact")), "company": _id(request.GET.get("company"))}
        form = InvoiceForm(
            data, initial={**_new_invoice_defaults(), **{k: v for k, v in chosen.items() if v}}
        )
        lines = LineFormSet(data, prefix="lines")
    else:
        head, rows = _initial_of(invoice)
        form = InvoiceForm(data, initial=head)
        lines = LineFormSet(data, prefix="lines", initial=rows)
    if request.method == "POST" and not adding and form.is_valid() and lines.is_valid():
        entered, data = _entered_lines(lines), form.cleaned_data
        fields = {
            "contact": data["contact"],
            "company": data["company"],
            "lines": entered,
            "currency": data["currency"],
            "due_date": data["due_date"],
            "prices_include_tax": data["prices_include_tax"],
            "discount_percent": data["discount_percent"] or Decimal(0),
            "notes": data["notes"],
            "po_number": data["po_number"],
            "terms": data["terms"],
            "footer": data["footer"],
        }
        fields.update(deposit=data["deposit"], deposit_value=data["deposit_value"])
        try:  # each saves a draft and its part payments together, or nothing
            if invoice is None:
                saved = services.invoice_create(**fields)
            else:
                saved = services.invoice_change(invoice=invoice, **fields)
        except ValidationError as exc:
            errors_onto(form, exc)
        else:
            messages.success(request, "Draft saved. Send it when it is ready.")
            return redirect("office:invoices_office:invoice", saved.pk)
    context = {
        "form": form,
        "lines": lines,
        "invoice": invoice,
        "preview": _preview(form, lines) if request.method == "POST" else _saved_preview(invoice),
    }
    return render_office(request, "invoices/office/form.html", context)


@staff_required
def office_create(request):
    return _editor(request, None)


@staff_required
def office_edit(request, pk):
    invoice = get_object_or_404(Invoice, pk=pk)
    if invoice.status != Invoice.Status.DRAFT:
        messages.error(request, "Only a draft can be changed; duplicate this invoice instead.")
        return redirect("office:invoices_office:invoice", pk)
    return _editor(request, invoice)


def _decimal(value, default=Decimal(0)) -> Decimal:
    try:
        found = Decimal(str(value).strip().replace(",", "."))
    except (ArithmeticError, ValueError):
        return default
    return found if found.is_finite() else default


def _preview(form, lines) -> dict:
    """The totals of what is typed now (lines without a price are left out), by the one rule."""
    data = form.data
    currency = (data.get("currency") or "EUR").strip().upper()
    entered = []
    for line in lines.forms:
        prefix = line.prefix
        description = (data.get(f"{prefix}-description") or "").strip()
        price = _decimal(data.get(f"{prefix}-unit_price"), None)
        if not description or price is None or price < 0:
            continue
        quantity = _decimal(data.get(f"{prefix}-quantity") or "1", Decimal(1))
        tax = _decimal(data.get(f"{prefix}-tax_rate"))
        discount = _decimal(data.get(f"{prefix}-discount_percent"))
        if quantity <= 0 or tax < 0 or not (0 <= discount <= 100):
            continue
        entered.append(Line(quantity, price, tax, discount))
    discount = _decimal(data.get("discount_percent"))
    try:
        result = totals(
            entered,
            currency=currency,
            prices_include_tax=bool(data.get("prices_include_tax")),
            discount_percent=discount if 0 <= discount <= 100 else Decimal(0),
        )
    except (ValueError, ArithmeticError):
        return {"currency": currency, "invalid": True}
    return {"currency": currency, "totals": result, "count": len(entered)}


def _saved_preview(invoice: Invoice | None) -> dict:
    if invoice is None:
        return {"currency": "EUR", "totals": None, "count": 0}
    return {
        "currency": invoice.currency,
        "totals": totals(
            [Line(x.quantity, x.unit_price, x.tax_rate, x.discount_percent) for x in invoice.lines.all()],
            currency=invoice.currency,
            prices_include_tax=invoice.prices_include_tax,
            discount_percent=invoice.discount_percent,
        ),
        "count": invoice.lines.count(),
    }


@staff_required
@require_POST
def office_totals(request):
    """htmx: the totals box for the editor's posted lines (nothing is saved)."""
    form, lines = InvoiceForm(request.POST), LineFormSet(request.POST, prefix="lines")
    html = render_to_string(
        "invoices/office/_totals.html", {"preview": _preview(form, lines)}, request=request
    )
    return HttpResponse(html)


# --- one invoice ---------------------------------------------------------------------------------


def _invoice_page(request, invoice: Invoice, **forms):
    payments = list(services.invoice_payments(invoice))
    for payment in payments:
        payment.refund_left = money_round(payment.refundable, payment.currency)
    context = {
        "invoice": invoice,
        "payments": payments,
        "refundable": [p for p in payments if p.refundable > 0],
        "refunds_due": selectors.refunds_due(invoice, payments),
        "payment_form": forms.get("payment_form") or PaymentForm(invoice=invoice),
        "refund_form": RefundForm(),
        "part_form": forms.get("part_form")
        or PartPaymentsForm(initial={"deposit": invoice.deposit, "deposit_value": invoice.deposit_value}),
        "recurring_form": forms.get("recurring_form")
        or RecurringForm(initial={"start_date": timezone.localdate(), "frequency": "monthly"}),
        "void_form": forms.get("void_form") or VoidForm(),
        "reminders": invoice.reminders.all(),
        "next_reminder": services.reminder_next(invoice=invoice),
    }
    return render_office(request, "invoices/office/invoice.html", context)


@staff_required
def office_invoice(request, pk):
    invoice = get_object_or_404(
        Invoice.objects.select_related("contact", "company", "recurring").prefetch_related("lines"), pk=pk
    )
    return _invoice_page(request, invoice)


def _back(pk):
    return redirect("office:invoices_office:invoice", pk)


@staff_required
@require_POST
def office_send(request, pk):
    invoice = get_object_or_404(Invoice, pk=pk)
    try:
        invoice = services.invoice_send_to_client(invoice=invoice)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            f"Invoice {invoice.number} is open for payment in the client's portal and emailed to them.",
        )
    return _back(pk)


@staff_required
@require_POST
def office_void(request, pk):
    invoice = get_object_or_404(Invoice, pk=pk)
    form = VoidForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError("Say why the invoice is void.")
        services.invoice_void(invoice=invoice, reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "The invoice is void.")
    return _back(pk)


@staff_required
@require_POST
def office_duplicate(request, pk):
    invoice = get_object_or_404(Invoice.objects.prefetch_related("lines"), pk=pk)
    copy = services.invoice_duplicate(invoice=invoice)
    messages.success(request, f"A copy of {invoice} is saved as a new draft.")
    return redirect("office:invoices_office:edit", copy.pk)


@staff_required
@require_POST
def office_payment(request, pk):
    invoice = get_object_or_404(Invoice.objects.select_related("contact", "company"), pk=pk)
    form = PaymentForm(request.POST, invoice=invoice)
    if form.is_valid():
        try:
            payment = services.invoice_payment_record(
                invoice=invoice, actor=actor(request), **form.cleaned_data
            )
        except ValidationError as exc:
            errors_onto(form, exc)
        else:
            amount = format_money(payment.amount, payment.currency)
            messages.success(request, f"{payment.get_method_display()} of {amount} recorded.")
            return _back(pk)
    messages.error(request, "The payment is not recorded: see below.")
    return _invoice_page(request, invoice, payment_form=form)


@staff_required
@require_POST
def office_refund(request, pk, payment_pk):
    invoice = get_object_or_404(Invoice, pk=pk)
    payment = get_object_or_404(Payment, pk=payment_pk, module="invoices", reference=str(invoice.pk))
    form = RefundForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return _back(pk)
    try:
        services.invoice_payment_refund(
            invoice=invoice, payment=payment, amount=form.cleaned_data["amount"], actor=actor(request)
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except stripe.StripeError:  # Stripe refused or could not be reached: nothing changed here
        messages.error(request, "Stripe could not make the refund just now. Please try again in a minute.")
    else:
        if payment.method == Payment.Method.CARD:
            messages.success(
                request, "Refund sent to Stripe. The invoice shows it as soon as Stripe confirms."
            )
        else:
            messages.success(request, "Refund recorded.")
    return _back(pk)


@staff_required
@require_POST
def office_part_payments(request, pk):
    invoice = get_object_or_404(Invoice, pk=pk)
    form = PartPaymentsForm(request.POST)
    if form.is_valid():
        try:
            services.invoice_part_payments_set(invoice=invoice, **form.cleaned_data)
        except ValidationError as exc:
            errors_onto(form, exc)
        else:
            if form.cleaned_data["deposit"]:
                messages.success(request, "The client may now pay this invoice in parts.")
            else:
                messages.success(request, "The client pays this invoice in full.")
            return _back(pk)
    messages.error(request, "Part payments are not changed: see below.")
    return _invoice_page(request, invoice, part_form=form)


@staff_required
@require_POST
def office_recurring_create(request, pk):
    invoice = get_object_or_404(Invoice.objects.prefetch_related("lines"), pk=pk)
    form = RecurringForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            recurring = services.recurring_create(
                invoice=invoice,
                frequency=data["frequency"],
                start_date=data["start_date"],
                end_after=data["end_after"],
                end_on=data["end_on"],
            )
        except ValidationError as exc:
            errors_onto(form, exc)
        else:
            messages.success(
                request,
                f"Recurring: {recurring.get_frequency_display().lower()}, the first on "
                f"{recurring.next_date:%d %B %Y}. Each one is sent to the client by itself.",
            )
            return redirect("office:invoices_office:recurring")
    messages.error(request, "The invoice is not made recurring: see below.")
    return _invoice_page(request, invoice, recurring_form=form)


# --- recurring schedules and reminders -------------------------------------------------------------


@staff_required
def office_recurring(request):
    schedules = RecurringInvoice.objects.select_related("contact", "company").order_by(
        "stopped_at", "next_date", "id"
    )
    return render_office(request, "invoices/office/recurring.html", {"schedules": schedules})


@staff_required
@require_POST
def office_recurring_stop(request, pk):
    recurring = get_object_or_404(RecurringInvoice, pk=pk)
    services.recurring_stop(recurring=recurring)
    messages.success(request, "The schedule is stopped. The invoices it issued stay.")
    return redirect("office:invoices_office:recurring")


SETTINGS_FIELDS = (
    "number_pattern", "number_reset_yearly", "default_currency", "payment_terms_days", "default_terms",
    "default_footer", "deposit", "deposit_value", "remind_days_before", "remind_on_due_date",
    "remind_days_after",
)  # fmt: skip


@staff_required
def office_settings(request):
    terms = services.invoice_terms_get()
    form = InvoiceTermsForm(
        request.POST or None, initial={name: getattr(terms, name) for name in SETTINGS_FIELDS}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.invoice_terms_change(**form.cleaned_data)
        except ValidationError as exc:
            errors_onto(form, exc)
        else:
            messages.success(
                request, "Invoice settings saved. New invoices and the reminders of open ones follow them."
            )
            return redirect("office:invoices_office:settings")
    if form.errors:
        messages.error(request, "The settings are not saved: see below.")
    context = {"form": form, "next_number": services.number_next_preview()}
    return render_office(
        request, "invoices/office/settings.html", context, status=400 if form.errors else 200
    )


# --- exports for the accountant --------------------------------------------------------------------


class _Echo:
    def write(self, value):
        return value


def _csv(filename: str, header: list[str], rows) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def lines():
        yield "\ufeff"  # spreadsheet programs read UTF-8 with it
        yield writer.writerow(header)
        for row in rows:
            yield writer.writerow([_cell(value) for value in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _cell(value) -> str:
    if value is None:
        return ""
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@") and not _is_number(text) else text


def _is_number(text: str) -> bool:
    try:
        Decimal(text)
    except ArithmeticError:
        return False
    return True


def _money(amount: Decimal, currency: str) -> str:
    from portal_core.money import minor_digits

    return str(amount.quantize(Decimal(1).scaleb(-minor_digits(currency))))


@staff_required
def office_export_invoices(request):
    form = InvoiceFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    invoices = selectors.invoices_filtered(
        status=data.get("status", ""),
        q=data.get("q", ""),
        contact_id=_id(request.GET.get("contact")),
        company_id=_id(request.GET.get("company")),
    ).exclude(status=Invoice.Status.DRAFT)
    header = [
        "number", "client", "issue_date", "due_date", "status", "currency", "subtotal", "discount",
        "tax", "total", "paid", "balance", "po_number", "void_reason",
    ]  # fmt: skip
    rows = (
        [
            invoice.number,
            invoice.client_name,
            invoice.issue_date,
            invoice.due_date,
            "overdue" if invoice.is_overdue else invoice.status,
            invoice.currency,
            *(
                _money(v, invoice.currency)
                for v in (invoice.subtotal, invoice.discount, invoice.tax, invoice.total)
            ),
            _money(invoice.amount_paid, invoice.currency),
            _money(invoice.balance, invoice.currency),
            invoice.po_number,
            invoice.void_reason,
        ]
        for invoice in invoices.order_by("issue_date", "number").iterator(chunk_size=1000)
    )
    return _csv(f"invoices-{timezone.localdate():%Y-%m-%d}.csv", header, rows)


@staff_required
def office_export_payments(request):
    payments = list(selectors.payments_for_export())
    invoices = selectors.invoices_by_reference({p.reference for p in payments})
    header = [
        "date", "invoice", "client", "method", "status", "currency", "amount", "refunded", "net",
        "stripe_payment_intent", "note", "recorded_by",
    ]  # fmt: skip
    rows = (
        [
            p.paid_on or timezone.localdate(p.created),
            invoices[p.reference].number if p.reference in invoices else "",
            invoices[p.reference].client_name if p.reference in invoices else "",
            p.method,
            p.status,
            p.currency,
            _money(p.amount, p.currency),
            _money(p.amount_refunded, p.currency),
            _money(p.amount - p.amount_refunded, p.currency),
            p.payment_intent_id,
            p.note,
            p.recorded_by,
        ]
        for p in payments
    )
    return _csv(f"invoice-payments-{timezone.localdate():%Y-%m-%d}.csv", header, rows)
