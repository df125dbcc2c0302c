"""``/api/v1/portal-accounts/``: the ways into the portal, and one URL for each thing done to them
(disable, enable, invite)."""

from __future__ import annotations

from django.core.mail import BadHeaderError
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response

from .. import access
from ..models import Company, Contact, PortalAccount
from . import serializers as s
from .base import PorticoGenericView, message

TAGS = ["portal-accounts"]


def account_queryset():
    return PortalAccount.objects.select_related("contact", "company")


class PortalAccountListView(PorticoGenericView):
    """Portal accounts: list, and get or create one for a contact or a company."""

    class InputSerializer(serializers.Serializer):
        contact = serializers.PrimaryKeyRelatedField(queryset=Contact.objects.all(), required=False)
        company = serializers.PrimaryKeyRelatedField(queryset=Company.objects.all(), required=False)

        class Meta:
            ref_name = "PortalAccountCreate"

        def validate(self, attrs):
            if len(attrs) != 1:
                raise serializers.ValidationError("Give either a contact or a company.")
            return attrs

    FilterSerializer = s.PortalAccountFilterSerializer
    OutputSerializer = s.PortalAccountSerializer
    serializer_class = OutputSerializer

    def get_queryset(self):
        return account_queryset()

    @extend_schema(
        operation_id="portal_accounts_list",
        summary="List portal accounts",
        description="Newest first, 50 a page (``page_size`` up to 200); follow ``next`` for the rest.",
        parameters=[FilterSerializer],
        responses={200: OutputSerializer(many=True), **s.error_responses(400)},
        tags=TAGS,
    )
    def get(self, request):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        f = filters.validated_data
        queryset = account_queryset()
        if "status" in f:
            queryset = queryset.filter(status=f["status"])
        if "contact" in f:
            queryset = queryset.filter(contact_id=f["contact"])
        if "company" in f:
            queryset = queryset.filter(company_id=f["company"])
        return self.paginated(queryset, self.OutputSerializer)

    @extend_schema(
        operation_id="portal_accounts_create",
        summary="Get or create a portal account",
        description="The contact's (or company's) account: created, not invited, when it has none "
        "(201), else the one it has (200). Send exactly one of ``contact`` and ``company``.",
        request=InputSerializer,
        responses={200: OutputSerializer, 201: OutputSerializer, **s.error_responses(400)},
        tags=TAGS,
    )
    def post(self, request):
        body = self.InputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        (kind, holder), *_ = body.validated_data.items()
        existed = PortalAccount.objects.filter(**{kind: holder}).exists()
        account = access.portal_account_for(**{kind: holder})
        return Response(
            self.OutputSerializer(account).data,
            status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED,
        )


class PortalAccountDetailView(PorticoGenericView):
    """One portal account."""

    OutputSerializer = s.PortalAccountSerializer
    serializer_class = OutputSerializer

    def get_queryset(self):
        return account_queryset()

    @extend_schema(
        operation_id="portal_accounts_retrieve",
        summary="Get a portal account",
        responses={200: OutputSerializer, **s.error_responses(404, model="Portal account")},
        tags=TAGS,
        parameters=[s.ROW_ID],
    )
    def get(self, request, **kwargs):
        return Response(self.OutputSerializer(self.get_object()).data)


class PortalAccountDisableView(PorticoGenericView):
    """Disable one portal account."""

    OutputSerializer = s.PortalAccountSerializer
    serializer_class = OutputSerializer

    def get_queryset(self):
        return account_queryset()

    @extend_schema(
        operation_id="portal_accounts_disable",
        summary="Disable a portal account",
        description="The client can no longer sign in; their links and tokens are revoked. Their data "
        "stays. Disabling a disabled account changes nothing.",
        request=None,
        responses={200: OutputSerializer, **s.error_responses(404, model="Portal account")},
        tags=TAGS,
        parameters=[s.ROW_ID],
    )
    def post(self, request, **kwargs):
        account = self.get_object()
        if account.status != PortalAccount.Status.DISABLED:
            access.portal_account_disable(account=account, actor=request.user.label)
        return Response(self.OutputSerializer(account).data)


class PortalAccountEnableView(PorticoGenericView):
    """Enable one portal account again."""

    OutputSerializer = s.PortalAccountSerializer
    serializer_class = OutputSerializer

    def get_queryset(self):
        return account_queryset()

    @extend_schema(
        operation_id="portal_accounts_enable",
        summary="Enable a portal account",
        description="The account returns to the status it had (not invited, invited or joined). "
        "Enabling an enabled account changes nothing.",
        request=None,
        responses={200: OutputSerializer, **s.error_responses(404, model="Portal account")},
        tags=TAGS,
        parameters=[s.ROW_ID],
    )
    def post(self, request, **kwargs):
        account = self.get_object()
        if account.status == PortalAccount.Status.DISABLED:
            access.portal_account_enable(account=account, actor=request.user.label)
        return Response(self.OutputSerializer(account).data)


class PortalAccountInviteView(PorticoGenericView):
    """Invite the holder of one portal account."""

    class InputSerializer(serializers.Serializer):
        custom_message = serializers.CharField(
            required=False, allow_blank=True, max_length=2000, default="", help_text="Added to the email."
        )
        temporary_password = serializers.BooleanField(
            default=False,
            help_text="Email a temporary password (changed at first sign-in) instead of a set-password link.",
        )

        class Meta:
            ref_name = "PortalAccountInvite"

    OutputSerializer = s.PortalAccountSerializer
    serializer_class = OutputSerializer

    def get_queryset(self):
        return account_queryset()

    @extend_schema(
        operation_id="portal_accounts_invite",
        summary="Invite to the portal",
        description="Emails the client an invitation in their language. A disabled account, or one "
        "without an email address, is refused (400).",
        request=InputSerializer,
        responses={200: OutputSerializer, **s.error_responses(400, 404, 500, model="Portal account")},
        tags=TAGS,
        parameters=[s.ROW_ID],
    )
    def post(self, request, **kwargs):
        account = self.get_object()
        body = self.InputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            access.portal_account_invite(
                account=account, actor=request.user.label, actor_type="api", **body.validated_data
            )
        except access.AccessError as exc:
            raise exceptions.ValidationError({"non_field_errors": [exc.message]}) from exc
        except (OSError, BadHeaderError) as exc:
            return message(f"Failed to send portal invitation: {exc}", status.HTTP_500_INTERNAL_SERVER_ERROR)
        return Response(self.OutputSerializer(account).data)
