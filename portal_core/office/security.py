"""Sign-in and security for staff: the second-factor challenge after the password, and the page
where a staff member sets up (or removes) an authenticator app and gets recovery codes."""

from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.cache import never_cache

from tenants.signin_policy import SignInLimited, check, marked

from .. import two_factor
from ..audit import Kind, audit_record
from ..devices import STAFF, devices_of
from .pages import STAFF_PENDING
from .shell import render_office, staff_required


@marked("office-second-factor")
@never_cache
def challenge(request):
    """The second factor after a good password: an authenticator code or a recovery code."""
    pending = request.session.get(STAFF_PENDING) or {}
    user = get_user_model().objects.filter(pk=pending.get("id"), is_active=True, is_staff=True).first()
    factor = user and two_factor.second_factor_of(two_factor.STAFF, user.pk)
    if not factor:
        request.session.pop(STAFF_PENDING, None)
        return redirect("office:login")
    error, status = "", 200
    if request.method == "POST":
        try:
            check(request, "office-second-factor", account=f"staff:{user.pk}")
        except SignInLimited as exc:
            error, status = exc.message(), 429
        else:
            used = two_factor.second_factor_verify(factor=factor, code=request.POST.get("code", ""))
            if used:
                request.session.pop(STAFF_PENDING, None)
                login(request, user, backend="tenants.auth.EmailBackend")
                if used == "recovery_code":
                    audit_record(kind=Kind.RECOVERY_CODE_USED, request=request)
                    messages.warning(request, "You used a recovery code. Each one works once.")
                response = redirect(pending.get("next") or "office:home")
                if request.POST.get("remember"):
                    two_factor.remember_device(
                        response, kind=two_factor.STAFF, holder_id=user.pk, secure=request.is_secure()
                    )
                return response
            error = "That code is not right. Try the newest code in your app, or a recovery code."
    from ..selectors import portal_config_get

    response = render(
        request,
        "portal_core/office/two_factor.html",
        {"error": error, "config": portal_config_get()},
        status=status,
    )
    if status == 429:
        response["Retry-After"] = "60"
    return response


@staff_required
@marked("office-second-factor")
def security(request):
    """Set up an authenticator app (QR code, then a first code), see it is on, or remove it."""
    user = request.user
    factor = two_factor.second_factor_of(two_factor.STAFF, user.pk)
    context = {"factor": factor, "recovery_codes": None, "setup": None, "error": ""}
    action = request.POST.get("action") if request.method == "POST" else None
    if action:
        try:
            check(request, "office-second-factor", account=f"staff:{user.pk}")
        except SignInLimited as exc:
            context["error"] = exc.message()
            action = None
    if action == "begin":
        pending = two_factor.totp_begin(kind=two_factor.STAFF, holder_id=user.pk)
        context["setup"] = _setup(pending, user.email)
    elif action == "confirm":
        pending = (
            two_factor.SecondFactor.objects.filter(
                holder_kind=two_factor.STAFF, holder_id=user.pk, confirmed_at__isnull=True
            )
            .order_by("-pk")
            .first()
        )
        codes = pending and two_factor.totp_confirm(factor=pending, code=request.POST.get("code", ""))
        if codes:
            audit_record(kind=Kind.TWO_FACTOR_ON, request=request)
            context.update(
                factor=two_factor.second_factor_of(two_factor.STAFF, user.pk), recovery_codes=codes
            )
        elif pending:
            context.update(
                setup=_setup(pending, user.email), error="That code is not right. Try the newest one."
            )
    elif action == "remove" and factor:
        if two_factor.second_factor_verify(factor=factor, code=request.POST.get("code", "")):
            two_factor.second_factor_remove(kind=two_factor.STAFF, holder_id=user.pk)
            audit_record(kind=Kind.TWO_FACTOR_OFF, request=request)
            messages.success(request, "Two-factor sign-in is off.")
            return redirect("office:security")
        context["error"] = "That code is not right."
    from ..selectors import portal_config_get

    context["required"] = portal_config_get().staff_two_factor_required
    context["devices"] = devices_of(request, kind=STAFF, holder_id=user.pk)
    return render_office(request, "portal_core/office/security.html", context)


def _setup(factor, label: str) -> dict:
    uri = two_factor.totp_uri(factor, label=label)
    return {"qr": two_factor.qr_svg(uri), "secret": two_factor.totp_secret_text(factor)}


urlpatterns = [
    path("two-factor/", challenge, name="two-factor"),
    path("security/", security, name="security"),
]
