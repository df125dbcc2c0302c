"""``/api/v1/contacts/``: the office's contacts (list, create, read, change, delete)."""

from __future__ import annotations

from django.db import transaction
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from .. import contacts
from ..models import Contact
from . import serializers as s
from .base import PorticoGenericView, service_errors

TAGS = ["contacts"]


def contact_queryset():
    return contacts.contact_search()


def contact_delete(*, contact: Contact) -> None:
    """Delete the contact with its portal account, tokens and activity (their foreign keys cascade)."""
    with transaction.atomic():
        contact.delete()


class ContactListView(PorticoGenericView):
    """The office's contacts: list and create."""

    FilterSerializer = s.ContactFilterSerializer
    InputSerializer = s.ContactWriteSerializer
    OutputSerializer = s.ContactSerializer
    serializer_class = OutputSerializer

    def get_queryset(self):
        return contact_queryset()

    @extend_schema(
        operation_id="contacts_list",
        summary="List contacts",
        description="Newest first, 50 a page (``page_size`` up to 200); follow ``next`` for the rest.",
        parameters=[FilterSerializer],
        responses={200: OutputSerializer(many=True), **s.error_responses(400)},
        tags=TAGS,
    )
    def get(self, request):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        f = filters.validated_data
        queryset = contacts.contact_search(
            query=f.get("q", ""),
            status=f.get("portal_status", ""),
            source=f.get("source", ""),
            language=f.get("language", ""),
        )
        if "company" in f:
            queryset = queryset.filter(company_id=f["company"])
        if "email" in f:
            queryset = queryset.filter(email__iexact=f["email"])
        if "updated_since" in f:
            queryset = queryset.filter(updated__gte=f["updated_since"])
        return self.paginated(queryset, self.OutputSerializer)

    @extend_schema(
        operation_id="contacts_create",
        summary="Create a contact",
        description="The contact's ``source`` is ``api``. Several contacts may share one email.",
        request=InputSerializer,
        responses={201: OutputSerializer, **s.error_responses(400)},
        tags=TAGS,
    )
    def post(self, request):
        body = self.InputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with service_errors():
            contact = contacts.contact_create(
                **body.validated_data, source=Contact.Source.API, actor=request.user.label
            )
        return Response(
            self.OutputSerializer(contact_queryset().get(pk=contact.pk)).data, status=status.HTTP_201_CREATED
        )


class ContactDetailView(PorticoGenericView):
    """One contact: read, replace, change, delete."""

    InputSerializer = s.ContactWriteSerializer
    OutputSerializer = s.ContactSerializer
    serializer_class = OutputSerializer

    def get_queryset(self):
        return contact_queryset()

    @extend_schema(
        operation_id="contacts_retrieve",
        summary="Get a contact",
        responses={200: OutputSerializer, **s.error_responses(404, model="Contact")},
        tags=TAGS,
        parameters=[s.ROW_ID],
    )
    def get(self, request, **kwargs):
        return Response(self.OutputSerializer(self.get_object()).data)

    def _update(self, request, *, partial: bool) -> Response:
        contact = self.get_object()
        body = self.InputSerializer(data=request.data, partial=partial)
        body.is_valid(raise_exception=True)
        with service_errors():
            contacts.contact_update(contact=contact, actor=request.user.label, **body.validated_data)
        return Response(self.OutputSerializer(self.get_object()).data)

    @extend_schema(
        operation_id="contacts_update",
        summary="Replace a contact",
        description="Fields left out take their defaults (empty, English, no company, no owner).",
        request=InputSerializer,
        responses={200: OutputSerializer, **s.error_responses(400, 404, model="Contact")},
        tags=TAGS,
        parameters=[s.ROW_ID],
    )
    def put(self, request, **kwargs):
        return self._update(request, partial=False)

    @extend_schema(
        operation_id="contacts_partial_update",
        summary="Change a contact",
        description="Only the fields sent change; each change is logged on the contact.",
        request=InputSerializer,
        responses={200: OutputSerializer, **s.error_responses(400, 404, model="Contact")},
        tags=TAGS,
        parameters=[s.ROW_ID],
    )
    def patch(self, request, **kwargs):
        return self._update(request, partial=True)

    @extend_schema(
        operation_id="contacts_destroy",
        summary="Delete a contact",
        description="Deletes the contact with its portal account, tokens and activity.",
        responses={204: None, **s.error_responses(404, model="Contact")},
        tags=TAGS,
        parameters=[s.ROW_ID],
    )
    def delete(self, request, **kwargs):
        contact_delete(contact=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)
