"""The proposals card on a contact's and a company's page in the office."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.urls import reverse

from modules.base import Panel

from . import selectors
from .models import Proposal

LATEST = 5


def _panel(request, proposals, *, query: str) -> list[Panel]:
    latest = [(p, selectors.latest_total(p)) for p in proposals.order_by("-created", "-id")[:LATEST]]
    html = render_to_string(
        "proposals/office/panel.html",
        {
            "latest": latest,
            "open_count": proposals.filter(status__in=selectors.OPEN).count(),
            "all_url": f"{reverse('office:proposals_office:list')}?{query}",
            "new_url": f"{reverse('office:proposals_office:create')}?{query}",
        },
        request=request,
    )
    return [Panel(title="Proposals", html=html, key="proposals")]


def contact_panels(request, contact) -> list[Panel]:
    return _panel(
        request, Proposal.objects.filter(contact=contact, is_template=False), query=f"contact={contact.pk}"
    )


def company_panels(request, company) -> list[Panel]:
    return _panel(
        request, Proposal.objects.filter(company=company, is_template=False), query=f"company={company.pk}"
    )
