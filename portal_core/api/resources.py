"""The resource API kit: what the core's and every module's REST endpoints are made of.

An endpoint is a class that declares what it reads and writes, and the kit brings the rest:
authentication, rate limits and ``{"message": …}`` errors (``PorticoAPIView``), the office's rows
only (the tenant schema), cursor pages, query parameters and JSON bodies read strictly (a value of
the wrong type, an empty or repeated parameter, a forged cursor: 400 naming it), service errors
as field errors, and the schema (``ResourceSchema``): operation ids ``[<module key>_]<resource>_
<verb>``, the module's tag, the answers and errors each kind of operation gives.

    class PropertyListView(ListRows, CreateRow, OfficeResource):
        resource = "properties"
        FilterSerializer = s.PropertyFilterSerializer
        InputSerializer = s.PropertyWriteSerializer
        OutputSerializer = s.PropertySerializer
        docs = {"list": doc("List properties"), "create": doc("Create a property")}

        def get_queryset(self):
            return selectors.property_search()

        def create(self, data, actor):
            return services.property_create(**data)

Which operations a view has comes from its mixins: ``ListRows`` (GET on a collection, verb
``list``), ``CreateRow`` (POST, ``create``), ``ShowRow`` (GET on a row, ``retrieve``),
``ChangeRow`` (PUT ``update`` and PATCH ``partial_update``), ``PatchRow`` (PATCH only),
``DeleteRow`` (DELETE, ``destroy``) and ``RowAction`` (POST on ``<row>/<action>``, verb
``action``). A module's API is switched off by the core while the office has the module off
(``portal_core.module_gate``); no view checks it."""

from __future__ import annotations

import binascii
from base64 import b64decode, b64encode
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib import parse

from django.core import signing
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.http import Http404
from django.utils.text import capfirst
from rest_framework import exceptions, status
from rest_framework.generics import GenericAPIView, get_object_or_404
from rest_framework.pagination import Cursor
from rest_framework.pagination import CursorPagination as DRFCursorPagination
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from . import inputs
from .auth import ApiCaller
from .base import PorticoAPIView, service_errors
from .permissions import IsClientCaller, IsTenantCaller
from .schema import ResourceSchema

__all__ = [
    "LIST_DESCRIPTION",
    "ChangeRow",
    "ClientResource",
    "CreateRow",
    "CursorPagination",
    "DeleteRow",
    "Doc",
    "IsOfficeCaller",
    "IsPortalClient",
    "ListRows",
    "OfficeResource",
    "PatchRow",
    "Resource",
    "RowAction",
    "ShowRow",
    "doc",
    "errors_under",
    "narrowed",
    "row_or_404",
    "service_errors",
]

LIST_DESCRIPTION = "Newest first, 50 a page (``page_size`` up to 200); follow ``next`` for the rest."


# --- who may call ---------------------------------------------------------------------------------


class IsOfficeCaller(IsTenantCaller):
    """``IsTenantCaller`` that tells a client token plainly why the office API refuses it."""

    def has_permission(self, request, view):
        allowed = super().has_permission(request, view)
        if not allowed and isinstance(request.user, ApiCaller) and request.user.kind == "client":
            self.message = "A client token cannot use the office API."
        return allowed


class IsPortalClient(IsClientCaller):
    """``IsClientCaller`` that tells office credentials plainly why a client endpoint refuses them."""

    message = "Only a client's token (a portal account's JWT from /api/v1/auth/token) can use this endpoint."


# --- pages ----------------------------------------------------------------------------------------


