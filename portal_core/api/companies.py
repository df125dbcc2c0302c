"""``/api/v1/companies/``: the office's client companies (list, create, read, change, delete)."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q

from .. import contacts
from ..models import Company, PortalAccount
from . import serializers as s
from .resources import (
    LIST_DESCRIPTION,
    ChangeRow,
    CreateRow,
    DeleteRow,
    ListRows,
    OfficeResource,
    ShowRow,
    doc,
    narrowed,
)


def company_delete(*, company: Company) -> None:
    """Delete the company and its portal account; its contacts stay, without a company."""
    with transaction.atomic():
        company.delete()


class CompanyView(OfficeResource):
    resource = "companies"
    InputSerializer = s.CompanyWriteSerializer
    OutputSerializer = s.CompanySerializer

    def get_queryset(self):
        return contacts.company_search()


class CompanyListView(ListRows, CreateRow, CompanyView):
    """The office's client companies: list and create."""

    FilterSerializer = s.CompanyFilterSerializer
    lookups = {"email": "email__iexact", "language": "language", "created_since": "created__gte"}
    docs = {"list": doc("List companies", LIST_DESCRIPTION), "create": doc("Create a company")}

    def rows(self, filters):
        queryset = narrowed(contacts.company_search(query=filters.get("q", "")), filters, self.lookups)
        if filters.get("portal_status") == PortalAccount.Status.NOT_INVITED:
            return queryset.filter(
                Q(portal_account__isnull=True) | Q(portal_account__status=PortalAccount.Status.NOT_INVITED)
            )
        if "portal_status" in filters:
            return queryset.filter(portal_account__status=filters["portal_status"])
        return queryset

    def create(self, data, actor):
        return contacts.company_create(**data, actor=actor)


class CompanyDetailView(ShowRow, ChangeRow, DeleteRow, CompanyView):
    """One company: read, replace, change, delete."""

    docs = {
        "retrieve": doc("Get a company"),
        "update": doc("Replace a company", "Fields left out take their defaults (empty, English)."),
        "partial_update": doc("Change a company", "Only the fields sent change."),
        "destroy": doc(
            "Delete a company",
            "Deletes the company and its portal account; its contacts stay, without a company.",
        ),
    }

    def change(self, row, data, actor):
        contacts.company_update(company=row, actor=actor, **data)

    def destroy(self, row, actor):
        company_delete(company=row)
