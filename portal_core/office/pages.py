"""The office console's own pages: sign-in, home, portal and email settings, modules, API keys, and
previewing the portal as a client."""

from datetime import timedelta
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth import get_user_model, login, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordChangeForm, PasswordResetForm
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.urls import path, reverse, reverse_lazy
from django.utils import timezone, translation
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from modules.registry import registry
from tenants import credentials
from tenants.mail import Button, email_send
from tenants.models import ApiKey, Plan
from tenants.services import api_key_create, api_key_revoke, login_handoff_consume
from tenants.signin_policy import SignInLimited, check, guarded, limited_response, marked

from .. import two_factor
from ..activity import activity_record
from ..audit import Actor, Kind, audit_record
from ..checklist import setup_checklist
from ..client_auth import SESSION_PREVIEW
from ..forms import ApiKeyForm, EmailSettingsForm, PortalSettingsForm, StaffProfileForm
from ..models import ActivityEntry, PortalAccount
from ..selectors import enabled_modules, portal_config_get
from ..services import module_disable, module_enable, portal_config_update
from .dashboard import dashboard_context
from .shell import render_office, staff_required

STAFF_PENDING = "_office_two_factor_pending"


class OfficeLoginView(auth_views.LoginView):
    template_name = "portal_core/office/login.html"
    redirect_authenticated_user = True
    signin_policy = "office-login"

    def post(self, request, *args, **kwargs):
        try:
            check(request, self.signin_policy, account=request.POST.get("username", "")[:254])
        except SignInLimited as exc:
            response = self.render_to_response(
                self.get_context_data(form=self.get_form(), limited=exc.message()), status=exc.status
            )
            response["Retry-After"] = str(exc.retry_after)
            return response
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        """A staff member with a second factor gives it before the sign-in happens."""
        user = form.get_user()
        if two_factor.has_second_factor(two_factor.STAFF, user.pk) and not two_factor.device_remembered(
            self.request, kind=two_factor.STAFF, holder_id=user.pk
        ):
            self.request.session[STAFF_PENDING] = {"id": user.pk, "next": self.get_success_url()}
            return redirect("office:two-factor")
        return super().form_valid(form)

    def get_success_url(self):
        return self.get_redirect_url() or reverse("office:home")


@marked("office-welcome")
@never_cache
def welcome(request, token):
    try:
        check(request, "office-welcome")
    except SignInLimited as exc:
        return limited_response(request, exc)
    user_id = login_handoff_consume(tenant=request.tenant, token=token)
    if user_id is None:
        messages.error(request, "That sign-in link has expired or was already used. Please sign in.")
        return redirect("office:login")
    user = get_object_or_404(get_user_model(), pk=user_id, is_active=True)
    login(request, user, backend="tenants.auth.EmailBackend")
    messages.success(request, "Your office is ready. Let's set up your portal.")
    return redirect("office:home")


@staff_required
def home(request):
    """The set-up checklist, then the dashboard: clients per portal status, recent activity and
    sign-ins over the last 30 days (a constant number of queries, however many clients)."""
    checklist = setup_checklist(request)
    return render_office(
        request,
        "portal_core/office/home.html",
        {
            "checklist": checklist,
            "done": sum(i.done for i in checklist),
            "total": len(checklist),
            **dashboard_context(),
        },
    )


@staff_required
def portal_settings(request):
    config = portal_config_get()
    bound = request.method == "POST"
    form = PortalSettingsForm(
        request.POST if bound else None, request.FILES if bound else None, instance=config
    )
    if bound and form.is_valid():
        old_logo = config.portal_logo.name
        try:
            portal_config_update(config=config, **form.changes())
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if old_logo and old_logo != config.portal_logo.name:
                config.portal_logo.storage.delete(old_logo)
            messages.success(request, "Portal settings saved.")
            return redirect("office:settings")
    return render_office(request, "portal_core/office/settings.html", {"form": form})


@staff_required
def email_settings(request, sender_form=None):
    from .sender import sender_context

    config = portal_config_get()
    posted = request.method == "POST" and sender_form is None
    form = EmailSettingsForm(request.POST if posted else None, instance=config)
    if posted and form.is_valid():
        portal_config_update(config=config, **form.cleaned_data)
        messages.success(request, "Email settings saved.")
        return redirect("office:email")
    stopped = sorted((config.office_notes_unsubscribed or {}).items())
    return render_office(
        request,
        "portal_core/office/email.html",
        {"form": form, "notes_stopped": stopped, **sender_context(sender_form)},
    )


