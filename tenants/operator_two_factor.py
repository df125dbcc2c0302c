"""Two-factor sign-in for the platform's operators. After the password, the operators' console
asks for a code from an authenticator app (or a recovery code); an operator without one sets it up
before any console page opens. ``PORTICO_OPERATOR_TWO_FACTOR`` (on by default) requires it."""

from __future__ import annotations

import logging
from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache

from . import totp
from .models import OperatorSecondFactor
from .signin_policy import SignInLimited, check, limited_response, marked

logger = logging.getLogger("portico.security")

SESSION_VERIFIED = "_portico_operator_verified"


def _is_operator(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.is_staff)


def verified(request) -> bool:
    """The signed-in operator gave their second factor in this session (or none is required)."""
    if not settings.PORTICO_OPERATOR_TWO_FACTOR:
        return True
    return request.session.get(SESSION_VERIFIED) == request.user.pk


def _mark_verified(request) -> None:
    request.session.cycle_key()
    request.session[SESSION_VERIFIED] = request.user.pk


def _asked_next(request) -> str:
    return request.POST.get("next") or request.GET.get("next") or ""


def _next(request) -> str:
    target = _asked_next(request)
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("admin:index")


def _challenge_url(request) -> str:
    target = _asked_next(request)
    url = reverse("operator-two-factor")
    return f"{url}?{urlencode({'next': target})}" if target else url


def protect(site) -> None:
    """Every console page needs the second factor: the site's permission check asks for it, and
    its login sends an operator who proved their password on to the code."""
    has_permission = site.has_permission
    login = site.login

    def has_permission_and_factor(request):
        return has_permission(request) and verified(request)

    @wraps(login)
    def login_then_factor(request, extra_context=None):
        if _is_operator(request.user) and not verified(request):
            return redirect(_challenge_url(request))
        response = login(request, extra_context)
        if request.method == "POST" and _is_operator(request.user) and not verified(request):
            return redirect(_challenge_url(request))
        return response

    site.has_permission = has_permission_and_factor
    site.login = login_then_factor


@marked("admin-second-factor")
@never_cache
def challenge(request):
    """The code after the password, or setting up the app when the operator has none yet."""
    user = request.user
    if not _is_operator(user):
        return redirect("admin:login")
    if verified(request):
        return redirect(_next(request))
    action = request.POST.get("action") if request.method == "POST" else None
    if action == "cancel":
        logout(request)
        return redirect("admin:login")

    if action in ("verify", "confirm"):  # a code was given: counted like every way in
        try:
            check(request, "admin-second-factor", account=f"operator:{user.pk}")
        except SignInLimited as exc:
            return limited_response(request, exc)

    factor = OperatorSecondFactor.objects.filter(user=user).first()
    if factor is None or factor.confirmed_at is None:
        return _set_up(request, factor, action)

    context = {"mode": "challenge", "next": request.GET.get("next", ""), "error": ""}
    if action == "verify":
        used = totp.verify(factor, request.POST.get("code", ""))
        if used:
            _mark_verified(request)
            logger.info("operator %s signed in with %s", user.pk, used)
            if used == "recovery_code":
                left = len(OperatorSecondFactor.objects.get(pk=factor.pk).recovery_codes)
                messages.warning(request, f"You used a recovery code; {left} left.")
            return redirect(_next(request))
        context["error"] = "That code is not right."
    return render(request, "tenants/operator_two_factor.html", _page(context), status=400 if action else 200)


def _set_up(request, factor, action):
    if factor is None:
        factor = OperatorSecondFactor.objects.create(user=request.user, totp_secret=totp.new_secret())
    context = {"mode": "setup", "next": request.GET.get("next", ""), "error": ""}
    if action == "confirm":
        codes = totp.confirm(factor, request.POST.get("code", ""))
        if codes:
            _mark_verified(request)
            logger.info("operator %s set up two-factor sign-in", request.user.pk)
            context = {"mode": "codes", "codes": codes, "continue_url": _next(request)}
            return render(request, "tenants/operator_two_factor.html", _page(context))
        context["error"] = "That code is not right. Check the time on your phone and try again."
    label = request.user.get_username()
    context["qr"] = totp.qr_svg(totp.uri(factor, label=f"operations:{label}"))
    context["secret"] = totp.secret_text(factor)
    return render(request, "tenants/operator_two_factor.html", _page(context), status=400 if action else 200)


def _page(context: dict) -> dict:
    titles = {
        "setup": "Set up two-factor sign-in",
        "challenge": "Two-factor sign-in",
        "codes": "Your recovery codes",
    }
    return {**context, "title": titles[context["mode"]], "site_header": "Portico operations"}
