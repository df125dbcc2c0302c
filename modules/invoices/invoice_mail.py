"""The email that brings an invoice to its client: the invoice's PDF attached and a link to its page
in the portal (where it is paid), in the client's language, sent by the worker once the invoice
has been sent (``services.invoice_send_to_client``)."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse
from django.utils import translation

from portal_core.access import portal_link
from portal_core.emails import send_client_email
from portal_core.formatting import format_date
from tenants.queue import enqueue

from . import pdf
from .models import Invoice

KIND = "invoices.invoice_sent"


def invoice_email_queue(*, invoice: Invoice) -> None:
    """Email the invoice to its client, from the worker, once the change commits."""
    enqueue("modules.invoices.invoice_mail.invoice_email_send", invoice.pk)


def recipient(invoice: Invoice) -> tuple[str, str]:
    """(email, the name the email greets): the company's for a company's invoice, else the contact's."""
    if invoice.company_id:
        return invoice.company.email, invoice.company.name
    return invoice.contact.email, invoice.contact.first_name


def invoice_link(invoice: Invoice) -> str:
    """The invoice's page in the client's portal, absolute, from any URLconf (the platform host's
    Connect webhook sends emails too)."""
    try:
        path = reverse("invoices:invoice", args=[invoice.pk])
    except NoReverseMatch:
        path = f"/invoices/{invoice.pk}/"
    return portal_link(path)


def invoice_email_send(invoice_id: int) -> bool:
    """The task: the email with the PDF, in the client's language. False when there is no one to
    send it to (no email address) or nothing to send (a draft, a void invoice, gone)."""
    invoice = (
        Invoice.objects.select_related("contact", "company")
        .prefetch_related("lines")
        .filter(pk=invoice_id)
        .exclude(status__in=[Invoice.Status.DRAFT, Invoice.Status.VOID])
        .first()
    )
    if invoice is None:
        return False
    address, name = recipient(invoice)
    if not address:
        return False
    language = pdf.client_language(invoice)
    with translation.override(language):
        values = {
            "contact.first_name": name,
            "contact.last_name": "" if invoice.company_id else invoice.contact.last_name,
            "contact.email": address,
            "portal_link": invoice_link(invoice),
            "invoice.number": invoice.number,
            "invoice.total": pdf.money_text(invoice.total, invoice.currency, language),
            "invoice.balance": pdf.money_text(invoice.balance, invoice.currency, language),
            "invoice.due_date": format_date(invoice.due_date),
        }
    send_client_email(
        KIND,
        to=address,
        language=language,
        values=values,
        attachments=[pdf.email_attachment(invoice, language=language)],
    )
    return True
