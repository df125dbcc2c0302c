"""Reads of invoices for the office: the filtered list, its totals and the 12-month chart, and the
accountant's exports. A fixed number of queries whatever the number of invoices."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db.models import (
    CharField,
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Sum,
)
from django.db.models.functions import Cast, TruncMonth

from portal_core.payments.models import Payment

from . import clock
from .models import Invoice

OPEN = (Invoice.Status.SENT, Invoice.Status.PARTIALLY_PAID)
RECEIVED = (Payment.Status.SUCCEEDED, Payment.Status.PARTIALLY_REFUNDED, Payment.Status.REFUNDED)
REFUNDABLE = (Payment.Status.SUCCEEDED, Payment.Status.PARTIALLY_REFUNDED)
CHART_MONTHS = 12
CHART_WIDTH, CHART_HEIGHT, CHART_TOP_GAP = 300, 100, 6

_balance = ExpressionWrapper(
    F("total") - F("amount_paid"), output_field=DecimalField(max_digits=14, decimal_places=3)
)
_net = ExpressionWrapper(
    F("amount") - F("amount_refunded"), output_field=DecimalField(max_digits=14, decimal_places=3)
)


def invoices_for_client(account) -> QuerySet[Invoice]:
    """The invoices a portal account sees (never a draft): a contact's own, and those of the
    company the contact belongs to; a company-level account's, the company's. No one else's."""
    if account.contact_id:
        mine = Q(contact_id=account.contact_id)
        company_id = account.contact.company_id
        if company_id:
            mine |= Q(company_id=company_id)
    else:
        mine = Q(company_id=account.company_id)
    return Invoice.objects.filter(mine).exclude(status=Invoice.Status.DRAFT)


def _refund_due() -> Q:
    """Invoices holding money the office should give back: paid after being void, paid more than
    their total (two payments for one balance), or paid in another currency than theirs."""
    other_currency = Payment.objects.filter(
        module="invoices",
        reference=Cast(OuterRef("pk"), CharField()),
        status__in=REFUNDABLE,
        amount__gt=F("amount_refunded"),
    ).exclude(currency=OuterRef("currency"))
    return (
        Q(status=Invoice.Status.VOID, amount_paid__gt=0)
        | (~Q(status=Invoice.Status.VOID) & Q(amount_paid__gt=F("total")))
        | Q(Exists(other_currency))
    )


def refunds_due(invoice: Invoice, payments) -> list[dict]:
    """What of the invoice's ``payments`` the office should give back, and why (``kind``):
    ``currency`` (paid in another currency: not counted), ``void`` (paid after it was void), or
    ``overpaid`` (more received than its total; no single payment is at fault)."""
    due = []
    for payment in payments:
        if payment.refundable <= 0:
            continue
        if payment.currency != invoice.currency:
            due.append(
                {
                    "kind": "currency",
                    "payment": payment,
                    "amount": payment.refundable,
                    "currency": payment.currency,
                }
            )
        elif invoice.status == Invoice.Status.VOID:
            due.append(
                {
                    "kind": "void",
                    "payment": payment,
                    "amount": payment.refundable,
                    "currency": payment.currency,
                }
            )
    if invoice.status != Invoice.Status.VOID and invoice.amount_paid > invoice.total:
        due.append(
            {
                "kind": "overpaid",
                "payment": None,
                "amount": invoice.amount_paid - invoice.total,
                "currency": invoice.currency,
            }
        )
    return due


def invoices_filtered(
    *, status: str = "", q: str = "", contact_id: int | None = None, company_id: int | None = None
) -> QuerySet[Invoice]:
    invoices = Invoice.objects.select_related("contact", "company")
    if status == "overdue":
        invoices = invoices.filter(status__in=OPEN, due_date__lt=clock.today())
    elif status == "refund":
        invoices = invoices.filter(_refund_due())
    elif status in Invoice.Status.values:
        invoices = invoices.filter(status=status)
    if contact_id:
        invoices = invoices.filter(contact_id=contact_id)
    if company_id:
        invoices = invoices.filter(company_id=company_id)
    for word in q.split():
        invoices = invoices.filter(
            Q(number__icontains=word)
            | Q(contact__first_name__icontains=word)
            | Q(contact__last_name__icontains=word)
            | Q(contact__email__icontains=word)
            | Q(company__name__icontains=word)
            | Q(po_number__icontains=word)
        )
    return invoices


