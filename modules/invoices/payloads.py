"""What the module's webhook events say: ids as integers, dates as ISO 8601, datetimes as ISO 8601
in UTC (``…Z``), money as decimal strings with exactly the currency's minor unit (``"381.04"``),
the figures the API, the page, the PDF and Stripe's amount share."""

from __future__ import annotations

from portal_core.payloads import iso, money
from portal_core.payments.models import Payment

from .models import Invoice


def invoice_payload(invoice: Invoice) -> dict:
    currency = invoice.currency
    return {
        "id": invoice.pk,
        "number": invoice.number,
        "status": invoice.status,
        "overdue": invoice.is_overdue,
        "contact_id": invoice.contact_id,
        "company_id": invoice.company_id,
        "currency": currency,
        "issue_date": iso(invoice.issue_date),
        "due_date": iso(invoice.due_date),
        "po_number": invoice.po_number,
        "subtotal": money(invoice.subtotal, currency),
        "discount": money(invoice.discount, currency),
        "tax": money(invoice.tax, currency),
        "total": money(invoice.total, currency),
        "amount_paid": money(invoice.amount_paid, currency),
        "balance": money(invoice.balance, currency),
        "sent_at": iso(invoice.sent_at),
        "viewed_at": iso(invoice.viewed_at),
        "voided_at": iso(invoice.voided_at),
        "void_reason": invoice.void_reason,
        "created": iso(invoice.created),
    }


def payment_payload(payment: Payment) -> dict:
    currency = payment.currency
    return {
        "id": payment.pk,
        "invoice_id": int(payment.reference) if payment.reference.isdigit() else None,
        "amount": money(payment.amount, currency),
        "currency": currency,
        "amount_refunded": money(payment.amount_refunded, currency),
        "status": payment.status,
        "method": payment.method,
        "paid_on": iso(payment.paid_on),
        "created": iso(payment.created),
        "succeeded_at": iso(payment.succeeded_at),
    }
