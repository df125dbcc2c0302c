"""A client's sign-in and security page: set up an authenticator app (QR code, a first code, then
ten recovery codes shown once), or turn it off when the office does not require it; add, name and
remove passkeys."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tenants.signin_policy import SignInLimited, check, marked

from . import passkeys, two_factor
from .audit import Actor, Kind, audit_record
from .client_auth import client_required, is_preview
from .devices import CLIENT, device_end, devices_of
from .models import Passkey, PortalConfig, SecondFactor
from .portal import portal_context


@client_required
@marked("client-second-factor")
def client_security(request):
    client = request.client
    config = portal_context(request)["config"]
    required = config.client_two_factor == PortalConfig.ClientTwoFactor.REQUIRE
    factor = two_factor.second_factor_of(two_factor.CLIENT, client.pk)
    context = {"factor": factor, "required": required, "setup": None, "recovery_codes": None, "error": ""}
    action = request.POST.get("action") if request.method == "POST" and not is_preview(request) else None
    if action:
        try:
            check(request, "client-second-factor", account=f"client:{client.pk}")
        except SignInLimited as exc:
            context["error"] = exc.message()
            action = None
    if action == "begin":
        context["setup"] = _setup(
            two_factor.totp_begin(kind=two_factor.CLIENT, holder_id=client.pk), client.email
        )
    elif action == "confirm":
        pending = (
            SecondFactor.objects.filter(
                holder_kind=two_factor.CLIENT, holder_id=client.pk, confirmed_at__isnull=True
            )
            .order_by("-pk")
            .first()
        )
        codes = pending and two_factor.totp_confirm(factor=pending, code=request.POST.get("code", ""))
        if codes:
            _audit(request, Kind.TWO_FACTOR_ON)
            context.update(
                factor=two_factor.second_factor_of(two_factor.CLIENT, client.pk), recovery_codes=codes
            )
        elif pending:
            context.update(
                setup=_setup(pending, client.email), error=_("That code is not right. Try the newest one.")
            )
    elif action == "remove" and factor and not required:
        if two_factor.second_factor_verify(factor=factor, code=request.POST.get("code", "")):
            two_factor.second_factor_remove(kind=two_factor.CLIENT, holder_id=client.pk)
            _audit(request, Kind.TWO_FACTOR_OFF)
            messages.success(request, _("Two-factor sign-in is off."))
            return redirect("portal:security")
        context["error"] = _("That code is not right.")
    context["devices"] = devices_of(request, kind=CLIENT, holder_id=client.pk)
    context["passkeys"] = passkeys.passkeys_of(two_factor.CLIENT, client.pk)
    return render(
        request, "portal_core/portal/security.html", portal_context(request, current="profile", **context)
    )


@client_required
@require_POST
def client_device_sign_out(request, pk: int):
    """End the client's session on another device (their list is on the security page)."""
    if is_preview(request) or not device_end(request, kind=CLIENT, holder_id=request.client.pk, device_id=pk):
        raise Http404("No such device")
    _audit(request, Kind.SESSION_ENDED)
    messages.success(request, _("That device is signed out."))
    return redirect("portal:security")


@require_POST
@client_required
@marked("client-passkey")
def passkey_options(request):
    """The options for a new passkey of the signed-in client."""
    client = request.client
    if is_preview(request):
        raise Http404
    try:
        check(request, "client-passkey")
    except SignInLimited as exc:
        return passkeys.limited(exc)
    config = portal_context(request)["config"]
    options = passkeys.registration_options(
        request,
        kind=two_factor.CLIENT,
        holder_id=client.pk,
        user_name=client.email,
        display_name=client.email,
        rp_name=config.company_name or config.portal_name,
    )
    return JsonResponse({"publicKey": options})


@require_POST
@client_required
@marked("client-passkey")
def passkey_add(request):
    client = request.client
    if is_preview(request):
        raise Http404
    body = passkeys.read_body(request)
    try:
        check(request, "client-passkey", account=f"client:{client.pk}")
        passkey = passkeys.registration_verify(
            request,
            kind=two_factor.CLIENT,
            holder_id=client.pk,
            credential=body.get("credential"),
            name=body.get("name") or "",
        )
    except SignInLimited as exc:
        return passkeys.limited(exc)
    except passkeys.PasskeyRefused:
        return passkeys.refused(_("That passkey could not be added. Please try again."))
    _audit(request, Kind.PASSKEY_ADDED, passkey=passkey.name)
    messages.success(request, _("Passkey “%(name)s” added.") % {"name": passkey.name})
    return JsonResponse({"redirect": reverse("portal:security")})


@require_POST
@client_required
def passkey_remove(request, pk):
    """Only the client's own passkeys: anyone else's is not found."""
    if is_preview(request):
        raise Http404
    passkey = get_object_or_404(Passkey, pk=pk, holder_kind=two_factor.CLIENT, holder_id=request.client.pk)
    name = passkey.name
    passkey.delete()
    _audit(request, Kind.PASSKEY_REMOVED, passkey=name)
    messages.success(request, _("Passkey “%(name)s” removed.") % {"name": name})
    return redirect("portal:security")


def _audit(request, kind: str, **data) -> None:
    client = request.client
    audit_record(
        kind=kind,
        request=request,
        actor_kind=Actor.CLIENT,
        actor_id=client.pk,
        actor_label=client.email,
        **data,
    )


def _setup(factor, label: str) -> dict:
    uri = two_factor.totp_uri(factor, label=label)
    return {"qr": two_factor.qr_svg(uri), "secret": two_factor.totp_secret_text(factor)}
