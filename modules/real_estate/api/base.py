"""What every real-estate endpoint shares: the module gate, the generic parts of a resource (a
filtered list, one row, create, change, an action on a row: each view declares its serializers and
the service call), the schema entries, pagination orders and absolute links to the module's media.

Views document each method with ``doc(…)`` through ``extend_schema_view``."""

from __future__ import annotations

from contextlib import contextmanager

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.urls import NoReverseMatch, reverse
from django.utils.text import capfirst
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from portal_core.access import portal_link
from portal_core.api import serializers as core
from portal_core.api.auth import ApiCaller
from portal_core.api.base import CreatedCursorPagination, PorticoGenericView, service_errors
from portal_core.api.permissions import IsClientCaller
from portal_core.selectors import module_is_enabled

from ..media_links import media_signature

MODULE_KEY = "real_estate"
TAGS = ["real-estate"]
MODULE_OFF = "This module is not enabled."
LIST_DESCRIPTION = "Newest first, 50 a page (``page_size`` up to 200); follow ``next`` for the rest."

ROW_ID = core.ROW_ID
PHOTO_ID = OpenApiParameter(
    "photo_id",
    OpenApiTypes.INT,
    OpenApiParameter.PATH,
    description="The photo's id, as the gallery lists it.",
)


class ModuleGate:
    """Answers 404 while the office has the module switched off. On the office's own host the core's
    ``ModuleGateMiddleware`` does it before the view; on the platform host the office is known only
    once the token is read, so the view checks again after authentication."""

    def perform_authentication(self, request):
        super().perform_authentication(request)
        if isinstance(request.user, ApiCaller) and not module_is_enabled(MODULE_KEY):
            raise exceptions.NotFound(MODULE_OFF)


class OfficeView(ModuleGate, PorticoGenericView):
    """An office endpoint: an API key or a staff JWT (``IsOfficeCaller``), cursor pages."""


class IsPortalClient(IsClientCaller):
    message = "Only a client's token (a portal account's JWT from /api/v1/auth/token) can use this endpoint."


class ClientView(ModuleGate, PorticoGenericView):
    """A client endpoint: only the signed-in portal account's own rows, read-only."""

    permission_classes = [IsPortalClient]

    @property
    def account(self):
        return self.request.user.portal_account


class OfferedCursorPagination(CreatedCursorPagination):
    """Offered properties, latest offer first."""

    ordering = ("-offered_at", "id")


# --- the generic parts of a resource ------------------------------------------------------------


def narrowed(queryset, filters: dict, lookups: dict[str, str]):
    """``queryset`` with each given filter applied (query parameter → field lookup)."""
    for name, lookup in lookups.items():
        if filters.get(name) is not None:
            queryset = queryset.filter(**{lookup: filters[name]})
    return queryset


class ListRows:
    """GET: a cursor page of ``rows(filters)``, the query parameters read by ``FilterSerializer``."""

    FilterSerializer = None
    lookups: dict[str, str] = {}

    def rows(self, filters: dict):
        return narrowed(self.get_queryset(), filters, self.lookups)

    def get(self, request, **kwargs):
        filters = {}
        if self.FilterSerializer is not None:
            query = self.FilterSerializer(data=request.query_params)
            query.is_valid(raise_exception=True)
            filters = query.validated_data
        return self.paginated(self.rows(filters), self.OutputSerializer)


class ShowRow:
    """GET: one row of ``get_queryset()``."""

    def get(self, request, **kwargs):
        return Response(self.OutputSerializer(self.get_object()).data)


class CreateRow:
    """POST: ``create(data)`` from ``InputSerializer``; answers 201 with the row as listed."""

    def create(self, data: dict, actor: str):
        raise NotImplementedError

    def post(self, request, **kwargs):
        body = self.InputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with service_errors():
            row = self.create(body.validated_data, request.user.label)
        return Response(
            self.OutputSerializer(self.get_queryset().get(pk=row.pk)).data, status=status.HTTP_201_CREATED
        )


