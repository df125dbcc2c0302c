"""``/api/v1/invoices/``: drafts with their lines (create, change while a draft), send, void, the
PDF, and the payments of each invoice (list, and record one received outside Stripe)."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import exceptions

from portal_core.api import inputs
from portal_core.api.resources import (
    LIST_DESCRIPTION,
    ChangeRow,
    CreateRow,
    ListRows,
    OfficeResource,
    RowAction,
    ShowRow,
    doc,
)
from portal_core.api.schema import ResourceSchema
from portal_core.payments.models import Payment

from .. import services
from ..downloads import pdf_response
from ..models import Invoice
from . import serializers as s

OPEN = (Invoice.Status.SENT, Invoice.Status.PARTIALLY_PAID)
OCTET_STREAM = "application/octet-stream"


def _lines(data) -> list[services.LineInput]:
    return [services.LineInput(**line) for line in data]


class InvoiceView(OfficeResource):
    resource = ""  # the module's own name is the noun: operation ids invoices_list, invoices_send…
    OutputSerializer = s.InvoiceSerializer

    def get_queryset(self):
        return Invoice.objects.prefetch_related("lines")


class InvoiceListView(ListRows, CreateRow, InvoiceView):
    """Invoices: list and create (a draft)."""

    FilterSerializer = s.InvoiceFilterSerializer
    InputSerializer = s.InvoiceWriteSerializer
    lookups = {"status": "status", "contact": "contact_id", "company": "company_id"}
    docs = {
        "list": doc("List invoices", LIST_DESCRIPTION),
        "create": doc(
            "Draft an invoice",
            "A draft for one contact or one company, its totals computed by Portico's one rounding "
            "rule; the client sees nothing until it is sent. Event ``invoices.invoice_created``.",
        ),
    }

    def rows(self, filters):
        rows = super().rows(filters)
        if filters.get("overdue") is not None:
            late = Q(status__in=OPEN, due_date__lt=timezone.localdate())
            rows = rows.filter(late) if filters["overdue"] else rows.exclude(late)
        return rows

    def create(self, data, actor):
        return services.invoice_create(**{**data, "lines": _lines(data["lines"])})


class InvoiceDetailView(ShowRow, ChangeRow, InvoiceView):
    """One invoice: read; replace or change while it is a draft."""

    InputSerializer = s.InvoiceWriteSerializer
    docs = {
        "retrieve": doc("Get an invoice"),
        "update": doc(
            "Replace a draft",
            "Fields left out take their defaults. Refused (400) once the invoice has been sent.",
        ),
        "partial_update": doc(
            "Change a draft",
            "Only the fields sent change; ``lines``, when sent, replace all the lines. Refused (400) once "
            "the invoice has been sent.",
        ),
    }

    def change(self, row, data, actor):
        current = {
            "contact": row.contact,
            "company": row.company,
            "currency": row.currency,
            "due_date": row.due_date,
            "prices_include_tax": row.prices_include_tax,
            "discount_percent": row.discount_percent,
            "notes": row.notes,
            "po_number": row.po_number,
            "terms": row.terms,
            "footer": row.footer,
            "deposit": row.deposit,
            "deposit_value": row.deposit_value,
            "lines": services.invoice_lines_of(row),
        }
        if data.get("contact") is not None:
            current["company"] = None
        if data.get("company") is not None:
            current["contact"] = None
        if "lines" in data:
            data = {**data, "lines": _lines(data["lines"])}
        services.invoice_change(invoice=row, **{**current, **data})


class InvoiceSendView(RowAction, InvoiceView):
    action = "send"
    docs = {
        "send": doc(
            "Send an invoice",
            "Gives a draft its number (the next of the year, without gaps), opens it for payment in the "
            "client's portal and emails it to the client with its PDF; sending again emails it again. "
            "Event ``invoices.invoice_sent``. Refused (400) for a void invoice.",
            errors=(400,),
        )
    }

    def act(self, row, data, actor):
        services.invoice_send_to_client(invoice=row)


class InvoiceVoidView(RowAction, InvoiceView):
    action = "void"
    InputSerializer = s.InvoiceVoidSerializer
    docs = {
        "void": doc(
            "Void an invoice",
            "The client sees it void, with the reason; its number stays used. Event "
            "``invoices.invoice_voided``. Refused (400) while it has payments (refund them first).",
        )
    }

    def act(self, row, data, actor):
        services.invoice_void(invoice=row, reason=data["reason"])


class _PdfSchema(ResourceSchema):
    def get_response_serializers(self):
        responses = super().get_response_serializers()
        responses.pop(200, None)
        pdf = OpenApiResponse(OpenApiTypes.BINARY, description="The PDF")
        return {(200, "application/pdf"): pdf, (200, OCTET_STREAM): pdf, **responses}


class InvoicePdfView(InvoiceView):
    """The invoice as a PDF, as the client receives it."""

    methods = {"get": "pdf"}
    action_status = 200
    schema = _PdfSchema()
    docs = {
        "pdf": doc(
            "Download an invoice's PDF",
            "Branded with the office's logo and colours, in the client's language unless ``language`` "
            "says otherwise; its figures are the invoice's. ``application/pdf``, or the same bytes as "
            "``application/octet-stream`` when only that is accepted.",
            errors=(400,),
            parameters=(
                OpenApiParameter(
                    "language",
                    OpenApiTypes.STR,
                    OpenApiParameter.QUERY,
                    enum=[code for code, _name in settings.LANGUAGES],
                    description="By default the client's language.",
                ),
            ),
        )
    }

    def perform_content_negotiation(self, request, force=False):
        # ``Accept: application/pdf`` is what a client of this endpoint sends; errors stay JSON.
        return super().perform_content_negotiation(request, force=True)

    def get_queryset(self):
        return super().get_queryset().select_related("contact", "company")

    def get(self, request, **kwargs):
        query, errors = inputs.read_query(s.InvoicePdfQuerySerializer, request)
        if errors:
            raise exceptions.ValidationError(errors)
        response = pdf_response(self.get_object(), language=query.get("language"))
        accept = request.headers.get("Accept", "")
        if OCTET_STREAM in accept and "application/pdf" not in accept:
            response["Content-Type"] = OCTET_STREAM  # the same bytes, for clients that ask for bytes
        return response


class InvoicePaymentListView(ListRows, CreateRow, OfficeResource):
    """An invoice's payments: list, and record one the office received."""

    resource = "payments"
    parent_queryset = Invoice.objects.all()
    path_ids = {"id": "The invoice's id."}
    InputSerializer = s.InvoicePaymentRecordSerializer
    OutputSerializer = s.InvoicePaymentSerializer
    docs = {
        "list": doc("List an invoice's payments", LIST_DESCRIPTION),
        "create": doc(
            "Record a payment",
            "A payment received outside Stripe (bank transfer, cash, cheque), at most the balance; the "
            "invoice is partially paid or paid at once. Events ``invoices.payment_received`` and "
            "``invoices.invoice_paid`` or ``invoices.invoice_partially_paid``. Refused (400) for an "
            "invoice that is not open.",
        ),
    }

    def get_queryset(self):
        reference = str(self.parent.pk) if self.parent is not None else ""
        return Payment.objects.filter(module="invoices", reference=reference)

    def create(self, data, actor):
        return services.invoice_payment_record(invoice=self.parent, **data, actor=actor)
