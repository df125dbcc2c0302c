"""Sign-in and security for staff: the second-factor challenge after the password (a code or a
passkey), signing in with a passkey alone, and the page where a staff member sets up (or removes)
an authenticator app and passkeys."""

from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from tenants.signin_policy import SignInLimited, check, marked

from .. import passkeys, two_factor
from ..audit import Actor, Kind, audit_record
from ..devices import STAFF, devices_of
from ..models import Passkey
from .pages import STAFF_PENDING
from .shell import render_office, staff_required

PASSKEY_REFUSED = "That passkey could not be used. Try again, or sign in another way."


@marked("office-second-factor")
@never_cache
def challenge(request):
    """The second factor after a good password: an authenticator code or a recovery code."""
    user, pending = _pending_user(request)
    factor = user and two_factor.second_factor_of(two_factor.STAFF, user.pk)
    has_passkey = bool(user) and passkeys.has_passkey(two_factor.STAFF, user.pk)
    if not factor and not has_passkey:
        request.session.pop(STAFF_PENDING, None)
        return redirect("office:login")
    error, status = "", 200
    if request.method == "POST" and factor:
        try:
            check(request, "office-second-factor", account=f"staff:{user.pk}")
        except SignInLimited as exc:
            error, status = exc.message(), exc.status
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
        {"error": error, "config": portal_config_get(), "factor": factor, "has_passkey": has_passkey},
        status=status,
    )
    if status in (429, 503):
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
    context["passkeys"] = passkeys.passkeys_of(two_factor.STAFF, user.pk)
    return render_office(request, "portal_core/office/security.html", context)


def _setup(factor, label: str) -> dict:
    uri = two_factor.totp_uri(factor, label=label)
    return {"qr": two_factor.qr_svg(uri), "secret": two_factor.totp_secret_text(factor)}


def _pending_user(request):
    pending = request.session.get(STAFF_PENDING) or {}
    user = get_user_model().objects.filter(pk=pending.get("id"), is_active=True, is_staff=True).first()
    return user, pending


def _safe_next(request, target) -> str:
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return reverse("office:home")


# --- passkeys -------------------------------------------------------------------------------------


@require_POST
@staff_required
@marked("office-passkey")
def passkey_options(request):
    """The options for a new passkey of the signed-in staff member."""
    user = request.user
    try:
        check(request, "office-passkey")
    except SignInLimited as exc:
        return passkeys.limited(exc)
    from ..selectors import portal_config_get

    config = portal_config_get()
    options = passkeys.registration_options(
        request,
        kind=two_factor.STAFF,
        holder_id=user.pk,
        user_name=user.email,
        display_name=user.get_full_name() or user.email,
        rp_name=config.company_name or request.tenant.name,
    )
    return JsonResponse({"publicKey": options})


@require_POST
@staff_required
@marked("office-passkey")
def passkey_add(request):
    user = request.user
    body = passkeys.read_body(request)
    try:
        check(request, "office-passkey", account=f"staff:{user.pk}")
        passkey = passkeys.registration_verify(
            request,
            kind=two_factor.STAFF,
            holder_id=user.pk,
            credential=body.get("credential"),
            name=body.get("name") or "",
        )
    except SignInLimited as exc:
        return passkeys.limited(exc)
    except passkeys.PasskeyRefused:
        return passkeys.refused("That passkey could not be added. Please try again.")
    audit_record(kind=Kind.PASSKEY_ADDED, request=request, passkey=passkey.name)
    messages.success(request, f"Passkey “{passkey.name}” added.")
    return JsonResponse({"redirect": reverse("office:security")})


@require_POST
@staff_required
def passkey_remove(request, pk):
    """Only the staff member's own passkeys: anyone else's is not found."""
    passkey = get_object_or_404(Passkey, pk=pk, holder_kind=two_factor.STAFF, holder_id=request.user.pk)
    name = passkey.name
    passkey.delete()
    audit_record(kind=Kind.PASSKEY_REMOVED, request=request, passkey=name)
    messages.success(request, f"Passkey “{name}” removed.")
    return redirect("office:security")


