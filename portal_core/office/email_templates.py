"""The office's email-template pages (``/office/email-templates/``): every client email in every
language, edited with a live preview, and reset to Portico's wording."""

from __future__ import annotations

from email.utils import parseaddr

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_POST

from ..email_templates import (
    KIND_DESCRIPTIONS,
    REQUIRED_TOKEN,
    email_template_customised,
    email_template_is_customised,
    email_template_preview,
    email_template_reset,
    email_template_sample_values,
    email_template_save,
)
from ..emails import TOKENS, template_for
from ..forms import EmailTemplateForm
from ..models import EmailTemplate
from ..selectors import portal_config_get
from .shell import render_office, staff_required


def _language_name(code: str) -> str:
    return dict(settings.LANGUAGES)[code]


def _checked(kind: str, language: str) -> tuple[str, str]:
    if kind not in EmailTemplate.Kind.values or language not in dict(settings.LANGUAGES):
        raise Http404
    return kind, language


@staff_required
def email_template_list(request):
    customised = email_template_customised()
    kinds = [
        {
            "kind": kind,
            "label": label,
            "description": KIND_DESCRIPTIONS[kind],
            "languages": [
                {"code": code, "name": name, "customised": (kind, code) in customised}
                for code, name in settings.LANGUAGES
            ],
        }
        for kind, label in EmailTemplate.Kind.choices
    ]
    return render_office(
        request,
        "portal_core/office/email_templates/list.html",
        {"kinds": kinds, "customised_count": len(customised)},
    )


def _envelope() -> dict:
    """Who the preview says the email is from, as ``emails.send_client_email`` would send it."""
    config = portal_config_get()
    _, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    name = config.email_from_name or config.company_name or config.portal_name
    return {"sender": f"{name} <{address}>", "reply_to": config.email_reply_to}


def _edit_page(request, *, kind: str, language: str, form: EmailTemplateForm, preview: dict):
    return render_office(
        request,
        "portal_core/office/email_templates/edit.html",
        {
            "kind": kind,
            "kind_label": EmailTemplate.Kind(kind).label,
            "description": KIND_DESCRIPTIONS[kind],
            "language": language,
            "language_name": _language_name(language),
            "customised": email_template_is_customised(kind=kind, language=language),
            "form": form,
            "tokens": [
                {"name": name, "description": text, "required": REQUIRED_TOKEN.get(kind) == name}
                for name, text in TOKENS.items()
            ],
            **_envelope(),
            **preview,
        },
    )


def _preview(request, *, kind: str, language: str, form: EmailTemplateForm | None = None) -> dict:
    """The preview of the saved (or default) wording, or of the form's draft when it is valid."""
    values = email_template_sample_values(
        kind=kind, language=language, base_url=f"{request.scheme}://{request.get_host()}"
    )
    if form is None:
        return {"preview": email_template_preview(kind=kind, language=language, values=values)}
    if not form.is_valid():
        return {"preview": None, "draft": True}
    draft = email_template_preview(
        kind=kind,
        language=language,
        values=values,
        subject=form.cleaned_data["subject"],
        body=form.cleaned_data["body"],
    )
    return {"preview": draft, "draft": True}


@staff_required
def email_template_edit(request, kind, language):
    kind, language = _checked(kind, language)
    if request.method != "POST":
        subject, body = template_for(kind, language)
        form = EmailTemplateForm(initial={"subject": subject, "body": body}, kind=kind, language=language)
        preview = _preview(request, kind=kind, language=language)
        return _edit_page(request, kind=kind, language=language, form=form, preview=preview)
    form = EmailTemplateForm(request.POST, kind=kind, language=language)
    if form.is_valid():
        try:
            email_template_save(kind=kind, language=language, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request, f"{EmailTemplate.Kind(kind).label} email in {_language_name(language)} saved."
            )
            return redirect("office:email-template-edit", kind=kind, language=language)
    preview = _preview(request, kind=kind, language=language, form=form)
    return _edit_page(request, kind=kind, language=language, form=form, preview=preview)


@staff_required
@require_POST
def email_template_preview_view(request, kind, language):
    """The draft in the editor, rendered with sample values: the preview panel alone for htmx, the
    whole page otherwise."""
    kind, language = _checked(kind, language)
    form = EmailTemplateForm(request.POST, kind=kind, language=language)
    preview = _preview(request, kind=kind, language=language, form=form)
    if request.htmx:
        context = {"form": form, **_envelope(), **preview}
        return render(request, "portal_core/office/email_templates/_preview.html", context)
    return _edit_page(request, kind=kind, language=language, form=form, preview=preview)


@staff_required
@require_POST
def email_template_reset_view(request, kind, language):
    kind, language = _checked(kind, language)
    label = f"{EmailTemplate.Kind(kind).label} email in {_language_name(language)}"
    if email_template_reset(kind=kind, language=language):
        messages.success(request, f"{label}: back to Portico's default wording.")
    else:
        messages.info(request, f"{label} already uses Portico's default wording.")
    return redirect("office:email-template-edit", kind=kind, language=language)


urlpatterns = [
    path("email-templates/", email_template_list, name="email-templates"),
    path("email-templates/<str:kind>/<str:language>/", email_template_edit, name="email-template-edit"),
    path(
        "email-templates/<str:kind>/<str:language>/preview/",
        email_template_preview_view,
        name="email-template-preview",
    ),
    path(
        "email-templates/<str:kind>/<str:language>/reset/",
        email_template_reset_view,
        name="email-template-reset",
    ),
]
