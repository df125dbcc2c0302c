"""Who calls the API: a tenant API key (it alone names its tenant, so it also works on the
platform host) or a JWT issued to a staff user or a portal account, bound to its tenant."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from tenants import credentials
from tenants.routing import is_tenant_request
from tenants.tokens import token_hash

API_KEY_PURPOSE = "api-key"


@dataclass
class ApiCaller:
    """What ``request.user`` is for API requests."""

    kind: str  # "api_key", "staff" or "client"
    tenant_id: int
    token_id: str  # what rate limits count against
    scopes: tuple[str, ...] = ("read", "write")
    staff_user: object = None
    portal_account: object = None
    label: str = ""

    is_authenticated = True
    is_anonymous = False

    def __str__(self) -> str:
        return self.label


def _bearer(request) -> str | None:
    header = get_authorization_header(request).split()
    if not header or header[0].lower() != b"bearer":
        return None
    if len(header) != 2:
        raise exceptions.AuthenticationFailed("Invalid Authorization header: use “Bearer <token>”.")
    try:
        return header[1].decode()
    except UnicodeError as exc:
        raise exceptions.AuthenticationFailed("Invalid token.") from exc


def enter_tenant(request, tenant) -> None:
    """The caller's tenant (a cached route's, with its ``primary_domain``) becomes current. On a
    tenant's own host it must be that tenant; on the platform host the token alone decides (an API
    key names exactly one tenant)."""
    if is_tenant_request(request):
        if request.tenant.id != tenant.id:
            raise exceptions.AuthenticationFailed("This token belongs to another portal.")
        return
    if tenant.status != "active":
        raise exceptions.PermissionDenied("This portal is suspended.")
    request._request.tenant = tenant
    connection.set_tenant(tenant)


class ApiKeyAuthentication(BaseAuthentication):
    """``Authorization: Bearer pk_xxxxxxxx.<secret>``: a tenant's API key."""

    def authenticate(self, request):
        raw = _bearer(request)
        if raw is None or not raw.startswith("pk_"):
            return None
        from tenants.grants import key_grants

        grant = key_grants.get(token_hash(raw[:200], purpose=API_KEY_PURPOSE))
        if grant is None or not grant.is_active:
            raise exceptions.AuthenticationFailed("Invalid or revoked API key.")
        if grant.route.status != "active":
            raise exceptions.PermissionDenied("This portal is suspended.")
        enter_tenant(request, grant.route.tenant)
        grant.touch()
        caller = ApiCaller(
            kind="api_key",
            tenant_id=grant.route.tenant_id,
            token_id=f"key:{grant.prefix}",
            scopes=grant.scopes,
            label=grant.prefix,
        )
        return caller, grant

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


# --- JWT for staff users and portal accounts ------------------------------------------------------


def _generation_kind(kind: str) -> str:
    return credentials.CLIENT if kind == "client" else credentials.USER


def jwt_current(token) -> bool:
    """Whether a JWT (access or refresh) was issued after its holder's credentials last ended."""
    kind, subject = token.get("kind"), token.get("sub_id")
    if kind not in ("staff", "client") or not isinstance(subject, int):
        return False
    return credentials.is_current(_generation_kind(kind), subject, token.get("gen"))


def jwt_pair(*, tenant, kind: str, subject_id: int) -> dict[str, str]:
    """An access and a refresh token for a staff user (``staff``) or portal account (``client``)."""
    from rest_framework_simplejwt.tokens import RefreshToken

    refresh = RefreshToken()
    refresh["tenant"] = tenant.id
    refresh["kind"] = kind
    refresh["sub_id"] = subject_id
    # the credentials generation it was issued under: checked without a query on a warm cache
    refresh["gen"] = credentials.current(_generation_kind(kind), subject_id)
    return {"access": str(refresh.access_token), "refresh": str(refresh)}


class TenantJWTAuthentication(BaseAuthentication):
    """``Authorization: Bearer <JWT>``, refused on any tenant but the one it was issued for."""

    def authenticate(self, request):
        raw = _bearer(request)
        if raw is None or raw.startswith("pk_"):
            return None
        from rest_framework_simplejwt.exceptions import TokenError
        from rest_framework_simplejwt.tokens import AccessToken

        try:
            token = AccessToken(raw)
        except TokenError as exc:
            raise exceptions.AuthenticationFailed("Invalid or expired token.") from exc
        from tenants.routing import tenant_routes

        route = tenant_routes.get(token.get("tenant"))
        if route is None:
            raise exceptions.AuthenticationFailed("Invalid or expired token.")
        tenant = route.tenant
        enter_tenant(request, tenant)
        if not jwt_current(token):
            raise exceptions.AuthenticationFailed("Invalid or expired token.")
        kind, subject = token.get("kind"), token.get("sub_id")
        if kind == "staff":
            from django.contrib.auth import get_user_model

            user = get_user_model().objects.filter(pk=subject, is_active=True, is_staff=True).first()
            if user is None:
                raise exceptions.AuthenticationFailed("Invalid or expired token.")
            return ApiCaller(
                kind="staff",
                tenant_id=tenant.id,
                token_id=f"jwt:{token.get('jti')}",
                staff_user=user,
                label=user.email,
            ), token
        if kind == "client":
            from portal_core.models import PortalAccount

            account = PortalAccount.objects.filter(pk=subject).exclude(status="disabled").first()
            if account is None:
                raise exceptions.AuthenticationFailed("Invalid or expired token.")
            return ApiCaller(
                kind="client",
                tenant_id=tenant.id,
                token_id=f"jwt:{token.get('jti')}",
                scopes=("read",),
                portal_account=account,
                label=account.email,
            ), token
        raise exceptions.AuthenticationFailed("Invalid or expired token.")

    def authenticate_header(self, request):
        return 'Bearer realm="api"'
