"""The invoices card on a contact's and on a company's page in the office (``modules.base``:
``<module>.panels``): what is open, overdue and paid, and the latest invoices. Three queries."""

from __future__ import annotations

from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse

from modules.base import Panel

from .models import Invoice
from .selectors import OPEN

LATEST = 5


def _panel(request, invoices, *, query: str, client) -> list[Panel]:
    latest = list(invoices.select_related("contact", "company").order_by("-created", "-id")[:LATEST])
    open_ = [i for i in invoices.filter(status__in=OPEN)]
    outstanding: dict[str, object] = {}
    for invoice in open_:
        outstanding[invoice.currency] = outstanding.get(invoice.currency, 0) + invoice.balance
    html = render_to_string(
        "invoices/office/panel.html",
        {
            "latest": latest,
            "open_count": len(open_),
            "overdue_count": sum(1 for i in open_ if i.is_overdue),
            "outstanding": outstanding,
            "all_url": f"{reverse('office:invoices_office:list')}?{query}",
            "new_url": reverse("office:invoices_office:create") + f"?{query}",
            "client": client,
        },
        request=request,
    )
    return [Panel(title="Invoices", html=html, key="invoices")]


def contact_panels(request, contact) -> list[Panel]:
    return _panel(
        request, Invoice.objects.filter(contact=contact), query=f"contact={contact.pk}", client=contact
    )


def company_panels(request, company) -> list[Panel]:
    return _panel(
        request, Invoice.objects.filter(Q(company=company)), query=f"company={company.pk}", client=company
    )