class CursorPagination(DRFCursorPagination):
    """Newest first, then by id: a cursor (not an offset), so pages stay right while rows are added.

    Cursors are signed, so one that was not made here (garbled, forged, cut short) is refused with
    400 under ``cursor`` instead of reaching the database; ``page_size`` must be a whole number
    from 1 to ``max_page_size``. Subclasses change ``ordering``."""

    ordering = ("-created", "id")
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    signer = signing.Signer(salt="portico.api.cursor")

    def query_errors(self, request) -> dict[str, list[str]]:
        """What is wrong with the page's query parameters (``cursor``, ``page_size``)."""
        errors = {}
        size = inputs.single_query_value(request, self.page_size_query_param, errors)
        if size is not None and not (
            size.isascii() and size.isdigit() and 1 <= int(size) <= self.max_page_size
        ):
            errors[self.page_size_query_param] = [f"A whole number from 1 to {self.max_page_size}."]
        if inputs.single_query_value(request, self.cursor_query_param, errors) is not None:
            try:
                self.decode_cursor(request)
            except exceptions.ValidationError as exc:
                errors.update(exc.detail)
        return errors

    def get_page_size(self, request):
        size = request.query_params.get(self.page_size_query_param)
        return int(size) if size else self.page_size

    def encode_cursor(self, cursor):
        tokens = {}
        if cursor.offset != 0:
            tokens["o"] = str(cursor.offset)
        if cursor.reverse:
            tokens["r"] = "1"
        if cursor.position is not None:
            tokens["p"] = cursor.position
        encoded = b64encode(parse.urlencode(tokens, doseq=True).encode("ascii")).decode("ascii")
        return replace_query_param(self.base_url, self.cursor_query_param, self.signer.sign(encoded))

    def decode_cursor(self, request):
        encoded = request.query_params.get(self.cursor_query_param)
        if encoded is None:
            return None
        try:
            querystring = b64decode(self.signer.unsign(encoded).encode("ascii")).decode("ascii")
            tokens = parse.parse_qs(querystring, keep_blank_values=True)
            offset = int(tokens.get("o", ["0"])[0])
            reverse = bool(int(tokens.get("r", ["0"])[0]))
            position = tokens.get("p", [None])[0]
        except (signing.BadSignature, UnicodeError, binascii.Error, ValueError):
            raise exceptions.ValidationError({self.cursor_query_param: ["Invalid cursor."]}) from None
        if not 0 <= offset <= self.offset_cutoff:
            raise exceptions.ValidationError({self.cursor_query_param: ["Invalid cursor."]})
        return Cursor(offset=offset, reverse=reverse, position=position)

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "Where the page starts: the ``cursor`` of a ``next`` or ``previous`` link.",
                "schema": {"type": "string", "minLength": 1},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"Rows a page (default {self.page_size}).",
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size},
            },
        ]


# --- the schema's words for each operation ---------------------------------------------------------


@dataclass(frozen=True)
class Doc:
    """What the schema says about one operation beyond what the view declares: ``summary``,
    ``description``, more error answers (``errors``), a body other than ``InputSerializer``
    (``request``, e.g. ``{"multipart/form-data": …}``), success answers other than the kind's
    default (``responses``: ``{status: serializer}``, added to it), extra ``parameters``, and the
    accepted credentials (``auth``, e.g. ``[{"JWT": []}]``)."""

    summary: str
    description: str = ""
    errors: tuple[int, ...] = ()
    request: object = None
    responses: dict = field(default_factory=dict)
    parameters: tuple = ()
    auth: list | None = None


def doc(summary: str, description: str = "", **more) -> Doc:
    """The schema's words for one operation (see :class:`Doc`)."""
    return Doc(summary, description, **more)


# --- rows -----------------------------------------------------------------------------------------


def row_or_404(queryset, pk):
    """The row ``pk`` of ``queryset``, or ``{"message": "<Model> not found."}`` (any ``pk``)."""
    try:
        return get_object_or_404(queryset, pk=pk)
    except Http404:
        raise exceptions.NotFound(f"{capfirst(queryset.model._meta.verbose_name)} not found.") from None


def narrowed(queryset, filters: dict, lookups: dict[str, str]):
    """``queryset`` with each given filter applied (query parameter → field lookup)."""
    for name, lookup in lookups.items():
        if filters.get(name) is not None:
            queryset = queryset.filter(**{lookup: filters[name]})
    return queryset


