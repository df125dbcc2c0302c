"""The office shell: what every office page uses, the core's and each module's.

One import for a page: ``staff_required`` guards it, ``render_office`` draws it inside the office's
frame (navigation, configuration), ``errors_onto`` puts a service's refusal on its form,
``query_without`` keeps its filters in pagination links and ``actor`` names who acted. This module
imports no office page, so pages (and modules) import it freely.
"""

from __future__ import annotations

from functools import wraps

from django.core.exceptions import ValidationError
from django.forms import Form
from django.shortcuts import redirect, render
from django.urls import reverse

from ..selectors import enabled_parts, portal_config_get


def staff_required(view):
    """Office pages are for the office's staff: anyone else goes to the office's sign-in page."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated or not user.is_staff:
            return redirect(f"{reverse('office:login')}?next={request.get_full_path()}")
        return view(request, *args, **kwargs)

    return wrapper


def office_nav(request) -> list[dict]:
    """The office's navigation: the core's pages with each switched-on module's own in between."""
    items = [
        {"label": "Home", "url": reverse("office:home")},
        {"label": "Contacts", "url": reverse("office:contacts")},
        {"label": "Companies", "url": reverse("office:companies")},
        {"label": "Portal settings", "url": reverse("office:settings")},
        {"label": "Modules", "url": reverse("office:modules")},
    ]
    for module, entries in enabled_parts("office_nav"):
        items += [
            {
                "label": item.label,
                "url": reverse(f"office:{module.office_namespace}:{item.url_name}"),
                "module": module.key,
            }
            for item in entries
        ]
    items += [
        {"label": "Email", "url": reverse("office:email")},
        {"label": "Email templates", "url": reverse("office:email-templates")},
        {"label": "API keys", "url": reverse("office:api-keys")},
        {"label": "Webhooks", "url": reverse("office:webhooks")},
    ]
    return items


def render_office(request, template, context=None, **kwargs):
    """``render`` inside the office's frame: its navigation and the office's configuration."""
    context = {"nav": office_nav(request), "config": portal_config_get(), **(context or {})}
    return render(request, template, context, **kwargs)


def errors_onto(
    form: Form, exc: ValidationError, fields: dict[str, str] | None = None, *, default: str | None = None
) -> None:
    """Put a service's ``ValidationError`` on ``form``: each message on the field it names (through
    ``fields``, a map of the service's names to the form's, when they differ), a message naming no
    field on ``default`` when given, else (like one naming a field the form lacks) on the form."""
    fields = fields or {}
    if not hasattr(exc, "error_dict"):
        form.add_error(default, exc.messages)
        return
    for name, messages in exc.message_dict.items():
        name = fields.get(name, name)
        form.add_error(name if name in form.fields else None, messages)


def query_without(request, *names: str) -> str:
    """The request's query string without ``names`` (for pagination and filter links)."""
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


def actor(request) -> str:
    """Who did it, as the activity log and events name staff: their email (else their username)."""
    return request.user.email or request.user.get_username()
