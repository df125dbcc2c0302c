"""How clients get in: sign-in, magic links, access links, invitations, password resets,
self-registration; and the platform host's shared sign-in link (seed 000)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from tenants.queue import enqueue
from tenants.signin_policy import SignInLimited, account_proven, check, marked

from . import access, passkeys, two_factor
from .audit import Actor as AuditActor
from .audit import Kind as AuditKind
from .audit import audit_record
from .client_auth import client_login, client_logout, is_preview
from .emails import supported_language
from .models import PortalToken
from .passwords import policy_rules
from .selectors import portal_config_get, welcome_text


class SignInForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("Email"))
    password = forms.CharField(label=gettext_lazy("Password"), strip=False, widget=forms.PasswordInput)


class EmailForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("Email"))


class NewPasswordForm(forms.Form):
    password = forms.CharField(
        label=gettext_lazy("New password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


class RegisterForm(forms.Form):
    first_name = forms.CharField(label=gettext_lazy("First name"), max_length=80)
    last_name = forms.CharField(label=gettext_lazy("Last name"), max_length=80, required=False)
    email = forms.EmailField(label=gettext_lazy("Email"))
    password = forms.CharField(
        label=gettext_lazy("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


class CodeForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("Verification code"), max_length=12)


def _too_many(request, template, context, exc: SignInLimited):
    if context.get("form") is not None:
        context["form"].add_error(None, exc.message())
    response = render(request, template, context, status=exc.status)
    response["Retry-After"] = str(exc.retry_after)
    return response


def _next_url(request, default="/"):
    target = request.POST.get("next") or request.GET.get("next") or default
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False):
        return target
    return default


def _after_sign_in(request, account, default="/"):
    if account.must_change_password or not account.has_usable_password():
        return redirect("portal:onboarding-password")
    if not account.onboarding_completed:
        return redirect("portal:onboarding")
    return redirect(_next_url(request, default))


CLIENT_PENDING = "_portal_two_factor_pending"


def _sign_in(request, account, *, via: str, default="/"):
    """The first factor is proven: sign in, unless the account has a second factor this device is
    not remembered for; then the sign-in waits for it on the two-factor page."""
    if two_factor.has_second_factor(two_factor.CLIENT, account.pk) and not two_factor.device_remembered(
        request, kind=two_factor.CLIENT, holder_id=account.pk
    ):
        request.session.cycle_key()
        request.session[CLIENT_PENDING] = {"id": account.pk, "via": via, "next": _next_url(request, default)}
        return redirect("portal:two-factor")
    _signed_in(request, account, via)
    return _after_sign_in(request, account, default)


def _signed_in(request, account, via: str) -> None:
    client_login(request, account, via=via)
    audit_record(
        kind=AuditKind.SIGN_IN,
        request=request,
        actor_kind=AuditActor.CLIENT,
        actor_id=account.pk,
        actor_label=account.email,
        way=via,
    )


@marked("client-second-factor")
@never_cache
def two_factor_challenge(request):
    account, pending = _pending_account(request)
    factor = account and two_factor.second_factor_of(two_factor.CLIENT, account.pk)
    has_passkey = bool(account) and passkeys.has_passkey(two_factor.CLIENT, account.pk)
    if not factor and not has_passkey:
        request.session.pop(CLIENT_PENDING, None)
        return redirect("portal:signin")
    form = CodeForm(request.POST or None)
    context = _context(request, form=form, factor=factor, has_passkey=has_passkey)
    if request.method == "POST" and factor and form.is_valid():
        try:
            check(request, "client-second-factor", account=f"client:{account.pk}")
        except SignInLimited as exc:
            return _too_many(request, "portal_core/auth/two_factor.html", context, exc)
        used = two_factor.second_factor_verify(factor=factor, code=form.cleaned_data["code"])
        if used:
            request.session.pop(CLIENT_PENDING, None)
            _signed_in(request, account, pending.get("via") or "password")
            if used == "recovery_code":
                audit_record(
                    kind=AuditKind.RECOVERY_CODE_USED,
                    request=request,
                    actor_kind=AuditActor.CLIENT,
                    actor_id=account.pk,
                    actor_label=account.email,
                )
                messages.warning(request, _("You used a recovery code. Each one works once."))
            response = _after_sign_in(request, account, pending.get("next") or "/")
            if request.POST.get("remember"):
                two_factor.remember_device(
                    response, kind=two_factor.CLIENT, holder_id=account.pk, secure=request.is_secure()
                )
            return response
        form.add_error(
            "code", _("That code is not right. Try the newest code in your app, or a recovery code.")
        )
    return render(request, "portal_core/auth/two_factor.html", context)


def _pending_account(request):
    pending = request.session.get(CLIENT_PENDING) or {}
    account = access.PortalAccount.objects.filter(pk=pending.get("id")).exclude(status="disabled").first()
    return account, pending


def _passkey_refused():
    return passkeys.refused(_("That passkey could not be used. Try again, or sign in another way."))


@require_POST
@marked("client-second-factor")
@never_cache
def two_factor_passkey_options(request):
    """The second factor with a passkey, for the client whose first factor was just proven."""
    account, _pending = _pending_account(request)
    if account is None:
        return _passkey_refused()
    try:
        check(request, "client-second-factor")
    except SignInLimited as exc:
        return passkeys.limited(exc)
    options = passkeys.authentication_options(
        request, purpose=passkeys.SECOND_FACTOR, kind=two_factor.CLIENT, holder_id=account.pk
    )
    return JsonResponse({"publicKey": options})


@require_POST
@marked("client-second-factor")
@never_cache
def two_factor_passkey(request):
    account, pending = _pending_account(request)
    if account is None:
        return _passkey_refused()
    body = passkeys.read_body(request)
    try:
        check(request, "client-second-factor", account=f"client:{account.pk}")
        passkeys.authentication_verify(
            request,
            purpose=passkeys.SECOND_FACTOR,
            kind=two_factor.CLIENT,
            holder_id=account.pk,
            credential=body.get("credential"),
        )
    except SignInLimited as exc:
        return passkeys.limited(exc)
    except passkeys.PasskeyRefused:
        return _passkey_refused()
    request.session.pop(CLIENT_PENDING, None)
    _signed_in(request, account, pending.get("via") or "password")
    response = JsonResponse(
        {"redirect": _after_sign_in(request, account, pending.get("next") or "/")["Location"]}
    )
    if body.get("remember"):
        two_factor.remember_device(
            response, kind=two_factor.CLIENT, holder_id=account.pk, secure=request.is_secure()
        )
    return response


@require_POST
@marked("client-passkey")
@never_cache
def passkey_signin_options(request):
    """Sign in with a passkey alone: the browser offers the ones it holds for this office."""
    if not portal_config_get().is_active:
        return _passkey_refused()
    try:
        check(request, "client-passkey")
    except SignInLimited as exc:
        return passkeys.limited(exc)
    options = passkeys.authentication_options(request, purpose=passkeys.SIGN_IN, kind=two_factor.CLIENT)
    return JsonResponse({"publicKey": options})


@require_POST
@marked("client-passkey")
@never_cache
def passkey_signin(request):
    """A discoverable passkey with user verification: both factors at once."""
    body = passkeys.read_body(request)
    credential = body.get("credential")
    name = str(credential.get("id", ""))[:200] if isinstance(credential, dict) else ""
    try:
        check(request, "client-passkey", account=f"passkey:{name}")
        passkey = passkeys.authentication_verify(
            request, purpose=passkeys.SIGN_IN, kind=two_factor.CLIENT, credential=credential
        )
        account = access.PortalAccount.objects.filter(pk=passkey.holder_id).first()
        if account is None or not account.is_usable or not portal_config_get().is_active:
            raise passkeys.PasskeyRefused
    except SignInLimited as exc:
        return passkeys.limited(exc)
    except passkeys.PasskeyRefused:
        audit_record(kind=AuditKind.SIGN_IN_FAILED, request=request, way="client passkey")
        return _passkey_refused()
    request.session.pop(CLIENT_PENDING, None)
    _signed_in(request, account, "passkey")
    target = str(body.get("next") or "/")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False):
        target = "/"
    return JsonResponse({"redirect": _after_sign_in(request, account, target)["Location"]})


def _context(request, **extra):
    config = portal_config_get()
    return {
        "config": config,
        "policy_rules": policy_rules(config.password_policy),
        "welcome": welcome_text(config),
        **extra,
    }


def _token_page(response):
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "no-store"
    return response


@marked("client-signin")
@never_cache
def signin(request):
    config = portal_config_get()
    if not config.is_active:
        return render(request, "portal_core/portal/inactive.html", {"config": config})
    form = SignInForm(request.POST or None)
    context = _context(request, form=form, next=_next_url(request))
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        try:
            check(request, "client-signin", account=email)
        except SignInLimited as exc:
            return _too_many(request, "portal_core/auth/signin.html", context, exc)
        account = access.portal_account_authenticate(email=email, password=form.cleaned_data["password"])
        if account is not None:
            return _sign_in(request, account, via="password")
        audit_record(kind=AuditKind.SIGN_IN_FAILED, request=request, actor_label=email, way="client password")
        form.add_error(None, _("Your email or password is not right. Please try again."))
    return render(request, "portal_core/auth/signin.html", context)


@marked("client-magic")
@never_cache
def magic_link_request(request):
    form = EmailForm(request.POST or None)
    context = _context(request, form=form)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        try:
            check(request, "client-magic", account=email)
        except SignInLimited as exc:
            return _too_many(request, "portal_core/auth/magic_request.html", context, exc)
        enqueue("portal_core.access.magic_links_for_email", email=email)
        context["sent"] = True
    return render(request, "portal_core/auth/magic_request.html", context)


PENDING_LINK = "_portal_pending_link"
LINK_KINDS = {
    # kind in the session: (token kind, page template, how the sign-in is recorded)
    "magic": (PortalToken.Kind.MAGIC_LINK, "portal_core/auth/magic.html", "magic_link"),
    "invite": (PortalToken.Kind.INVITATION, "portal_core/auth/invitation.html", "invitation"),
    "reset": (PortalToken.Kind.RESET, "portal_core/auth/reset.html", "password_reset"),
}


def _link_refused(request, exc: access.AccessError):
    page = render(
        request,
        "portal_core/auth/link_invalid.html",
        _context(request, message=_(exc.message), form=EmailForm()),
        status=400,
    )
    return _token_page(page)


def _link_limited(request, exc: SignInLimited):
    response = render(
        request,
        "portal_core/auth/link_invalid.html",
        _context(request, message=exc.message(), form=EmailForm()),
        status=exc.status,
    )
    response["Retry-After"] = str(exc.retry_after)
    return response


def _hold_link(request, kind: str, token: str):
    """A single-use link's URL keeps only the token's hash in the session and moves on to a page
    without the token. That page's form then posts with a normal Origin (a page served with
    ``Referrer-Policy: no-referrer`` would post ``Origin: null``, which CSRF protection refuses),
    and a mail scanner that follows the link uses nothing."""
    try:
        check(request, "client-link")
    except SignInLimited as exc:
        return _token_page(_link_limited(request, exc))
    request.session[PENDING_LINK] = {"kind": kind, "digest": access.link_digest(token[:200])}
    return _token_page(redirect("portal:link"))


@marked("client-link")
@never_cache
def magic_link(request, token):
    return _hold_link(request, "magic", token)


@marked("client-link")
@never_cache
def invitation(request, token):
    return _hold_link(request, "invite", token)


@marked("client-link")
@never_cache
def reset_password(request, token):
    return _hold_link(request, "reset", token)


def _use_link(kind: str, digest: str, form):
    if kind == "reset":
        account = access.password_reset_complete(digest=digest, password=form.cleaned_data["password"])
        return account
    if kind == "magic":
        return access.magic_link_consume(digest=digest)
    return access.invitation_accept(digest=digest)


@marked("client-link")
@never_cache
def pending_link(request):
    """Show, then (on POST) use, the single-use link held in the session."""
    pending = request.session.get(PENDING_LINK) or {}
    kind = pending.get("kind")
    if kind not in LINK_KINDS:
        return redirect("portal:signin")
    token_kind, template, via = LINK_KINDS[kind]
    form = NewPasswordForm(request.POST or None) if kind == "reset" else None
    try:
        invitee = access.link_check(kind=token_kind, digest=pending["digest"])
        # A page reached from an email speaks the language the email was written in: the client's.
        language = supported_language(invitee.language)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        if request.method == "POST" and (form is None or form.is_valid()):
            check(request, "client-link")
            account = _use_link(kind, pending["digest"], form)
            if kind in ("magic", "reset"):
                account_proven(account.email)
            request.session.pop(PENDING_LINK, None)
            if kind == "reset":
                messages.success(request, _("Your new password is set."))
            return _sign_in(request, account, via=via)
    except access.AccessError as exc:
        request.session.pop(PENDING_LINK, None)
        return _link_refused(request, exc)
    except SignInLimited as exc:
        return _link_limited(request, exc)
    except ValidationError as exc:
        form.add_error("password", exc)
    response = render(request, template, _context(request, form=form))
    response["Cache-Control"] = "no-store"  # no token in this URL: the default referrer policy is fine
    return response


@marked("client-access-link")
@never_cache
def access_link(request, token):
    """A reusable portal access link (seed 002): opening it signs the client in."""
    try:
        check(request, "client-access-link")
    except SignInLimited as exc:
        return _token_page(_link_limited(request, exc))
    try:
        account = access.access_token_consume(raw=token)
    except access.AccessError as exc:
        return _link_refused(request, exc)
    return _token_page(_sign_in(request, account, via="access_token"))


@marked("client-forgot")
@never_cache
def forgot_password(request):
    form = EmailForm(request.POST or None)
    context = _context(request, form=form)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        try:
            check(request, "client-forgot", account=email)
        except SignInLimited as exc:
            return _too_many(request, "portal_core/auth/forgot.html", context, exc)
        enqueue("portal_core.access.password_reset_request", email=email)
        context["sent"] = True
    return render(request, "portal_core/auth/forgot.html", context)


REGISTRATION_SESSION = "_portal_registration_id"


@marked("client-register")
@never_cache
def register(request):
    config = portal_config_get()
    if not config.is_active:
        return render(request, "portal_core/portal/inactive.html", {"config": config})
    form = RegisterForm(request.POST or None)
    context = _context(request, form=form)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            check(request, "client-register", account=data["email"])
        except SignInLimited as exc:
            return _too_many(request, "portal_core/auth/register.html", context, exc)
        try:
            pending = access.registration_start(
                email=data["email"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                password=data["password"],
                language=supported_language(request.LANGUAGE_CODE),
            )
        except ValidationError as exc:
            form.add_error("password", exc)
        else:
            request.session[REGISTRATION_SESSION] = pending.pk
            return redirect("portal:register-verify")
    return render(request, "portal_core/auth/register.html", context)


@marked("client-register-code")
@never_cache
def register_verify(request):
    pending_id = request.session.get(REGISTRATION_SESSION)
    if not pending_id:
        return redirect("portal:register")
    form = CodeForm(request.POST or None)
    context = _context(request, form=form)
    if request.method == "POST" and form.is_valid():
        try:
            check(request, "client-register-code", account=str(pending_id))
        except SignInLimited as exc:
            return _too_many(request, "portal_core/auth/register_verify.html", context, exc)
        try:
            account = access.registration_verify(request_id=pending_id, code=form.cleaned_data["code"])
        except access.AccessError as exc:
            form.add_error("code", _(exc.message))
        else:
            request.session.pop(REGISTRATION_SESSION, None)
            return _sign_in(request, account, via="self_registration")
    return render(request, "portal_core/auth/register_verify.html", context)


@require_POST
def logout(request):
    if is_preview(request):  # a staff member ends the preview, not their own session
        from .office import preview_finish

        return preview_finish(request)
    client_logout(request)
    return redirect("portal:signin")