@contextmanager
def errors_under(field_name: str):
    """A service's error that names no field is reported under ``field_name`` (use inside
    ``service_errors()``)."""
    try:
        yield
    except DjangoValidationError as exc:
        if hasattr(exc, "error_dict"):
            raise
        raise DjangoValidationError({field_name: exc.messages}) from exc


class Resource(PorticoAPIView, GenericAPIView):
    """Base of every resource endpoint. A subclass declares:

    ``resource``          the noun of its operation ids (``properties`` → ``…_properties_list``)
    ``InputSerializer``   the JSON body of create, change and action operations
    ``OutputSerializer``  what every operation answers with (one row, or a page of them)
    ``FilterSerializer``  a list's query parameters (each optional; empty values are refused)
    ``docs``              ``{verb: doc(…)}``, the schema's words for each operation
    ``tags``              the schema's grouping; by default the module's URL prefix, else the
                          resource's name with dashes
    ``path_ids``          descriptions of path ids other than ``id``
    ``parent_queryset``   for rows under another row (``properties/{id}/photos/``): the parent,
                          looked up by the ``id`` argument before anything else, is ``self.parent``

    and ``get_queryset()``: its rows, looked up by ``lookup_url_kwarg`` (``id``); a missing row
    answers ``{"message": "<Model> not found."}``."""

    permission_classes = [IsOfficeCaller]
    pagination_class = CursorPagination
    lookup_url_kwarg = "id"
    schema = ResourceSchema()

    resource: str = ""
    tags: list[str] | None = None
    InputSerializer = None
    OutputSerializer = None
    FilterSerializer = None
    docs: dict[str, Doc] = {}
    path_ids: dict[str, str] = {}
    parent_queryset = None
    security: list | None = None
    methods: dict[str, str] = {}  # HTTP method → the operation's verb, from the mixins

    parent = None

    @classmethod
    def operation_verb(cls, method: str) -> str | None:
        """The verb of this view's operation for ``method`` (``get`` → ``list``), if it has one."""
        for klass in cls.__mro__:
            verb = vars(klass).get("methods", {}).get(method)
            if verb is not None:
                return cls.action if verb == "<action>" else verb
        return None

    def get_serializer_class(self):
        return self.OutputSerializer

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if self.parent_queryset is not None:
            self.parent = row_or_404(self.get_parent_queryset(), kwargs.get("id"))

    def get_parent_queryset(self):
        """Where ``self.parent`` is looked up (``parent_queryset``, fresh for each request)."""
        return self.parent_queryset.all()

    def get_object(self):
        try:
            return super().get_object()
        except Http404:
            name = self.get_queryset().model._meta.verbose_name
            raise exceptions.NotFound(f"{capfirst(name)} not found.") from None

    def read_body(self, serializer_class=None, *, partial: bool = False) -> dict:
        """The request's JSON body, read strictly by ``serializer_class`` (``InputSerializer``)."""
        return inputs.read_body(serializer_class or self.InputSerializer, self.request, partial=partial)

    def shown(self, value, serializer_class=None) -> dict | list:
        """``value`` (a row, or several) as ``serializer_class`` (``OutputSerializer``) shows it."""
        many = isinstance(value, list | tuple | QuerySet)
        serializer_class = serializer_class or self.OutputSerializer
        return serializer_class(value, many=many, context=self.get_serializer_context()).data


class OfficeResource(Resource):
    """An office endpoint: an API key or a staff JWT; a client's JWT is refused (403)."""


class ClientResource(Resource):
    """A client endpoint: only a portal account's JWT (``self.account``), for widgets an office
    builds on its own site; API keys and staff tokens are refused (403)."""

    permission_classes = [IsPortalClient]
    security = [{"JWT": []}]

    @property
    def account(self):
        return self.request.user.portal_account


# --- the operations -------------------------------------------------------------------------------