@staff_required
@require_POST
def office_notes_on(request):
    """Turn the office's notes about client activity back on for one of its addresses."""
    from ..email_preferences import office_notes_resubscribe

    email = (request.POST.get("email") or "").strip()[:254]
    if email and office_notes_resubscribe(email):
        messages.success(request, f"{email} gets the emails about client activity again.")
    return redirect("office:email")


@staff_required
def module_list(request):
    plan = Plan.objects.filter(pk=request.tenant.plan_id).first()
    enabled = set(enabled_modules())
    rows = [
        {"module": m, "enabled": m.key in enabled, "allowed": plan is None or plan.allows_module(m.key)}
        for m in registry
    ]
    return render_office(request, "portal_core/office/modules.html", {"rows": rows, "plan": plan})


@staff_required
@require_POST
def module_toggle(request, key):
    if key not in registry:
        raise Http404
    try:
        if request.POST.get("enable") == "1":
            module_enable(key=key)
            messages.success(request, f"{registry.get(key).name} is on.")
        else:
            module_disable(key=key)
            messages.success(request, f"{registry.get(key).name} is off. Its data is kept.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("office:modules")


ISSUED_KEY_SESSION = "office:issued-api-key"


@staff_required
@never_cache
def api_keys(request):
    form = ApiKeyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            issued = api_key_create(
                tenant=request.tenant,
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"],
                expires_at=form.cleaned_data["expires_at"],
                created_by=request.user.email,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            # Post/redirect/get: a reload must not create a second key. The secret is shown once.
            request.session[ISSUED_KEY_SESSION] = {"name": issued.api_key.name, "secret": issued.secret}
            audit_record(kind=Kind.API_KEY_CREATED, request=request, key=issued.api_key.prefix)
            return redirect("office:api-keys")
    issued = request.session.pop(ISSUED_KEY_SESSION, None)
    keys = ApiKey.objects.filter(tenant_id=request.tenant.id)
    return render_office(
        request, "portal_core/office/api_keys.html", {"form": form, "keys": keys, "issued": issued}
    )


@staff_required
@require_POST
def api_key_revoke_view(request, pk):
    api_key = get_object_or_404(ApiKey, pk=pk, tenant_id=request.tenant.id)
    api_key_revoke(api_key=api_key)
    audit_record(kind=Kind.API_KEY_REVOKED, request=request, key=api_key.prefix)
    messages.success(request, f"The key “{api_key.name}” is revoked.")
    return redirect("office:api-keys")


@staff_required
@require_POST
def preview_start(request, account_id):
    """See the portal as this client sees it: read-only, bannered, recorded on the contact."""
    account = get_object_or_404(PortalAccount, pk=account_id)
    request.session[SESSION_PREVIEW] = account.pk
    audit_record(kind=Kind.PREVIEW, request=request, client=account.email)
    activity_record(
        account=account,
        verb="previewed",
        params={"by": request.user.email},
        actor=ActivityEntry.Actor.STAFF,
        actor_label=request.user.email,
        visible_to_client=False,
    )
    return redirect("portal:home")


def preview_finish(request):
    """End a preview and go back to the previewed contact (or company)."""
    account_id = request.session.pop(SESSION_PREVIEW, None)
    account = PortalAccount.objects.filter(pk=account_id).first()
    if account is not None and account.contact_id:
        return redirect("office:contact-detail", pk=account.contact_id)
    if account is not None and account.company_id:
        return redirect("office:company-detail", pk=account.company_id)
    return redirect("office:home")


@staff_required
@require_POST
def preview_end(request):
    return preview_finish(request)


@staff_required
@guarded("office-password-change")
def profile(request):
    """The staff member's own name and password."""
    user = request.user
    which = request.POST.get("form") if request.method == "POST" else None
    details = StaffProfileForm(
        request.POST if which == "details" else None,
        initial={"first_name": user.first_name, "last_name": user.last_name},
    )
    password = PasswordChangeForm(user, request.POST if which == "password" else None)
    if which == "sign-out-everywhere":
        credentials.bump(credentials.USER, user.pk)
        credentials.stamp_session(request)
        audit_record(kind=Kind.SIGNED_OUT_EVERYWHERE, request=request)
        messages.success(request, "You are signed out on every other device, and every token you had ends.")
        return redirect("office:profile")
    if which == "details" and details.is_valid():
        user.first_name = details.cleaned_data["first_name"]
        user.last_name = details.cleaned_data["last_name"]
        user.save(update_fields=["first_name", "last_name"])
        messages.success(request, "Your name is saved.")
        return redirect("office:profile")
    if which == "password" and password.is_valid():
        password.save()
        update_session_auth_hash(request, password.user)
        audit_record(kind=Kind.PASSWORD_CHANGED, request=request)
        credentials.stamp_session(request)  # the change ended every other session and JWT
        messages.success(request, "Your password is changed.")
        return redirect("office:profile")
    return render_office(
        request, "portal_core/office/profile.html", {"details": details, "password": password}
    )


@staff_required
def style(request):
    """The living style page: every component of Portico's design system, as pages use it."""
    from django import forms

    class Sample(forms.Form):
        name = forms.CharField(label="Name", help_text="As your clients see it.")
        email = forms.EmailField(label="Email")
        kind = forms.ChoiceField(label="Kind", choices=[("house", "House"), ("flat", "Apartment")])
        notes = forms.CharField(label="Notes", widget=forms.Textarea(attrs={"rows": 2}), required=False)
        photo = forms.FileField(label="Photo", required=False, help_text="JPEG or PNG, up to 10 MB.")
        agree = forms.BooleanField(label="Send me a copy", required=False)

    invalid = Sample({"name": "", "email": "not-an-email", "kind": "house"})
    invalid.is_valid()
    return render_office(
        request,
        "portal_core/office/style.html",
        {
            "sample": Sample(),
            "invalid": invalid,
            "tokens": STYLE_TOKENS,
            "sample_when": timezone.now() - timedelta(minutes=3),
            "sample_price": Decimal("598000"),
            "sample_price_cents": Decimal("1234.50"),
        },
    )


STYLE_TOKENS = [
    "brand", "brand-dark", "brand-ink", "ink", "ink-2", "muted", "line", "line-strong", "bg", "card",
    "ok", "ok-soft", "warn", "warn-soft", "danger", "danger-soft", "info", "info-soft",
]  # fmt: skip


class OfficePasswordResetForm(PasswordResetForm):
    """Django's reset form, its email built like every other (both parts, the office's look)."""

    def send_mail(self, subject_template_name, email_template_name, context, from_email, to_email, **kwargs):
        from ..emails import office_brand

        subject = "".join(render_to_string(subject_template_name, context).splitlines())
        text = render_to_string(email_template_name, context)
        path = reverse("office:password-reset", kwargs={"uidb64": context["uid"], "token": context["token"]})
        link = f"{context['protocol']}://{context['domain']}{path}"
        with translation.override("en"):
            email_send(
                subject=subject,
                text=text,
                to=[to_email],
                from_email=from_email,
                brand=office_brand(),
                button=Button(link, "Choose a new password"),
            )


class OfficePasswordResetView(auth_views.PasswordResetView):
    """Forgot password: the same answer whether or not the email belongs to staff here (Django's
    reset view sends the link only to an active user with that email)."""

    template_name = "portal_core/office/password/forgot.html"
    form_class = OfficePasswordResetForm
    email_template_name = "portal_core/office/password/email.txt"
    subject_template_name = "portal_core/office/password/subject.txt"
    success_url = reverse_lazy("office:password-reset-sent")


class OfficePasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "portal_core/office/password/reset.html"
    success_url = reverse_lazy("office:login")
    post_reset_login = False

    def form_valid(self, form):
        messages.success(self.request, "Your password is changed. Sign in with it now.")
        audit_record(
            kind=Kind.PASSWORD_CHANGED,
            request=self.request,
            actor_kind=Actor.STAFF,
            actor_id=form.user.pk,
            actor_label=form.user.email,
            via="reset link",
        )
        return super().form_valid(form)


urlpatterns = [
    path(
        "password/forgot/",
        guarded("office-forgot", account_field="email")(OfficePasswordResetView.as_view()),
        name="password-forgot",
    ),
    path(
        "password/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="portal_core/office/password/sent.html"),
        name="password-reset-sent",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        guarded("office-reset")(OfficePasswordResetConfirmView.as_view()),
        name="password-reset",
    ),
    path("profile/", profile, name="profile"),
    path("style/", style, name="style"),
    path("preview/<int:account_id>/", preview_start, name="preview-start"),
    path("preview/end/", preview_end, name="preview-end"),
    path("", home, name="home"),
    path("login/", OfficeLoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(next_page="office:login"), name="logout"),
    path("welcome/<str:token>/", welcome, name="welcome"),
    path("settings/", portal_settings, name="settings"),
    path("email/", email_settings, name="email"),
    path("email/office-notes/on/", office_notes_on, name="office-notes-on"),
    path("modules/", module_list, name="modules"),
    path("modules/<str:key>/", module_toggle, name="module-toggle"),
    path("api-keys/", api_keys, name="api-keys"),
    path("api-keys/<int:pk>/revoke/", api_key_revoke_view, name="api-key-revoke"),
]
