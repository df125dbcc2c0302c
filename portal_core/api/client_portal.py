"""``/api/v1/client-portal/``: seed 002's Client Portal API, field for field and message for message."""

from __future__ import annotations

from datetime import UTC

from django.core.mail import BadHeaderError
from django.db import connection
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response

from tenants.routing import generation_cache

from .. import access
from ..models import Company, Contact
from ..selectors import portal_config_get
from .base import PorticoAPIView, message
from .inputs import read_body

MESSAGE = inline_serializer("Message", {"message": serializers.CharField()})


def _error(description: str, example: str) -> OpenApiResponse:
    return OpenApiResponse(
        MESSAGE, description=description, examples=[OpenApiExample(description, value={"message": example})]
    )


def _config_payload(schema_name: str) -> dict:
    """Seed 002's ``data`` of the config endpoint, from the office's configuration."""
    from ..selectors import enabled_modules

    config = portal_config_get()
    return {
        "portal_name": config.portal_name,
        "portal_logo": config.portal_logo.name or None,
        "primary_color": config.primary_color,
        "secondary_color": config.secondary_color,
        "welcome_message": config.welcome_message,
        "enabled_modules": enabled_modules(config),
        "is_active": config.is_active,
        "allow_file_sharing": config.allow_file_sharing,
        "show_activity_feed": config.show_activity_feed,
        "token_expiration_days": config.token_expiration_days,
    }


# Built once per process and office, dropped with the configuration (``selectors``): integrators
# poll this endpoint.
_config_payloads = generation_cache(_config_payload)


class ConfigView(PorticoAPIView):
    """The portal configuration of the office the credentials belong to."""

    class ConfigSerializer(serializers.Serializer):
        portal_name = serializers.CharField()
        portal_logo = serializers.CharField(allow_null=True)
        primary_color = serializers.CharField()
        secondary_color = serializers.CharField()
        welcome_message = serializers.CharField(allow_blank=True)
        enabled_modules = serializers.ListField(child=serializers.CharField())
        is_active = serializers.BooleanField()
        allow_file_sharing = serializers.BooleanField()
        show_activity_feed = serializers.BooleanField()
        token_expiration_days = serializers.IntegerField()

    @extend_schema(
        operation_id="client_portal_config",
        summary="Get portal configuration",
        description="The portal configuration of the authenticated tenant.",
        responses={200: inline_serializer("ConfigResponse", {"data": ConfigSerializer()})},
        tags=["client-portal"],
    )
    def get(self, request):
        return Response({"data": _config_payloads.get(connection.schema_name)})


class InviteSerializer(serializers.Serializer):
    custom_message = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


INVITE_OK = inline_serializer(
    "InvitationSent", {"message": serializers.CharField(), "token": serializers.CharField()}
)


def _invite(request, holder_kind: str, pk):
    custom_message = read_body(InviteSerializer, request)["custom_message"]
    model = Contact if holder_kind == "contact" else Company
    pk = str(pk)
    holder = (
        model.objects.filter(pk=int(pk)).first() if pk.isascii() and pk.isdigit() and len(pk) < 12 else None
    )
    label = holder_kind.capitalize()
    if holder is None:
        return message(f"{label} not found", status.HTTP_404_NOT_FOUND)
    if not holder.email:
        return message(f"{label} does not have an email address", status.HTTP_400_BAD_REQUEST)
    account = access.portal_account_for(**{holder_kind: holder})
    actor = request.user.label
    try:
        access.portal_account_invite(
            account=account,
            custom_message=custom_message,
            actor=actor,
            actor_type="api",
        )
        issued = access.access_token_get_or_create(account=account, created_by=actor)
    except access.AccessError as exc:
        return message(exc.message, status.HTTP_400_BAD_REQUEST)
    except (OSError, BadHeaderError) as exc:
        return message(f"Failed to send portal invitation: {exc}", status.HTTP_500_INTERNAL_SERVER_ERROR)
    return Response({"message": "Portal invitation sent successfully", "token": issued.raw})


class ContactInviteView(PorticoAPIView):
    """Emails a portal invitation to a contact and answers with its portal access token."""

    @extend_schema(
        operation_id="client_portal_contact_invite",
        summary="Send portal invitation to contact",
        request=InviteSerializer,
        responses={
            200: INVITE_OK,
            400: _error("Contact doesn't have an email address", "Contact does not have an email address"),
            404: _error("Contact not found", "Contact not found"),
            500: _error("Failed to send invitation", "Failed to send portal invitation: Error details"),
        },
        tags=["client-portal"],
    )
    def post(self, request, contact_id):
        return _invite(request, "contact", contact_id)


class CompanyInviteView(PorticoAPIView):
    """Emails a portal invitation to a company and answers with its portal access token."""

    @extend_schema(
        operation_id="client_portal_company_invite",
        summary="Send portal invitation to company",
        request=InviteSerializer,
        responses={
            200: INVITE_OK,
            400: _error("Company doesn't have an email address", "Company does not have an email address"),
            404: _error("Company not found", "Company not found"),
            500: _error("Failed to send invitation", "Failed to send portal invitation: Error details"),
        },
        tags=["client-portal"],
    )
    def post(self, request, company_id):
        return _invite(request, "company", company_id)


class TokenView(PorticoAPIView):
    """Gets or creates a contact's or company's portal access token."""

    class TokenRequest(serializers.Serializer):
        type = serializers.ChoiceField(choices=["contact", "company"])
        id = serializers.IntegerField(min_value=1)

    TokenResponse = inline_serializer(
        "PortalToken",
        {
            "token": serializers.CharField(),
            "url": serializers.URLField(),
            "expires_at": serializers.DateTimeField(),
        },
    )

    @extend_schema(
        operation_id="client_portal_token",
        summary="Get portal token",
        description="Get or create a portal access token for a contact or company: the same active token "
        "is returned until it expires or is revoked.",
        request=TokenRequest,
        responses={
            200: TokenResponse,
            400: _error("Invalid request", "type must be contact or company"),
            404: _error("Not found", "Contact not found"),
        },
        tags=["client-portal"],
    )
    def post(self, request):
        try:
            body = read_body(self.TokenRequest, request)
        except exceptions.ValidationError as exc:
            field, errors = next(iter(exc.detail.items()))
            return Response({"message": f"{field}: {errors[0]}", "errors": exc.detail}, status=400)
        kind, pk = body["type"], body["id"]
        model = Contact if kind == "contact" else Company
        holder = model.objects.filter(pk=pk).first()
        if holder is None:
            return message(f"{kind.capitalize()} not found", status.HTTP_404_NOT_FOUND)
        account = access.portal_account_for(**{kind: holder})
        try:
            issued = access.access_token_get_or_create(account=account, created_by=request.user.label)
        except access.AccessError as exc:
            return message(exc.message, status.HTTP_400_BAD_REQUEST)
        expires = issued.token.expires_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return Response({"token": issued.raw, "url": issued.url, "expires_at": expires})
