"""JWTs for a tenant's staff and for portal accounts (obtain and refresh), on the tenant's host."""

from __future__ import annotations

from django.contrib.auth import authenticate
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from tenants.routing import is_tenant_request
from tenants.signin_policy import SignInLimited, check, marked

from .. import access, two_factor
from .auth import jwt_current, jwt_pair
from .base import PorticoAPIView, message
from .inputs import read_body

PAIR = inline_serializer("TokenPair", {"access": serializers.CharField(), "refresh": serializers.CharField()})


class ObtainSerializer(serializers.Serializer):
    email = serializers.EmailField()
    password = serializers.CharField(trim_whitespace=False)
    kind = serializers.ChoiceField(
        choices=["staff", "client"],
        default="client",
        help_text="“staff” for office users, “client” for portal accounts.",
    )
    otp = serializers.CharField(
        required=False,
        default="",
        max_length=20,
        help_text="The code from the authenticator app (or a recovery code), for an account with "
        "two-factor sign-in.",
    )


@marked("api-token")
class ObtainTokenView(PorticoAPIView):
    """A JWT pair for an office's staff member or a portal account, on the office's own host."""

    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="auth_token_obtain",
        summary="Obtain a JWT pair",
        request=ObtainSerializer,
        responses={200: PAIR},
        tags=["auth"],
        auth=[],
    )
    def post(self, request):
        if not is_tenant_request(request):
            return message("Ask for tokens on your portal's own address.", status.HTTP_400_BAD_REQUEST)
        body = read_body(ObtainSerializer, request)
        email, password, kind = (body[k] for k in ("email", "password", "kind"))
        try:
            check(request, "api-token", account=email)
        except SignInLimited as exc:
            return limited_answer(exc)
        if kind == "staff":
            user = authenticate(request, username=email, password=password)
            if user is None or not user.is_staff:
                return message("Invalid email or password.", status.HTTP_401_UNAUTHORIZED)
            if not _second_factor_given(two_factor.STAFF, user.pk, body["otp"]):
                return message(SECOND_FACTOR_NEEDED, status.HTTP_401_UNAUTHORIZED)
            return Response(jwt_pair(tenant=request.tenant, kind="staff", subject_id=user.pk))
        account = access.portal_account_authenticate(email=email, password=password)
        if account is None:
            return message("Invalid email or password.", status.HTTP_401_UNAUTHORIZED)
        if not _second_factor_given(two_factor.CLIENT, account.pk, body["otp"]):
            return message(SECOND_FACTOR_NEEDED, status.HTTP_401_UNAUTHORIZED)
        return Response(jwt_pair(tenant=request.tenant, kind="client", subject_id=account.pk))


SECOND_FACTOR_NEEDED = "This account uses two-factor sign-in: send the code from the app as “otp”."


def _second_factor_given(kind: str, holder_id: int, code: str) -> bool:
    factor = two_factor.second_factor_of(kind, holder_id)
    if factor is None:  # a passkey alone cannot be given here: no token without a second factor
        return not two_factor.has_second_factor(kind, holder_id)
    return bool(code and two_factor.second_factor_verify(factor=factor, code=code))


@marked("api-token-refresh")
class RefreshTokenView(PorticoAPIView):
    """A new access token for a refresh token of this office."""

    authentication_classes = []
    permission_classes = [AllowAny]

    class RefreshSerializer(serializers.Serializer):
        refresh = serializers.CharField()

    @extend_schema(
        operation_id="auth_token_refresh",
        summary="Refresh a JWT",
        request=RefreshSerializer,
        responses={200: inline_serializer("AccessToken", {"access": serializers.CharField()})},
        tags=["auth"],
        auth=[],
    )
    def post(self, request):
        from rest_framework_simplejwt.exceptions import TokenError
        from rest_framework_simplejwt.tokens import RefreshToken

        body = read_body(self.RefreshSerializer, request)
        try:
            check(request, "api-token-refresh")
        except SignInLimited as exc:
            return limited_answer(exc)
        try:
            refresh = RefreshToken(body["refresh"])
        except TokenError:
            return message("Invalid or expired token.", status.HTTP_401_UNAUTHORIZED)
        if not is_tenant_request(request) or refresh.get("tenant") != request.tenant.id:
            return message("This token belongs to another portal.", status.HTTP_401_UNAUTHORIZED)
        if not jwt_current(refresh):
            return message("Invalid or expired token.", status.HTTP_401_UNAUTHORIZED)
        return Response({"access": str(refresh.access_token)})


def limited_answer(exc: SignInLimited):
    """429 with Retry-After, or 503 while the attempt counters cannot be reached (fail closed)."""
    response = message(exc.api_message, exc.status)
    response["Retry-After"] = str(exc.retry_after)
    return response
