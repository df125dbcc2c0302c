"""The invoice as a PDF: ``invoices/pdf/invoice.html`` rendered by WeasyPrint, branded with the
office's logo and colours, in the client's language (the company's for a company's invoice, else
the contact's), its numbers, dates and money written the way that language writes them (Babel).

The figures are the invoice's stored ones, the same the portal page, the API and Stripe's amount
come from; only the tax per rate is recomputed, by the same rule (``portal_core.money``), and a
document whose recomputed total would differ is refused rather than printed. The renderer fetches
nothing: the logo is inlined, and any other URL in the document is refused."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from decimal import Decimal

from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.text import slugify

from portal_core.branding import ink_on_white, text_on
from portal_core.documents import logo_data_uri, money_text, number_text, pdf_render, percent_text
from portal_core.emails import supported_language
from portal_core.formatting import format_date
from portal_core.money import Line, totals
from portal_core.selectors import portal_config_get

from .models import Invoice

CONTENT_TYPE = "application/pdf"
logger = logging.getLogger(__name__)


def client_language(invoice: Invoice) -> str:
    """The language the client reads: their company's for a company's invoice, else the contact's."""
    client = invoice.company if invoice.company_id else invoice.contact
    return supported_language(getattr(client, "language", None))


def pdf_filename(invoice: Invoice) -> str:
    """``invoice-2026-0001.pdf`` (a draft: ``invoice-draft-12.pdf``)."""
    return f"invoice-{slugify(invoice.number) or f'draft-{invoice.pk}'}.pdf"


@dataclass(frozen=True)
class _Row:
    description: str
    quantity: str
    unit_price: str
    tax_rate: str
    discount: str
    amount: str


def invoice_html(invoice: Invoice, *, language: str | None = None) -> str:
    """The document the PDF is rendered from, in ``language`` (the client's by default)."""
    language = language or client_language(invoice)
    config = portal_config_get()
    lines = list(invoice.lines.all())
    currency = invoice.currency
    figures = totals(
        [Line(x.quantity, x.unit_price, x.tax_rate, x.discount_percent) for x in lines],
        currency=currency,
        prices_include_tax=invoice.prices_include_tax,
        discount_percent=invoice.discount_percent,
    )
    if figures.total != invoice.total:
        raise ValueError(f"Invoice {invoice.pk}: its lines add up to {figures.total}, not {invoice.total}.")

    def money(amount: Decimal) -> str:
        return money_text(amount, currency, language)

    client = invoice.company if invoice.company_id else invoice.contact
    primary = config.primary_color or "#3B82F6"
    with translation.override(language):
        context = {
            "language": language,
            "invoice": invoice,
            "office_name": config.company_name or config.portal_name,
            "logo": logo_data_uri(config),
            "brand": primary,
            "on_brand": text_on(primary),
            "brand_ink": ink_on_white(primary),
            "accent": ink_on_white(config.secondary_color or "#1E40AF"),
            "client_name": client.name if invoice.company_id else client.full_name,
            "client_email": client.email,
            "issue_date": format_date(invoice.issue_date),
            "due_date": format_date(invoice.due_date),
            "rows": [
                _Row(
                    description=line.description,
                    quantity=number_text(line.quantity, language),
                    unit_price=money(line.unit_price),
                    tax_rate=percent_text(line.tax_rate, language),
                    discount=percent_text(line.discount_percent, language) if line.discount_percent else "",
                    amount=money(amount),
                )
                for line, amount in zip(lines, figures.lines, strict=True)
            ],
            "line_discounts": any(line.discount_percent for line in lines),
            "subtotal": money(invoice.subtotal),
            "discount": money(invoice.discount) if invoice.discount else "",
            "discount_rate": percent_text(invoice.discount_percent, language),
            "taxes": [
                {"rate": percent_text(group.rate, language), "net": money(group.net), "tax": money(group.tax)}
                for group in figures.taxes
            ],
            "tax": money(invoice.tax),
            "total": money(invoice.total),
            "amount_paid": money(invoice.amount_paid) if invoice.amount_paid else "",
            "balance": money(invoice.balance),
        }
        return render_to_string("invoices/pdf/invoice.html", context)


# A rendering is kept, by the exact document it was made from, so that downloading an invoice that
# has not changed since (the client opening the PDF the email already carried) renders nothing.
CACHE_SECONDS = 7 * 24 * 3600


def invoice_pdf(invoice: Invoice, *, language: str | None = None) -> bytes:
    """The invoice as PDF bytes, in the client's language unless ``language`` is given. Only the
    inlined logo (a ``data:`` URL) is read: the renderer fetches nothing from anywhere."""
    html = invoice_html(invoice, language=language)
    key = f"invoices:pdf:{hashlib.sha256(html.encode()).hexdigest()}"
    try:
        kept = cache.get(key)
    except Exception:  # the cache being away never keeps a client from their invoice
        logger.warning("The PDF cache could not be read.", exc_info=True)
        kept = None
    if kept is not None:
        return kept
    content = pdf_render(html)
    try:
        cache.set(key, content, CACHE_SECONDS)
    except Exception:
        logger.warning("The PDF cache could not be written.", exc_info=True)
    return content


def email_attachment(invoice: Invoice, *, language: str | None = None) -> tuple[str, bytes, str]:
    """The PDF as an email attachment: ``(filename, content, mimetype)``."""
    return pdf_filename(invoice), invoice_pdf(invoice, language=language), CONTENT_TYPE
