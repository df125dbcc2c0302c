"""The activity log on contacts (and the portal's activity feed).

An entry stores what happened as a verb and its parameters (``params``), never as a sentence: it is
rendered when shown, in the reader's language: the office reads English, the client their own
language. The core's verbs are :data:`CORE_KINDS`; a module registers its own in
``<module>.activity.ACTIVITY_KINDS`` (``modules.base.ActivityKind``) and writes them with its key as
``module``.
"""

from __future__ import annotations

import functools

from django.utils.translation import gettext, gettext_lazy

from modules.base import ActivityKind
from modules.registry import registry

from .models import ActivityEntry, Company, Contact, PortalAccount

_ = gettext_lazy

CORE_KINDS = [
    ActivityKind("account_created", "Portal account created"),
    ActivityKind("token_created", "Portal access link created"),
    ActivityKind("token_accessed", "Opened the portal with the access link"),
    ActivityKind("invitation_sent", "Invitation to the portal sent", _("You were invited to the portal")),
    ActivityKind("magic_link_sent", "Magic link sent"),
    ActivityKind("login_email_sent", "Login email sent"),
    ActivityKind("password_changed", "Password changed", _("You changed your password")),
    ActivityKind("password_reset_by_office", "Password reset by the office"),
    ActivityKind("two_factor_reset_by_office", "Two-factor sign-in reset by the office"),
    ActivityKind("password_reset_requested", "Password reset requested"),
    ActivityKind(
        "password_reset_conflict", "Password reset asked for a shared email: the office must reset it"
    ),
    ActivityKind("joined", "Joined the portal", _("You joined the portal")),
    ActivityKind("login", "Signed in"),
    ActivityKind("disabled", "Portal access disabled"),
    ActivityKind("enabled", "Portal access enabled"),
    ActivityKind(
        "self_registered",
        {
            "linked": "Registered in the portal (linked to this contact)",
            "lead": "Registered in the portal (new lead)",
        },
        {"linked": _("You created your account"), "lead": _("You created your account")},
        variant="how",
    ),
    ActivityKind("contact_created", "Contact created"),
    ActivityKind("contact_updated", "Details changed: %(fields)s"),
    ActivityKind("contact_imported", "Imported from a CSV file"),
    ActivityKind("company_created", "Company created"),
    ActivityKind("company_updated", "Details changed: %(fields)s"),
    ActivityKind("previewed", "Portal previewed by %(by)s"),
    ActivityKind("email_unsubscribed", "Unsubscribed from %(topic)s emails"),
    ActivityKind("email_failing", "Emails to %(email)s are failing: %(reason)s"),
    ActivityKind("email_working", "Email marked as working again"),
    ActivityKind("profile_updated", "Updated their details"),
    ActivityKind(
        "file_shared",
        {"client": "Shared the file %(name)s", "office": "The office shared %(name)s"},
        {"client": _("You shared the file %(name)s"), "office": _("A file was shared: %(name)s")},
        variant="by",
    ),
]
# What a client sees of the core's activity in the portal feed (a module's entries: all it marks).
CLIENT_VISIBLE_VERBS = {"joined", "invitation_sent", "password_changed", "file_shared", "self_registered"}


@functools.cache
def _kinds() -> dict[tuple[str, str], ActivityKind]:
    kinds = {("", kind.verb): kind for kind in CORE_KINDS}
    for module in registry:
        for kind in module.activity_kinds or ():
            kinds[(module.key, kind.verb)] = kind
    return kinds


def activity_kind(entry: ActivityEntry) -> ActivityKind | None:
    return _kinds().get((entry.module, entry.verb))


def activity_record(
    *,
    verb: str,
    params: dict | None = None,
    account: PortalAccount | None = None,
    contact: Contact | None = None,
    company: Company | None = None,
    actor: str = ActivityEntry.Actor.SYSTEM,
    actor_label: str = "",
    data: dict | None = None,
    module: str = "",
    visible_to_client: bool | None = None,
) -> ActivityEntry:
    """Write one entry: ``verb`` (a registered kind) and its ``params``, rendered when shown. Modules
    pass ``module`` (their key) and use their own verbs."""
    if (module, verb) not in _kinds():
        raise ValueError(f"unknown activity kind {module or 'core'}:{verb}: register it first")
    if account is not None:
        contact = contact or account.contact
        company = company or account.company
    if visible_to_client is None:
        visible_to_client = bool(module) or verb in CLIENT_VISIBLE_VERBS
    return ActivityEntry.objects.create(
        contact=contact,
        company=company,
        account=account,
        verb=verb,
        params=params or {},
        actor=actor,
        actor_label=actor_label[:160],
        data=data or {},
        module=module,
        visible_to_client=visible_to_client,
    )


def _values(params: dict) -> dict:
    from .formatting import format_list

    return {
        name: format_list([str(v).replace("_", " ") for v in value]) if isinstance(value, list) else value
        for name, value in params.items()
    }


def _pick(text, kind: ActivityKind, params: dict):
    if isinstance(text, dict):
        return text.get(str(params.get(kind.variant, "")))
    return text


def _render(text, params: dict) -> str | None:
    if not text:
        return None
    try:
        return str(text) % _values(params) if "%(" in str(text) else str(text)
    except (KeyError, TypeError, ValueError):
        return None


def office_text(entry: ActivityEntry) -> str:
    """The entry as the office reads it (English)."""
    kind = activity_kind(entry)
    text = _render(_pick(kind.office, kind, entry.params), entry.params) if kind else None
    return text or entry.summary or entry.verb.replace("_", " ").capitalize()


def client_text(entry: ActivityEntry) -> str:
    """The entry as its client reads it in the portal, in the active language."""
    kind = activity_kind(entry)
    if kind is not None:
        template = _pick(kind.client, kind, entry.params)
        text = _render(gettext(str(template)) if template else None, entry.params)
        if text:
            return text
    return entry.data.get("client_text") or office_text(entry)
