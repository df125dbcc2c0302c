"""The client portal shell: home, onboarding, profile, shared files."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from tenants.signin_policy import guarded

from . import access, profile
from .audit import Actor as AuditActor
from .audit import Kind as AuditKind
from .audit import audit_record
from .client_auth import client_refresh_session, client_required, client_sign_out_everywhere, is_preview
from .models import ActivityEntry, SharedFile
from .passwords import policy_rules
from .selectors import enabled_parts, portal_config_get, welcome_text


def portal_nav() -> list[dict]:
    """The client's navigation: each switched-on module's entries."""
    return [
        {
            "label": item.label,
            "url": reverse(f"{module.portal_namespace}:{item.url_name}"),
            "module": module.key,
        }
        for module, items in enabled_parts("portal_nav")
        for item in items
    ]


def _audit(request, kind: str) -> None:
    client = request.client
    audit_record(
        kind=kind, request=request, actor_kind=AuditActor.CLIENT, actor_id=client.pk, actor_label=client.email
    )


def portal_context(request, **extra) -> dict:
    config = portal_config_get()
    return {
        "config": config,
        "nav": portal_nav(),
        "client": request.client,
        "preview": is_preview(request),
        "policy_rules": policy_rules(config.password_policy),
        "welcome": welcome_text(config),
        **extra,
    }


@client_required
def home(request):
    config = portal_config_get()
    statistics = [figure for _module, figures in enabled_parts("statistics") for figure in figures(request)]
    client = request.client
    feed = []
    if config.show_activity_feed:
        holder = {"contact": client.contact} if client.contact_id else {"company": client.company}
        feed = ActivityEntry.objects.filter(visible_to_client=True, **holder)[:10]
    files = SharedFile.objects.filter(account=client)[:5] if config.allow_file_sharing else []
    tour = request.GET.get("tour") == "1" or (client.onboarding_completed and not client.tour_completed)
    return render(
        request,
        "portal_core/portal/home.html",
        portal_context(
            request,
            statistics=statistics,
            feed=feed,
            files=files,
            tour=tour,
            tour_steps=tour_steps() if tour else [],
        ),
    )


def tour_steps() -> list[dict]:
    """The guided tour of the home page, in the active language (each target has data-tour)."""
    return [
        {
            "target": "welcome",
            "title": _("Your portal"),
            "text": _("Everything your office shares with you comes together here."),
        },
        {
            "target": "overview",
            "title": _("Overview"),
            "text": _("Quick figures: what is new and what waits for you."),
        },
        {
            "target": "activity",
            "title": _("Recent activity"),
            "text": _("What happened lately, for you and your office."),
        },
        {
            "target": "profile",
            "title": _("Profile"),
            "text": _("Your details, password, language and photo. You can restart this tour there."),
        },
    ]


class SetPasswordForm(forms.Form):
    password = forms.CharField(
        label=gettext_lazy("New password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


@client_required
@guarded("client-password-change")
def onboarding_password(request):
    """Step 1: a client with a temporary password (or none yet) chooses their own."""
    client = request.client
    form = SetPasswordForm(request.POST or None)
    if request.method == "POST" and not is_preview(request) and form.is_valid():
        try:
            access.portal_account_set_password(account=client, password=form.cleaned_data["password"])
        except ValidationError as exc:
            form.add_error("password", exc)
        else:
            client_refresh_session(request, client)
            return redirect("portal:onboarding" if not client.onboarding_completed else "portal:home")
    return render(request, "portal_core/portal/onboarding_password.html", portal_context(request, form=form))


@client_required
def onboarding(request):
    """Step 2: welcome slides (skippable); step 3 is the guided tour on the home page."""
    if request.method == "POST" and not is_preview(request):
        profile.onboarding_finish(account=request.client)
        return redirect(f"{reverse('portal:home')}?tour=1")
    return render(request, "portal_core/portal/onboarding.html", portal_context(request))


@client_required
@require_POST
def tour_done(request):
    if not is_preview(request):
        profile.tour_finish(account=request.client)
    return redirect("portal:home")


@client_required
@require_POST
def tour_restart(request):
    if not is_preview(request):
        profile.tour_restart(account=request.client)
    return redirect(f"{reverse('portal:home')}?tour=1")


@client_required
@guarded("client-password-change")
def profile_view(request):
    client = request.client
    details = profile.DetailsForm(request.POST or None, account=client, prefix="details")
    password = profile.ChangePasswordForm(request.POST or None, account=client, prefix="password")
    language = profile.LanguageForm(
        request.POST or None, initial={"language": client.language}, prefix="language"
    )
    if request.method == "POST" and not is_preview(request):
        action = request.POST.get("action")
        if action == "details" and details.is_valid():
            profile.details_update(account=client, **details.cleaned_data)
            messages.success(request, _("Your details are saved."))
            return redirect("portal:profile")
        if action == "language" and language.is_valid():
            code = language.cleaned_data["language"]
            profile.language_update(account=client, language=code)
            translation.activate(code)
            messages.success(request, _("Your language is saved."))
            return redirect("portal:profile")
        if action == "password" and password.is_valid():
            access.portal_account_set_password(account=client, password=password.cleaned_data["new_password"])
            client_refresh_session(request, client)
            _audit(request, AuditKind.PASSWORD_CHANGED)
            messages.success(request, _("Your password is changed."))
            return redirect("portal:profile")
        if action == "sign-out-everywhere":
            client_sign_out_everywhere(request, client)
            _audit(request, AuditKind.SIGNED_OUT_EVERYWHERE)
            messages.success(request, _("You are signed out on every other device."))
            return redirect("portal:profile")
        if action == "photo":
            try:
                profile.photo_update(account=client, upload=request.FILES.get("photo"))
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(request, _("Your photo is saved."))
            return redirect("portal:profile")
        if action == "photo-remove":
            profile.photo_remove(account=client)
            messages.success(request, _("Your photo is removed."))
            return redirect("portal:profile")
    return render(
        request,
        "portal_core/portal/profile.html",
        portal_context(
            request,
            details=details,
            password_form=password,
            language_form=language,
            languages=settings.LANGUAGES,
        ),
    )


@client_required
def photo(request):
    contact = request.client.contact
    if contact is None or not contact.photo:
        raise Http404
    return FileResponse(contact.photo.open("rb"), content_type="image/jpeg")


@client_required
def files(request):
    config = portal_config_get()
    if not config.allow_file_sharing:
        raise Http404
    client = request.client
    if request.method == "POST" and not is_preview(request):
        try:
            profile.shared_file_upload(account=client, upload=request.FILES.get("file"), uploaded_by="client")
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                _("Your file is shared with %(office)s.")
                % {"office": config.company_name or config.portal_name},
            )
        return redirect("portal:files")
    return render(
        request,
        "portal_core/portal/files.html",
        portal_context(request, files=SharedFile.objects.filter(account=client)),
    )


@client_required
def file_download(request, pk):
    if not portal_config_get().allow_file_sharing:
        raise Http404
    shared = get_object_or_404(SharedFile, pk=pk, account=request.client)
    return FileResponse(
        shared.file.open("rb"), as_attachment=True, filename=shared.name, content_type=shared.content_type
    )


def logo(request):
    """The office's logo: branding, public like the sign-in page it appears on."""
    config = portal_config_get()
    if not config.portal_logo:
        raise Http404
    return FileResponse(config.portal_logo.open("rb"))
