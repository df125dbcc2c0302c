"""What every API view shares: authentication, permissions, rate limits, error bodies."""

from __future__ import annotations

from contextlib import contextmanager

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import APIView, exception_handler

from ..input_guard import GuardedJSONParser
from ..module_gate import api_gate
from . import ratelimit
from .auth import ApiCaller, ApiKeyAuthentication, TenantJWTAuthentication
from .permissions import IsTenantCaller


def _limit_for(request) -> int:
    from tenants.grants import plan_limits

    return plan_limits.get(getattr(request.tenant, "plan_id", None))


class PorticoAPIView(APIView):
    """Base for every API view: tenant-bound auth, per-token limits, ``{"message": …}`` errors, the
    module gate (``portal_core.module_gate``), JSON bodies only (``parser_classes``)."""

    authentication_classes = [ApiKeyAuthentication, TenantJWTAuthentication]
    permission_classes = [IsTenantCaller]
    parser_classes = [GuardedJSONParser]

    def initial(self, request, *args, **kwargs):
        self.format_kwarg = self.get_format_suffix(**kwargs)
        neg = self.perform_content_negotiation(request)
        request.accepted_renderer, request.accepted_media_type = neg
        version, scheme = self.determine_version(request, *args, **kwargs)
        request.version, request.versioning_scheme = version, scheme
        self.perform_authentication(request)
        self.check_module_gate(request)
        self.check_rate_limit(request)
        self.check_permissions(request)

    def check_module_gate(self, request) -> None:
        """Once the caller's office is known (on the platform host only its credentials name it),
        a module the office has off answers 404; callers without valid credentials get their 401,
        and a method the URL does not have its 405, as anywhere else."""
        method = request.method.lower()
        if isinstance(request.user, ApiCaller) and method in self.http_method_names and hasattr(self, method):
            api_gate(request)

    def check_rate_limit(self, request) -> None:
        caller = request.user
        if not isinstance(caller, ApiCaller):
            return
        verdict = ratelimit.hit(caller.token_id, limit=_limit_for(request))
        request._ratelimit = verdict
        if not verdict.allowed:
            raise exceptions.Throttled(wait=verdict.reset)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        verdict = getattr(request, "_ratelimit", None)
        if verdict is not None:
            for name, value in verdict.headers().items():
                response[name] = value
        return response


def api_exception_handler(exc, context):
    """Errors as ``{"message": …}`` (seed 002), with field errors under ``errors`` when there are some."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) if str(exc) else "Not found.")
    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail
        message = "Invalid input."
        if isinstance(detail, list) and detail:
            message = str(detail[0])
        elif isinstance(detail, dict) and "non_field_errors" in detail:
            message = str(detail["non_field_errors"][0])
        response.data = {"message": message, "errors": detail if isinstance(detail, dict) else {}}
    elif isinstance(exc, exceptions.Throttled):
        response.data = {
            "message": "Too many requests: the limit is per minute and per token. "
            f"Try again in {exc.wait or 1:.0f} seconds."
        }
    else:
        detail = getattr(exc, "detail", "")
        response.data = {"message": str(detail) if not isinstance(detail, dict | list) else str(exc)}
    return response


def message(text: str, code: int = status.HTTP_200_OK) -> Response:
    return Response({"message": text}, status=code)


@contextmanager
def service_errors():
    """A service's ``django.core.exceptions.ValidationError`` becomes the API's 400, field by field."""
    try:
        yield
    except DjangoValidationError as exc:
        if hasattr(exc, "error_dict"):
            detail = {
                "non_field_errors" if name == NON_FIELD_ERRORS else name: messages
                for name, messages in exc.message_dict.items()
            }
        else:
            detail = {"non_field_errors": exc.messages}
        raise exceptions.ValidationError(detail) from exc


class _BearerScheme(OpenApiAuthenticationExtension):
    """Names an authenticator's scheme in the schema. Which schemes an operation accepts comes from
    ``SPECTACULAR_SETTINGS["SECURITY"]`` (drf-spectacular adds it to every operation); repeating it
    here would list each scheme twice."""

    def get_security_requirement(self, auto_schema):
        return None


class ApiKeyScheme(_BearerScheme):
    target_class = ApiKeyAuthentication
    name = "ApiKey"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": "A tenant API key, pk_xxxxxxxx.…"}


class JWTScheme(_BearerScheme):
    target_class = TenantJWTAuthentication
    name = "JWT"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
