"""``/api/v1/contacts/``: the office's contacts (list, create, read, change, delete)."""

from __future__ import annotations

from django.db import transaction

from .. import contacts
from ..models import Contact
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


def contact_delete(*, contact: Contact) -> None:
    """Delete the contact with its portal account, tokens and activity (their foreign keys cascade)."""
    with transaction.atomic():
        contact.delete()


class ContactView(OfficeResource):
    resource = "contacts"
    InputSerializer = s.ContactWriteSerializer
    OutputSerializer = s.ContactSerializer

    def get_queryset(self):
        return contacts.contact_search()


class ContactListView(ListRows, CreateRow, ContactView):
    """The office's contacts: list and create."""

    FilterSerializer = s.ContactFilterSerializer
    lookups = {"company": "company_id", "email": "email__iexact", "updated_since": "updated__gte"}
    docs = {
        "list": doc("List contacts", LIST_DESCRIPTION),
        "create": doc(
            "Create a contact", "The contact's ``source`` is ``api``. Several contacts may share one email."
        ),
    }

    def rows(self, filters):
        queryset = contacts.contact_search(
            query=filters.get("q", ""),
            status=filters.get("portal_status", ""),
            source=filters.get("source", ""),
            language=filters.get("language", ""),
        )
        return narrowed(queryset, filters, self.lookups)

    def create(self, data, actor):
        return contacts.contact_create(**data, source=Contact.Source.API, actor=actor)


class ContactDetailView(ShowRow, ChangeRow, DeleteRow, ContactView):
    """One contact: read, replace, change, delete."""

    docs = {
        "retrieve": doc("Get a contact"),
        "update": doc(
            "Replace a contact", "Fields left out take their defaults (empty, English, no company, no owner)."
        ),
        "partial_update": doc(
            "Change a contact", "Only the fields sent change; each change is logged on the contact."
        ),
        "destroy": doc(
            "Delete a contact", "Deletes the contact with its portal account, tokens and activity."
        ),
    }

    def change(self, row, data, actor):
        contacts.contact_update(contact=row, actor=actor, **data)

    def destroy(self, row, actor):
        contact_delete(contact=row)