class ListRows:
    """GET: a cursor page of ``rows(filters)`` (by default ``get_queryset()`` narrowed by
    ``lookups``: query parameter → field lookup), the query read by ``FilterSerializer``. Without
    ``pagination_class`` the whole list is the answer."""

    methods = {"get": "list"}
    lookups: dict[str, str] = {}

    def rows(self, filters: dict):
        return narrowed(self.get_queryset(), filters, self.lookups)

    def read_query(self) -> dict:
        """The list's query parameters, every problem with them at once (400, by parameter)."""
        filters, errors = inputs.read_query(self.FilterSerializer, self.request)
        if self.paginator is not None:
            errors.update(self.paginator.query_errors(self.request))
        if errors:
            raise exceptions.ValidationError(errors)
        return filters

    def get(self, request, **kwargs):
        rows = self.rows(self.read_query())
        if self.paginator is None:
            return Response(self.shown(list(rows)))
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(self.shown(page))


class CreateRow:
    """POST: ``create(data, actor)`` from ``InputSerializer``; answers ``created_status(row)`` (201)
    with ``created(row)``, the row as the list shows it, through ``CreatedSerializer`` when the
    answer shows more than the list (a secret shown once) or else ``OutputSerializer``."""

    methods = {"post": "create"}
    CreatedSerializer = None

    def create(self, data: dict, actor: str):
        raise NotImplementedError

    def created(self, row):
        return self.get_queryset().get(pk=row.pk)

    def created_status(self, row) -> int:
        return status.HTTP_201_CREATED

    def post(self, request, **kwargs):
        data = self.read_body()
        with service_errors():
            row = self.create(data, request.user.label)
        shown = self.shown(self.created(row), serializer_class=self.CreatedSerializer)
        return Response(shown, status=self.created_status(row))


class ShowRow:
    """GET: one row of ``get_queryset()``."""

    methods = {"get": "retrieve"}

    def get(self, request, **kwargs):
        return Response(self.shown(self.get_object()))


class PatchRow:
    """PATCH: ``change(row, data, actor)`` from ``InputSerializer``, only the fields sent (with
    ``partial = False`` every required field must be sent); answers with the row as it is now."""

    methods = {"patch": "partial_update"}
    partial = True

    def change(self, row, data: dict, actor: str) -> None:
        raise NotImplementedError

    def changed(self, request, *, partial: bool) -> Response:
        row = self.get_object()
        data = self.read_body(partial=partial)
        with service_errors():
            self.change(row, data, request.user.label)
        return Response(self.shown(self.get_object()))

    def patch(self, request, **kwargs):
        return self.changed(request, partial=self.partial)


class ChangeRow(PatchRow):
    """PUT (fields left out take their defaults) and PATCH (only the fields sent)."""

    methods = {"put": "update"}

    def put(self, request, **kwargs):
        return self.changed(request, partial=False)


class DeleteRow:
    """DELETE: ``destroy(row, actor)``; answers 204."""

    methods = {"delete": "destroy"}

    def destroy(self, row, actor: str) -> None:
        row.delete()

    def delete(self, request, **kwargs):
        with service_errors():
            self.destroy(self.get_object(), request.user.label)
        return Response(status=status.HTTP_204_NO_CONTENT)


class RowAction:
    """POST on ``<row>/<action>``: ``act(row, data, actor)``, with the body read by
    ``InputSerializer`` (none: the operation takes no body). Answers ``action_status`` with what
    ``act`` returns, or else the row as it is now."""

    methods = {"post": "<action>"}
    action: str = ""
    action_status = status.HTTP_200_OK

    def act(self, row, data: dict, actor: str):
        raise NotImplementedError

    def post(self, request, **kwargs):
        row = self.get_object()
        data = self.read_body() if self.InputSerializer is not None else {}
        with service_errors():
            result = self.act(row, data, request.user.label)
        return Response(self.shown(result if result is not None else self.get_object()), self.action_status)
