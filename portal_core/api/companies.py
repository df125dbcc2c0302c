"""``/api/v1/companies/``: the office's client companies (list, create, read, change, delete)."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from .. import contacts
from ..models import Company, PortalAccount
from . import serializers as s
from .base import PorticoGenericView, service_errors

TAGS = ["companies"]


def company_queryset():
    return contacts.company_search()


def company_delete(*, company: Company) -> None:
    """Delete the company and its portal account; its contacts stay, without a company."""
    with transaction.atomic():
        company.delete()


class CompanyListView(PorticoGenericView):
    """The office's client companies: list and create."""

    FilterSerializer = s.CompanyFilterSerializer
    InputSerializer = s.CompanyWriteSerializer
    OutputSerializer = s.CompanySerializer
    serializer_class = OutputSerializer

    def get_queryset(self):
        return company_queryset()

    @extend_schema(
        operation_id="companies_list",
        summary="List companies",
        description="Newest first, 50 a page (``page_size`` up to 200); follow ``next`` for the rest.",
        parameters=[FilterSerializer],
        responses={200: OutputSerializer(many=True), **s.error_responses(400)},
        tags=TAGS,
    )
    def get(self, request):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        f = filters.validated_data
        queryset = contacts.company_search(query=f.get("q", ""))
        if "email" in f:
            queryset = queryset.filter(email__iexact=f["email"])
        if "language" in f:
            queryset = queryset.filter(language=f["language"])
        if f.get("portal_status") == PortalAccount.Status.NOT_INVITED:
            queryset = queryset.filter(
                Q(portal_account__isnull=True) | Q(portal_account__status=PortalAccount.Status.NOT_INVITED)
            )
        elif "portal_status" in f:
            queryset = queryset.filter(portal_account__status=f["portal_status"])
        if "created_since" in f:
            queryset = queryset.filter(created__gte=f["created_since"])
        return self.paginated(queryset, self.OutputSerializer)

    @extend_schema(
        operation_id="companies_create",
        summary="Create a company",
        request=InputSerializer,
        responses={201: OutputSerializer, **s.error_responses(400)},
        tags=TAGS,
    )
    def post(self, request):
        body = self.InputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with service_errors():
            company = contacts.company_create(**body.validated_data, actor=request.user.label)
        return Response(
            self.OutputSerializer(company_queryset().get(pk=company.pk)).data, status=status.HTTP_201_CREATED
        )


class CompanyDetailView(PorticoGenericView):
    """One company: read, replace, change, delete."""

    InputSerializer = s.CompanyWriteSerializer
    OutputSerializer = s.CompanySerializer
    serializer_class = OutputSerializer

    def get_queryset(self):
        return company_queryset()

    @extend_schema(
        operation_id="companies_retrieve",
        summary="Get a company",
        responses={200: OutputSerializer, **s.error_responses(404, model="Company")},
        tags=TAGS,
        parameters=[s.ROW_ID],
    )
    def get(self, request, **kwargs):
        return Response(self.OutputSerializer(self.get_object()).data)

    def _update(self, request, *, partial: bool) -> Response:
        company = self.get_object()
        body = self.InputSerializer(data=request.data, partial=partial)
        body.is_valid(raise_exception=True)
        with service_errors():
            contacts.company_update(company=company, actor=request.user.label, **body.validated_data)
        return Response(self.OutputSerializer(self.get_object()).data)

    @extend_schema(
        operation_id="companies_update",
        summary="Replace a company",
        description="Fields left out take their defaults (empty, English).",
        request=InputSerializer,
        responses={200: OutputSerializer, **s.error_responses(400, 404, model="Company")},
        tags=TAGS,
        parameters=[s.ROW_ID],
    )
    def put(self, request, **kwargs):
        return self._update(request, partial=False)

    @extend_schema(
        operation_id="companies_partial_update",
        summary="Change a company",
        description="Only the fields sent change.",
        request=InputSerializer,
        responses={200: OutputSerializer, **s.error_responses(400, 404, model="Company")},
        tags=TAGS,
        parameters=[s.ROW_ID],
    )
    def patch(self, request, **kwargs):
        return self._update(request, partial=True)

    @extend_schema(
        operation_id="companies_destroy",
        summary="Delete a company",
        description="Deletes the company and its portal account; its contacts stay, without a company.",
        responses={204: None, **s.error_responses(404, model="Company")},
        tags=TAGS,
        parameters=[s.ROW_ID],
    )
    def delete(self, request, **kwargs):
        company_delete(company=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)
