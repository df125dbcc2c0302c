"""The office shell: what every office page uses, the core's and each module's.

One import for a page: ``staff_required`` guards it, ``render_office`` draws it inside the office's
frame (navigation, configuration), ``errors_onto`` puts a service's refusal on its form,
``query_without`` keeps its filters in pagination links and ``actor`` names who acted. This module
imports no office page, so pages (and modules) import it freely.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import wraps

from django.core.exceptions import ValidationError
from django.forms import Form
from django.shortcuts import redirect, render
from django.urls import reverse

from ..selectors import enabled_parts, portal_config_get


def _two_factor_missing(user) -> bool:
    """The office requires two-factor sign-in and this staff member has not set it up yet."""
    from ..selectors import portal_config_get
    from ..two_factor import STAFF, has_second_factor

    return portal_config_get().staff_two_factor_required and not has_second_factor(STAFF, user.pk)


# where a staff member who must set up two-factor sign-in can still go
SECURITY_PAGES = ("security", "passkey-options", "passkey-add", "passkey-remove")


def staff_required(view):
    """Office pages are for the office's staff: anyone else goes to the office's sign-in page."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated or not user.is_staff:
            return redirect(f"{reverse('office:login')}?next={request.get_full_path()}")
        if request.resolver_match.url_name not in SECURITY_PAGES and _two_factor_missing(user):
            return redirect("office:security")
        return view(request, *args, **kwargs)

    return wrapper


@dataclass(frozen=True)
class NavLink:
    label: str
    url: str
    module: str = ""
    count: int = 0
    current: bool = False
    key: str = ""


@dataclass(frozen=True)
class NavGroup:
    title: str
    links: list[NavLink]
    key: str = ""


def _link(
    request, label: str, url: str, *, exact: bool = False, module: str = "", count: int = 0, key: str = ""
):
    path = request.path
    current = path == url if exact else (path == url or path.startswith(url))
    return NavLink(label=label, url=url, module=module, count=count, current=current, key=key)


def office_nav(request) -> list[NavGroup]:
    """The office's navigation, grouped: Home; Clients; one group per switched-on module (its own
    pages, with the number of things waiting where it counts them); Portal; Developers."""
    groups = [
        NavGroup("", [_link(request, "Home", reverse("office:home"), exact=True)], key="home"),
        NavGroup(
            "Clients",
            [
                _link(request, "Contacts", reverse("office:contacts")),
                _link(request, "Companies", reverse("office:companies")),
            ],
            key="clients",
        ),
    ]
    counts = {module.key: count for module, count in enabled_parts("office_counts")}
    for module, entries in enabled_parts("office_nav"):
        waiting = counts[module.key](request) if counts.get(module.key) else {}
        links = [
            _link(
                request,
                item.label,
                reverse(f"office:{module.office_namespace}:{item.url_name}"),
                module=module.key,
                count=waiting.get(item.url_name, 0),
                key=item.url_name,
            )
            for item in entries
        ]
        groups.append(NavGroup(module.name, links, key=module.key))
    groups += [
        NavGroup(
            "Portal",
            [
                _link(request, "Portal settings", reverse("office:settings")),
                _link(request, "Modules", reverse("office:modules")),
                _link(request, "Email", reverse("office:email"), exact=True),
                _link(request, "Email templates", reverse("office:email-templates")),
                _link(request, "Payments", reverse("office:payments")),
                _link(request, "Audit log", reverse("office:audit")),
                _link(request, "Domain", reverse("office:domains")),
            ],
            key="portal",
        ),
        NavGroup(
            "Developers",
            [
                _link(request, "API keys", reverse("office:api-keys")),
                _link(request, "API docs", reverse("api:docs")),
                _link(request, "Webhooks", reverse("office:webhooks")),
            ],
            key="developers",
        ),
    ]
    return _one_current(groups)


def _one_current(groups: list[NavGroup]) -> list[NavGroup]:
    """Only the most specific link that matches the page is current (``/office/contacts/`` and not
    also a shorter prefix)."""
    best = max(
        (link for group in groups for link in group.links if link.current),
        key=lambda link: len(link.url),
        default=None,
    )
    return [
        NavGroup(
            g.title,
            [NavLink(**{**link.__dict__, "current": link is best}) for link in g.links],
            key=g.key,
        )
        for g in groups
    ]


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
