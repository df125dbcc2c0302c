"""The invoice's PDF, for the client (their own invoices and their company's, never a draft) and for
the office's staff; any other invoice is a 404."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import get_object_or_404

from portal_core.client_auth import client_required
from portal_core.office.shell import staff_required

from . import pdf, selectors
from .models import Invoice


def pdf_response(invoice: Invoice, *, language: str | None = None) -> HttpResponse:
    """The PDF as a download named after the invoice's number, kept out of shared caches."""
    response = HttpResponse(pdf.invoice_pdf(invoice, language=language), content_type=pdf.CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{pdf.pdf_filename(invoice)}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _with_lines(queryset):
    return queryset.select_related("contact", "company").prefetch_related("lines")


@client_required
def portal_pdf(request, pk):
    invoices = selectors.invoices_for_client(request.client)
    return pdf_response(get_object_or_404(_with_lines(invoices), pk=pk))


@staff_required
def office_pdf(request, pk):
    return pdf_response(get_object_or_404(_with_lines(Invoice.objects.all()), pk=pk))
