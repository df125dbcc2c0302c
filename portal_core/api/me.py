"""``/api/v1/me/``: a client's own profile, for widgets an office builds on its own site. Only a
portal account's JWT reaches it; API keys and staff tokens are refused."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers
from rest_framework.response import Response

from .. import profile
from ..models import PortalAccount
from . import serializers as s
from .base import PorticoAPIView, service_errors
from .inputs import read_body
from .permissions import IsClientCaller

TAGS = ["me"]
# A disabled account's token is refused, so the profile never shows that status.
SIGNED_IN_STATUSES = [c for c in PortalAccount.Status.choices if c[0] != PortalAccount.Status.DISABLED]
COMPANY_DETAILS = "A company account has no personal details: ask the office to change them."


class MeView(PorticoAPIView):
    """The signed-in client's own profile."""

    permission_classes = [IsClientCaller]

    class InputSerializer(serializers.Serializer):
        first_name = serializers.CharField(max_length=80)
        last_name = serializers.CharField(max_length=80, allow_blank=True)
        phone = serializers.CharField(max_length=40, allow_blank=True)
        language = serializers.ChoiceField(choices=settings.LANGUAGES)

        class Meta:
            ref_name = "ClientProfileUpdate"

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField(help_text="The portal account's id.")
        type = serializers.ChoiceField(choices=["contact", "company"])
        name = serializers.CharField()
        first_name = serializers.CharField(help_text="Empty for a company account.")
        last_name = serializers.CharField(help_text="Empty for a company account.")
        email = serializers.CharField(help_text="An email address, or empty when there is none.")
        phone = serializers.CharField()
        language = serializers.ChoiceField(choices=settings.LANGUAGES)
        status = serializers.ChoiceField(choices=SIGNED_IN_STATUSES)

        class Meta:
            ref_name = "ClientProfile"

    def _account(self, request) -> PortalAccount:
        return PortalAccount.objects.select_related("contact", "company").get(
            pk=request.user.portal_account.pk
        )

    def _profile(self, account: PortalAccount) -> dict:
        contact = account.contact
        return self.OutputSerializer(
            {
                "id": account.pk,
                "type": "contact" if contact else "company",
                "name": account.display_name,
                "first_name": contact.first_name if contact else "",
                "last_name": contact.last_name if contact else "",
                "email": account.email,
                "phone": account.holder.phone,
                "language": account.language,
                "status": account.status,
            }
        ).data

    @extend_schema(
        operation_id="me_retrieve",
        summary="Get my profile",
        description="The signed-in client's own profile. Needs a client JWT from ``/api/v1/auth/token``.",
        responses={200: OutputSerializer, **s.error_responses()},
        tags=TAGS,
        auth=[{"JWT": []}],
    )
    def get(self, request):
        return Response(self._profile(self._account(request)))

    @extend_schema(
        operation_id="me_partial_update",
        summary="Change my profile",
        description="Only the fields sent change. A company account may change only its language.",
        request=InputSerializer,
        responses={200: OutputSerializer, **s.error_responses(400)},
        tags=TAGS,
        auth=[{"JWT": []}],
    )
    def patch(self, request):
        account = self._account(request)
        changes = read_body(self.InputSerializer, request, partial=True)
        details = {k: v for k, v in changes.items() if k in ("first_name", "last_name", "phone")}
        contact = account.contact
        if details and contact is None:
            raise exceptions.ValidationError({name: [COMPANY_DETAILS] for name in details})
        with transaction.atomic(), service_errors():
            if details:
                current = {
                    "first_name": contact.first_name,
                    "last_name": contact.last_name,
                    "phone": contact.phone,
                }
                profile.details_update(account=account, **{**current, **details})
            if "language" in changes:
                profile.language_update(account=account, language=changes["language"])
        return Response(self._profile(self._account(request)))
