"""An invoice is overdue from the day after its due date while it is open. When it is first sent, a
timer is set for that day (midnight in the office's time zone); the worker then emits
``invoices.invoice_overdue`` once, if it is still unpaid. A paid or void invoice emits nothing."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.db import transaction

from portal_core.time_zones import office_time_zone
from tenants.queue import enqueue_at
from webhooks.services import event_emit

from . import clock
from .models import Invoice
from .payloads import invoice_payload

OVERDUE_TASK = "modules.invoices.overdue.invoice_overdue_check"
OPEN = (Invoice.Status.SENT, Invoice.Status.PARTIALLY_PAID)


def overdue_watch(*, invoice: Invoice) -> None:
    """Set the timer that looks at the invoice the day after it is due."""
    if invoice.due_date is not None:
        day = invoice.due_date + timedelta(days=1)
        enqueue_at(datetime.combine(day, time(0), tzinfo=office_time_zone()), OVERDUE_TASK, invoice.pk)


def invoice_overdue_check(invoice_id: int) -> bool:
    """The timer's task: the event, when the invoice is open past its due date in the office's
    time zone. Returns whether it was emitted."""
    today = clock.today()
    with transaction.atomic():
        invoice = Invoice.objects.select_for_update().filter(pk=invoice_id, status__in=OPEN).first()
        if invoice is None or invoice.balance <= 0 or invoice.due_date is None or invoice.due_date >= today:
            return False
        payload = invoice_payload(invoice)
        payload["overdue"] = True
        event_emit(type="invoices.invoice_overdue", data={"invoice": payload})
    return True