class ChangeRow:
    """PUT (fields left out take their defaults) and PATCH (only the fields sent): ``change(row,
    data)`` from ``InputSerializer``."""

    def change(self, row, data: dict) -> None:
        raise NotImplementedError

    def _changed(self, request, *, partial: bool) -> Response:
        row = self.get_object()
        body = self.InputSerializer(data=request.data, partial=partial)
        body.is_valid(raise_exception=True)
        with service_errors():
            self.change(row, body.validated_data)
        return Response(self.OutputSerializer(self.get_object()).data)

    def put(self, request, **kwargs):
        return self._changed(request, partial=False)

    def patch(self, request, **kwargs):
        return self._changed(request, partial=True)


class RowAction:
    """POST: ``act(row, data, actor)``, with the body read by ``InputSerializer`` (when there is
    one); answers with the row as it is now."""

    InputSerializer = None

    def act(self, row, data: dict, actor: str) -> None:
        raise NotImplementedError

    def post(self, request, **kwargs):
        row = self.get_object()
        data = {}
        if self.InputSerializer is not None:
            body = self.InputSerializer(data=request.data)
            body.is_valid(raise_exception=True)
            data = body.validated_data
        with service_errors():
            self.act(row, data, request.user.label)
        return Response(self.OutputSerializer(self.get_object()).data)


# --- the schema ---------------------------------------------------------------------------------


def errors(*codes: int, model: str = "") -> dict:
    """The error answers of an endpoint (401, 403, 404 and 429 always): ``model`` names what a 404
    did not find; without it the 404 is the module being off for this office."""
    responses = core.error_responses(*codes, 404, model=model)
    if not model:
        responses[404] = OpenApiResponse(
            core.ErrorSerializer,
            description="The real-estate module is not enabled for this office",
            examples=[OpenApiExample("module_off", value={"message": MODULE_OFF})],
        )
    else:
        responses[404].description = "Not found in this portal (or the real-estate module is off)"
    return responses


def doc(
    operation: str,
    summary: str,
    response,
    *,
    codes: tuple[int, ...] = (),
    model: str = "",
    parameters: tuple = (),
    code: int = 200,
    **kwargs,
):
    """``extend_schema`` for one operation (``real_estate_<operation>``, tag ``real-estate``): its
    answer (status ``code``) and errors (``model``: the row the path names, whose ``{id}`` it
    documents)."""
    return extend_schema(
        operation_id=f"real_estate_{operation}",
        summary=summary,
        responses={code: response, **errors(*codes, model=model)},
        parameters=[*([ROW_ID] if model else []), *parameters],
        tags=TAGS,
        **kwargs,
    )


# --- errors and links ---------------------------------------------------------------------------


@contextmanager
def errors_under(field: str):
    """A service's error that names no field is reported under ``field`` (use inside
    ``service_errors()``)."""
    try:
        yield
    except DjangoValidationError as exc:
        if hasattr(exc, "error_dict"):
            raise
        raise DjangoValidationError({field: exc.messages}) from exc


def row_or_404(queryset, pk):
    """The row ``pk`` of ``queryset``, or ``{"message": "<Model> not found."}`` (any ``pk``)."""
    try:
        return get_object_or_404(queryset, pk=pk)
    except Http404:
        raise exceptions.NotFound(f"{capfirst(queryset.model._meta.verbose_name)} not found.") from None


def media_url(url_name: str, pk: int) -> str | None:
    """The absolute URL of a file served by the module's portal views (``real_estate:<url_name>``)
    on the office's primary host, signed for an hour (``media_links``) so that an ``<img>`` on the
    caller's own page loads it without a session; None while those views are not mounted."""
    try:
        path = reverse(f"real_estate:{url_name}", args=[pk], urlconf=settings.ROOT_URLCONF)
    except NoReverseMatch:
        return None
    return f"{portal_link(path)}?sig={media_signature(url_name, pk)}"
