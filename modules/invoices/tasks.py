"""The invoices' work in the worker, each task inside the office's schema (``tenants.queue``):
emails to clients, reminders and recurring invoices, set as timers when their date is known.
While the office has the module off, its timers fire and do nothing."""

from __future__ import annotations

from portal_core.payments.models import Payment
from portal_core.selectors import module_is_enabled

from . import services
from .models import Invoice, RecurringInvoice


def invoice_email(invoice_id: int, kind: str) -> bool:
    invoice = Invoice.objects.select_related("contact", "company").filter(pk=invoice_id).first()
    if invoice is None or not module_is_enabled("invoices"):
        return False
    return services.invoice_email_send(invoice=invoice, kind=kind)


def payment_receipt(payment_id: int) -> bool:
    payment = Payment.objects.filter(pk=payment_id).first()
    if payment is None or not module_is_enabled("invoices"):
        return False
    return services.payment_receipt_send(payment=payment)


def reminders_due(invoice_id: int) -> str | None:
    invoice = Invoice.objects.filter(pk=invoice_id).first()
    if invoice is None or not module_is_enabled("invoices"):
        return None
    return services.reminders_send_due(invoice=invoice)


def recurring_due(recurring_id: int) -> int:
    recurring = RecurringInvoice.objects.filter(pk=recurring_id).first()
    if recurring is None or not module_is_enabled("invoices"):
        return 0
    return len(services.recurring_issue_due(recurring=recurring))
