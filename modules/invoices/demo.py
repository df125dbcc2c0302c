"""Demo data for the demo office (``modules.base``: ``<module>.demo``): the demo client has a paid
invoice (by bank transfer), an open one and an overdue one.

Idempotent: each is found again by its PO number; the overdue one is kept overdue and the open one
open as time goes by."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.db import transaction

from portal_core.payments.models import Payment

from . import clock, services
from .models import Invoice

D = Decimal

DEMO = {
    "DEMO-PAID": {
        "lines": [("Valuation report", "1", "350.00"), ("Professional photos", "1", "149.00")],
        "age": 45,
        "terms": 14,
    },
    "DEMO-OPEN": {
        "lines": [("Viewing service, 6 viewings", "6", "45.00"), ("Floor plans", "1", "95.00")],
        "age": 4,
        "terms": 14,
    },
    "DEMO-OVERDUE": {
        "lines": [("Listing on property portals, 1 month", "1", "199.00")],
        "age": 30,
        "terms": 14,
    },
}


def _demo_invoice(contact, po_number: str, spec: dict) -> Invoice:
    invoice = Invoice.objects.filter(contact=contact, po_number=po_number).first()
    if invoice is None:
        draft = services.invoice_create(
            contact=contact,
            lines=[services.LineInput(text, D(qty), D(price), D("21")) for text, qty, price in spec["lines"]],
            po_number=po_number,
            notes="Thank you for your business.",
        )
        invoice = services.invoice_send(invoice=draft)
    if invoice.status in (Invoice.Status.SENT, Invoice.Status.PARTIALLY_PAID, Invoice.Status.PAID):
        today = clock.today()
        issued = today - timedelta(days=spec["age"])
        Invoice.objects.filter(pk=invoice.pk).update(
            issue_date=issued, due_date=issued + timedelta(days=spec["terms"])
        )
        invoice.refresh_from_db()
    return invoice


def seed(*, contact, owner) -> None:
    with transaction.atomic():
        invoices = {po: _demo_invoice(contact, po, spec) for po, spec in DEMO.items()}
    paid = invoices["DEMO-PAID"]
    if paid.status != Invoice.Status.PAID and not services.invoice_payments(paid).exists():
        services.invoice_payment_record(
            invoice=paid,
            amount=paid.balance,
            method=Payment.Method.BANK_TRANSFER,
            paid_on=paid.due_date - timedelta(days=3),
            note="Demo: paid by bank transfer",
            actor=owner.email,
        )