def _by_currency(rows) -> dict[str, Decimal]:
    return {row["currency"]: row["sum"] for row in rows if row["sum"]}


def _months_back(today: date, n: int) -> list[date]:
    months, year, month = [], today.year, today.month
    for _ in range(n):
        months.append(date(year, month, 1))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return months[::-1]


def refund_due_count() -> int:
    return Invoice.objects.filter(_refund_due()).count()


def invoice_totals() -> dict:
    """Outstanding, overdue and paid this month (per currency), and what was received in each of the
    last 12 months in the office's main currency (that of most invoices), for the chart."""
    today = clock.today()
    open_ = Invoice.objects.filter(status__in=OPEN)
    outstanding = _by_currency(open_.values("currency").annotate(sum=Sum(_balance)).order_by("currency"))
    overdue = _by_currency(
        open_.filter(due_date__lt=today).values("currency").annotate(sum=Sum(_balance)).order_by("currency")
    )
    received = Payment.objects.filter(module="invoices", status__in=RECEIVED)
    first = today.replace(day=1)
    paid_month = _by_currency(
        received.filter(paid_on__gte=first).values("currency").annotate(sum=Sum(_net)).order_by("currency")
    )
    main = (
        Invoice.objects.values("currency")
        .annotate(n=Count("id"))
        .order_by("-n", "currency")
        .values_list("currency", flat=True)
        .first()
        or "EUR"
    )
    months = _months_back(today, CHART_MONTHS)
    per_month = {
        row["month"]: row["sum"]
        for row in received.filter(currency=main, paid_on__gte=months[0])
        .annotate(month=TruncMonth("paid_on"))
        .values("month")
        .annotate(sum=Sum(_net))
        .order_by("month")
    }
    points = [(month, per_month.get(month) or Decimal(0)) for month in months]
    return {
        "outstanding": outstanding,
        "overdue": overdue,
        "paid_month": paid_month,
        "chart": received_chart(points, main),
    }


def received_chart(points: list[tuple[date, Decimal]], currency: str) -> dict:
    """Bar geometry in a ``CHART_WIDTH`` × ``CHART_HEIGHT`` view box (one bar a month)."""
    peak = max((amount for _m, amount in points), default=Decimal(0))
    slot = CHART_WIDTH / max(len(points), 1)
    bars = []
    for index, (month, amount) in enumerate(points):
        height = float((CHART_HEIGHT - CHART_TOP_GAP) * amount / peak) if peak > 0 else 0.0
        height = max(height, 1.5)
        bars.append(
            {
                "month": month,
                "amount": amount,
                "x": round(index * slot + slot * 0.15, 2),
                "width": round(slot * 0.7, 2),
                "y": round(CHART_HEIGHT - height, 2),
                "height": round(height, 2),
            }
        )
    return {
        "bars": bars,
        "peak": peak,
        "zero": Decimal(0),
        "total": sum((amount for _m, amount in points), Decimal(0)),
        "currency": currency,
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "x_ticks": [points[0][0], points[len(points) // 2][0], points[-1][0]] if points else [],
        "first": points[0][0] if points else None,
        "last": points[-1][0] if points else None,
    }


def payments_for_export() -> QuerySet[Payment]:
    return (
        Payment.objects.filter(module="invoices")
        .exclude(status=Payment.Status.PENDING)
        .order_by("created", "id")
    )


def invoices_by_reference(references) -> dict[str, Invoice]:
    ids = [int(r) for r in references if r.isdigit()]
    return {str(i.pk): i for i in Invoice.objects.filter(pk__in=ids).select_related("contact", "company")}
