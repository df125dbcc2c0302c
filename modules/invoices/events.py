"""The module's webhook events, written to the outbox in the same transaction as the change that
causes them (``services``, ``overdue``), so a change that rolls back sends nothing. Payloads (see
``payloads``):

- ``invoice``: ``{id, number, status, overdue, contact_id, company_id, currency, issue_date,
  due_date, po_number, subtotal, discount, tax, total, amount_paid, balance, sent_at, viewed_at,
  voided_at, void_reason, created}``
- ``payment``: ``{id, invoice_id, amount, currency, amount_refunded, status, method, paid_on,
  created, succeeded_at}``
"""

EVENT_TYPES = {
    "invoices.invoice_created": "A draft invoice was created (by the office, the API or a recurring "
    "schedule). Data: invoice.",
    "invoices.invoice_sent": "An invoice was sent to its client: numbered the first time, open for "
    "payment in the portal. Data: invoice, first_time (false when sent again).",
    "invoices.invoice_viewed": "The client opened the invoice in the portal for the first time. Data: "
    "invoice.",
    "invoices.invoice_partially_paid": "A payment arrived that leaves part of the invoice to pay. Data: "
    "invoice, payment.",
    "invoices.invoice_paid": "The invoice is paid in full. Data: invoice, payment (the last one).",
    "invoices.invoice_overdue": "An open invoice passed its due date unpaid (once, the day after). "
    "Data: invoice.",
    "invoices.invoice_voided": "The office voided an invoice; its number stays used. Data: invoice, reason.",
    "invoices.payment_received": "A payment of an invoice arrived: by card through Stripe, or recorded "
    "by the office. Data: payment, invoice.",
    "invoices.payment_refunded": "A payment of an invoice was refunded, in full or in part "
    "(``payment.amount_refunded`` is the total so far). Data: payment, invoice.",
}

_INVOICE = {
    "id": 12,
    "number": "2026-0042",
    "status": "sent",
    "overdue": False,
    "contact_id": 42,
    "company_id": None,
    "currency": "EUR",
    "issue_date": "2026-12-03",
    "due_date": "2026-12-17",
    "po_number": "PO-77",
    "subtotal": "349.90",
    "discount": "34.99",
    "tax": "66.13",
    "total": "381.04",
    "amount_paid": "0.00",
    "balance": "381.04",
    "sent_at": "2026-12-03T09:30:00Z",
    "viewed_at": None,
    "voided_at": None,
    "void_reason": "",
    "created": "2026-12-02T16:05:11Z",
}
_PAYMENT = {
    "id": 7,
    "invoice_id": 12,
    "amount": "100.00",
    "currency": "EUR",
    "amount_refunded": "0.00",
    "status": "succeeded",
    "method": "card",
    "paid_on": "2026-12-05",
    "created": "2026-12-05T18:02:11Z",
    "succeeded_at": "2026-12-05T18:02:40Z",
}
_PART_PAID = {**_INVOICE, "status": "partially_paid", "amount_paid": "100.00", "balance": "281.04"}
_PAID = {**_INVOICE, "status": "paid", "amount_paid": "381.04", "balance": "0.00"}
EVENT_EXAMPLES = {
    "invoices.invoice_created": {
        "invoice": {**_INVOICE, "number": "", "status": "draft", "issue_date": None, "sent_at": None}
    },
    "invoices.invoice_sent": {"invoice": _INVOICE, "first_time": True},
    "invoices.invoice_viewed": {"invoice": {**_INVOICE, "viewed_at": "2026-12-03T18:40:00Z"}},
    "invoices.invoice_partially_paid": {"invoice": _PART_PAID, "payment": _PAYMENT},
    "invoices.invoice_paid": {"invoice": _PAID, "payment": {**_PAYMENT, "amount": "381.04"}},
    "invoices.invoice_overdue": {"invoice": {**_INVOICE, "overdue": True}},
    "invoices.invoice_voided": {
        "invoice": {
            **_INVOICE,
            "status": "void",
            "voided_at": "2026-12-04T10:00:00Z",
            "void_reason": "Wrong client",
        },
        "reason": "Wrong client",
    },
    "invoices.payment_received": {"payment": _PAYMENT, "invoice": _PART_PAID},
    "invoices.payment_refunded": {
        "payment": {**_PAYMENT, "amount_refunded": "40.00", "status": "partially_refunded"},
        "invoice": {**_PART_PAID, "amount_paid": "60.00", "balance": "321.04"},
    },
}
