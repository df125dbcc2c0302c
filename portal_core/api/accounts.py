"""``/api/v1/portal-accounts/``: the ways into the portal, and one URL for each thing done to them
(disable, enable, invite)."""

from __future__ import annotations

from django.core.mail import BadHeaderError
from rest_framework import exceptions, serializers, status

from .. import access
from ..models import Company, Contact, PortalAccount
from . import serializers as s
from .resources import LIST_DESCRIPTION, CreateRow, ListRows, OfficeResource, RowAction, ShowRow, doc


class SendFailed(exceptions.APIException):
    status_code = status.HTTP_500_INTERNAL_SERVER_ERROR
    default_detail = "Failed to send portal invitation."


class PortalAccountView(OfficeResource):
    resource = "portal_accounts"
    OutputSerializer = s.PortalAccountSerializer

    def get_queryset(self):
        return PortalAccount.objects.select_related("contact", "company")


class PortalAccountListView(ListRows, CreateRow, PortalAccountView):
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
    lookups = {"status": "status", "contact": "contact_id", "company": "company_id"}
    docs = {
        "list": doc("List portal accounts", LIST_DESCRIPTION),
        "create": doc(
            "Get or create a portal account",
            "The contact's (or company's) account: created, not invited, when it has none (201), else the "
            "one it has (200). Send exactly one of ``contact`` and ``company``.",
            responses={200: s.PortalAccountSerializer},
        ),
    }

    def create(self, data, actor):
        ((kind, holder),) = data.items()
        self.existed = PortalAccount.objects.filter(**{kind: holder}).exists()
        return access.portal_account_for(**{kind: holder})

    def created_status(self, row):
        return status.HTTP_200_OK if self.existed else status.HTTP_201_CREATED


class PortalAccountDetailView(ShowRow, PortalAccountView):
    """One portal account."""

    docs = {"retrieve": doc("Get a portal account")}


class PortalAccountDisableView(RowAction, PortalAccountView):
    """Disable one portal account."""

    action = "disable"
    docs = {
        "disable": doc(
            "Disable a portal account",
            "The client can no longer sign in; their links and tokens are revoked. Their data stays. "
            "Disabling a disabled account changes nothing.",
        )
    }

    def act(self, row, data, actor):
        if row.status != PortalAccount.Status.DISABLED:
            access.portal_account_disable(account=row, actor=actor)


class PortalAccountEnableView(RowAction, PortalAccountView):
    """Enable one portal account again."""

    action = "enable"
    docs = {
        "enable": doc(
            "Enable a portal account",
            "The account returns to the status it had (not invited, invited or joined). Enabling an "
            "enabled account changes nothing.",
        )
    }

    def act(self, row, data, actor):
        if row.status == PortalAccount.Status.DISABLED:
            access.portal_account_enable(account=row, actor=actor)


class PortalAccountInviteView(RowAction, PortalAccountView):
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

    action = "invite"
    docs = {
        "invite": doc(
            "Invite to the portal",
            "Emails the client an invitation in their language. A disabled account, or one without an "
            "email address, is refused (400).",
            errors=(500,),
        )
    }

    def act(self, row, data, actor):
        try:
            access.portal_account_invite(account=row, actor=actor, actor_type="api", **data)
        except access.AccessError as exc:
            raise exceptions.ValidationError({"non_field_errors": [exc.message]}) from exc
        except (OSError, BadHeaderError) as exc:
            raise SendFailed(f"Failed to send portal invitation: {exc}") from exc
