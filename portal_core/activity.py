"""The activity log on contacts (and the portal's activity feed)."""

from __future__ import annotations

from .models import ActivityEntry, Company, Contact, PortalAccount

# What a client sees of their own activity in the portal feed.
CLIENT_VISIBLE_VERBS = {"joined", "invitation_sent", "password_changed", "file_shared", "self_registered"}


def activity_record(
    *,
    verb: str,
    summary: str,
    account: PortalAccount | None = None,
    contact: Contact | None = None,
    company: Company | None = None,
    actor: str = ActivityEntry.Actor.SYSTEM,
    actor_label: str = "",
    data: dict | None = None,
    module: str = "",
    visible_to_client: bool | None = None,
) -> ActivityEntry:
    """Write one entry. Modules pass ``module`` (their key) and use their own verbs."""
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
        summary=summary[:300],
        actor=actor,
        actor_label=actor_label[:160],
        data=data or {},
        module=module,
        visible_to_client=visible_to_client,
    )


def client_text(entry: ActivityEntry) -> str:
    """The entry as its client reads it in the portal, in the active language."""
    from django.utils.translation import gettext as _

    texts = {
        "joined": _("You joined the portal"),
        "invitation_sent": _("You were invited to the portal"),
        "password_changed": _("You changed your password"),
        "self_registered": _("You created your account"),
        "file_shared": _("A file was shared: %(name)s") % {"name": entry.data.get("name", "")},
    }
    return texts.get(entry.verb) or entry.data.get("client_text") or entry.summary
