"""Client sessions. Clients are portal accounts, not Django users, so they get their own session
keys; the session also holds a keyed digest of the password hash, so a password change (or an
office reset) signs the client out everywhere."""

from __future__ import annotations

import hashlib
import hmac
from functools import wraps

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from tenants import credentials

from .access import client_signed_in
from .models import PortalAccount

SESSION_ACCOUNT = "_portal_account_id"
SESSION_DIGEST = "_portal_account_digest"
SESSION_PREVIEW = "_portal_preview_account_id"
SESSION_GENERATION = "_portal_account_generation"


def _digest(account: PortalAccount) -> str:
    key = f"portico:client-session:{settings.SECRET_KEY}".encode()
    return hmac.new(key, (account.password or "-").encode(), hashlib.sha256).hexdigest()


def client_login(request, account: PortalAccount, *, via: str) -> None:
    """Start a client session (a new session key, against fixation) and record the sign-in."""
    request.session.cycle_key()
    request.session[SESSION_ACCOUNT] = account.pk
    request.session[SESSION_DIGEST] = _digest(account)
    request.session[SESSION_GENERATION] = credentials.current(credentials.CLIENT, account.pk)
    request.session.pop(SESSION_PREVIEW, None)
    client_signed_in(account=account, via=via)
    request.client = account
    if getattr(account, "language", None):
        request.session["_language"] = account.language


def client_refresh_session(request, account: PortalAccount) -> None:
    """After the client changed their own password: keep this session, end the others."""
    request.session.cycle_key()
    request.session[SESSION_DIGEST] = _digest(account)
    request.session[SESSION_GENERATION] = credentials.current(credentials.CLIENT, account.pk)


def client_sign_out_everywhere(request, account: PortalAccount) -> None:
    """End every session and JWT of this client; this session carries on."""
    credentials.bump(credentials.CLIENT, account.pk)
    client_refresh_session(request, account)


def client_logout(request) -> None:
    request.session.flush()
    request.client = None


def _client_from_session(request) -> PortalAccount | None:
    preview_id = request.session.get(SESSION_PREVIEW)
    if (
        preview_id
        and getattr(request, "user", None) is not None
        and request.user.is_authenticated
        and request.user.is_staff
    ):
        return PortalAccount.objects.select_related("contact", "company").filter(pk=preview_id).first()
    account_id = request.session.get(SESSION_ACCOUNT)
    if not account_id:
        return None
    if not credentials.is_current(credentials.CLIENT, account_id, request.session.get(SESSION_GENERATION)):
        return None
    account = PortalAccount.objects.select_related("contact", "company").filter(pk=account_id).first()
    if account is None or not account.is_usable:
        return None
    if not hmac.compare_digest(request.session.get(SESSION_DIGEST, ""), _digest(account)):
        return None
    return account


def is_preview(request) -> bool:
    return (
        bool(request.session.get(SESSION_PREVIEW)) and request.user.is_authenticated and request.user.is_staff
    )


class ClientMiddleware:
    """``request.client``: the signed-in portal account (or the one a staff member previews).
    A preview is read-only: the portal refuses every change made during it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from tenants.routing import is_tenant_request

        request.client = None
        if is_tenant_request(request) and settings.SESSION_COOKIE_NAME in request.COOKIES:
            request.client = SimpleLazyObject(lambda: _client_from_session(request))
            if (
                request.method == "POST"
                and not request.path.startswith(("/office/", "/api/", "/auth/logout"))
                and is_preview(request)
            ):
                from django.contrib import messages
                from django.utils.translation import gettext as _

                messages.warning(request, _("This is a preview: nothing can be changed."))
                return redirect(request.path)
        return self.get_response(request)


def _two_factor_missing(client, config) -> bool:
    from .two_factor import CLIENT, has_second_factor

    return config.client_two_factor == "require" and not has_second_factor(CLIENT, client.pk)


# where a client who must set up two-factor sign-in can still go
SECURITY_PAGES = ("security", "passkey-options", "passkey-add", "passkey-remove")


def client_required(view):
    """A signed-in client of an active portal; someone who must set a password goes there first."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        from .selectors import portal_config_get, portal_facts

        if not portal_facts().is_active and not is_preview(request):
            from django.shortcuts import render

            return render(request, "portal_core/portal/inactive.html", {"config": portal_config_get()})
        client = getattr(request, "client", None)
        if not client:
            return redirect(f"{reverse('portal:signin')}?next={request.get_full_path()}")
        if client.must_change_password or not client.has_usable_password():
            if not is_preview(request) and request.resolver_match.url_name != "onboarding-password":
                return redirect("portal:onboarding-password")
        elif (
            not is_preview(request)
            and request.resolver_match.url_name not in SECURITY_PAGES
            and _two_factor_missing(client, portal_config_get())
        ):
            return redirect("portal:security")
        return view(request, *args, **kwargs)

    return wrapper