@require_POST
@marked("office-passkey")
@never_cache
def passkey_signin_options(request):
    """Sign in with a passkey alone: the browser offers the ones it holds for this office."""
    try:
        check(request, "office-passkey")
    except SignInLimited as exc:
        return passkeys.limited(exc)
    return JsonResponse(
        {
            "publicKey": passkeys.authentication_options(
                request, purpose=passkeys.SIGN_IN, kind=two_factor.STAFF
            )
        }
    )


@require_POST
@marked("office-passkey")
@never_cache
def passkey_signin(request):
    body = passkeys.read_body(request)
    credential = body.get("credential")
    account = str(credential.get("id", ""))[:200] if isinstance(credential, dict) else ""
    try:
        check(request, "office-passkey", account=f"passkey:{account}")
        passkey = passkeys.authentication_verify(
            request, purpose=passkeys.SIGN_IN, kind=two_factor.STAFF, credential=credential
        )
        user = get_user_model().objects.filter(pk=passkey.holder_id, is_active=True, is_staff=True).first()
        if user is None:
            raise passkeys.PasskeyRefused
    except SignInLimited as exc:
        return passkeys.limited(exc)
    except passkeys.PasskeyRefused:
        audit_record(
            kind=Kind.SIGN_IN_FAILED, request=request, actor_kind=Actor.ANONYMOUS, way="office passkey"
        )
        return passkeys.refused(PASSKEY_REFUSED)
    request.session.pop(STAFF_PENDING, None)
    login(request, user, backend="tenants.auth.EmailBackend")
    return JsonResponse({"redirect": _safe_next(request, body.get("next"))})


@require_POST
@marked("office-second-factor")
@never_cache
def challenge_passkey_options(request):
    """The second factor with a passkey, for the staff member whose password was just proven."""
    user, _pending = _pending_user(request)
    if user is None:
        return passkeys.refused(PASSKEY_REFUSED)
    try:
        check(request, "office-second-factor")
    except SignInLimited as exc:
        return passkeys.limited(exc)
    options = passkeys.authentication_options(
        request, purpose=passkeys.SECOND_FACTOR, kind=two_factor.STAFF, holder_id=user.pk
    )
    return JsonResponse({"publicKey": options})


@require_POST
@marked("office-second-factor")
@never_cache
def challenge_passkey(request):
    user, pending = _pending_user(request)
    if user is None:
        return passkeys.refused(PASSKEY_REFUSED)
    body = passkeys.read_body(request)
    try:
        check(request, "office-second-factor", account=f"staff:{user.pk}")
        passkeys.authentication_verify(
            request,
            purpose=passkeys.SECOND_FACTOR,
            kind=two_factor.STAFF,
            holder_id=user.pk,
            credential=body.get("credential"),
        )
    except SignInLimited as exc:
        return passkeys.limited(exc)
    except passkeys.PasskeyRefused:
        return passkeys.refused(PASSKEY_REFUSED)
    request.session.pop(STAFF_PENDING, None)
    login(request, user, backend="tenants.auth.EmailBackend")
    response = JsonResponse({"redirect": _safe_next(request, pending.get("next"))})
    if body.get("remember"):
        two_factor.remember_device(
            response, kind=two_factor.STAFF, holder_id=user.pk, secure=request.is_secure()
        )
    return response


urlpatterns = [
    path("two-factor/", challenge, name="two-factor"),
    path("two-factor/passkey/options", challenge_passkey_options, name="two-factor-passkey-options"),
    path("two-factor/passkey", challenge_passkey, name="two-factor-passkey"),
    path("passkey/options", passkey_signin_options, name="passkey-signin-options"),
    path("passkey/signin", passkey_signin, name="passkey-signin"),
    path("security/", security, name="security"),
    path("security/passkeys/options", passkey_options, name="passkey-options"),
    path("security/passkeys/add", passkey_add, name="passkey-add"),
    path("security/passkeys/<int:pk>/remove", passkey_remove, name="passkey-remove"),
]
