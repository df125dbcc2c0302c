"""What a client gets by email: the notification topics they unsubscribed from (one click, RFC 8058,
with a signed link per recipient and topic) and whether their address is failing (the provider
reported a bounce or a complaint). Notifications stop for either; transactional emails (sign-in
links, resets, codes, invitations) are always attempted. A recipient is a contact, or a company
emailed at its own address (its invoices' reminders)."""

from __future__ import annotations

from dataclasses import dataclass

from django.core import signing
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone, translation

from .activity import activity_record
from .models import ActivityEntry, Company, Contact

Recipient = Contact | Company
_KINDS = {"contact": Contact, "company": Company}

SALT = "portal_core.email_unsubscribe"
# The office's own notes to its staff about what clients did (a notification too).
OFFICE_NOTES = "office.client_activity"


@dataclass(frozen=True)
class StaffAddress:
    """An address of the office's own that gets its notes (a staff member, the reply-to address)."""

    email: str
    language: str = "en"


def notification_topics() -> dict[str, tuple]:
    """Every notification topic the modules declare: topic → (label, email kinds)."""
    from modules.registry import registry

    return registry.email_notifications()


def topic_label(topic: str, language: str | None = None) -> str:
    if topic == OFFICE_NOTES:
        return "Emails about what your clients do in the portal"
    found = notification_topics().get(topic)
    if found is None:
        return topic
    with translation.override(language or "en"):
        return str(found[0])


def contact_may_receive(*, contact: Recipient, topic: str) -> bool:
    """Whether a notification of ``topic`` goes to ``contact`` (not unsubscribed, address working)."""
    return topic not in (contact.email_unsubscribed or {}) and contact.email_failing_since is None


# --- one-click unsubscribe -----------------------------------------------------------------------


def _kind(recipient: Recipient) -> str:
    return "company" if isinstance(recipient, Company) else "contact"


def _holder_activity(recipient: Recipient) -> dict:
    return {_kind(recipient): recipient}


def office_notes_unsubscribe_url(email: str) -> str:
    """The one-click link of the office's notes to ``email`` (one of its own addresses)."""
    from .access import portal_link

    payload = {"s": connection.schema_name, "k": "staff", "e": email.lower(), "t": OFFICE_NOTES}
    token = signing.dumps(payload, salt=SALT, compress=True)
    return portal_link(reverse("portal:unsubscribe", args=[token]))


def office_notes_may_receive(email: str) -> bool:
    from .selectors import portal_config_get

    return email.lower() not in (portal_config_get().office_notes_unsubscribed or {})


def _office_notes_change(email: str, *, on: bool) -> bool:
    from .models import PortalConfig

    email = email.lower()
    with transaction.atomic():
        config = PortalConfig.objects.select_for_update().get()
        addresses = dict(config.office_notes_unsubscribed or {})
        if (email not in addresses) == on:
            return False
        if on:
            addresses.pop(email)
        else:
            addresses[email] = timezone.now().isoformat()
        config.office_notes_unsubscribed = addresses
        config.save(update_fields=["office_notes_unsubscribed"])  # through save(): caches drop it
    return True


def office_notes_unsubscribe(email: str) -> bool:
    """Stop the office's notes to ``email``. False when they already were."""
    return _office_notes_change(email, on=False)


def office_notes_resubscribe(email: str) -> bool:
    """The office turns its notes to ``email`` back on. False when they were on."""
    return _office_notes_change(email, on=True)


def unsubscribe_token(*, contact: Recipient, topic: str) -> str:
    """Signed (``SALT``) for this office's schema, this recipient (a contact, or a company), their
    current address and ``topic``."""
    payload = {"s": connection.schema_name, "c": contact.pk, "e": contact.email, "t": topic}
    if isinstance(contact, Company):
        payload["k"] = "company"
    return signing.dumps(payload, salt=SALT, compress=True)


def unsubscribe_url(*, contact: Recipient, topic: str) -> str:
    from .access import portal_link

    return portal_link(reverse("portal:unsubscribe", args=[unsubscribe_token(contact=contact, topic=topic)]))


def unsubscribe_target(token: str) -> tuple[Recipient | StaffAddress, str] | None:
    """(recipient, topic) of a token signed for this office, or None: tampered, another office's,
    a recipient who is gone or has another address now, an unknown topic."""
    try:
        payload = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    if not isinstance(payload, dict) or payload.get("s") != connection.schema_name:
        return None
    topic, pk = payload.get("t"), payload.get("c")
    if payload.get("k") == "staff":
        email = payload.get("e")
        return (StaffAddress(email), topic) if topic == OFFICE_NOTES and isinstance(email, str) else None
    if topic not in notification_topics() or not isinstance(pk, int):
        return None
    model = _KINDS.get(payload.get("k", "contact"))
    contact = model.objects.filter(pk=pk).first() if model else None
    if contact is None or not contact.email or contact.email.lower() != (payload.get("e") or "").lower():
        return None
    return contact, topic


def _saved(recipient: Recipient, *fields: str) -> None:
    extra = ["updated"] if isinstance(recipient, Contact) else []
    recipient.save(update_fields=[*fields, *extra])


def contact_unsubscribe(*, contact: Recipient | StaffAddress, topic: str) -> bool:
    """Stop notifications of ``topic`` to ``contact`` (or a company, or one of the office's own
    addresses). False when they already were."""
    if isinstance(contact, StaffAddress):
        return office_notes_unsubscribe(contact.email)
    with transaction.atomic():
        contact = type(contact).objects.select_for_update().get(pk=contact.pk)
        unsubscribed = dict(contact.email_unsubscribed or {})
        if topic in unsubscribed:
            return False
        unsubscribed[topic] = timezone.now().isoformat()
        contact.email_unsubscribed = unsubscribed
        _saved(contact, "email_unsubscribed")
        activity_record(
            **_holder_activity(contact), verb="email_unsubscribed", params={"topic": topic_label(topic)}
        )
    return True


def contact_resubscribe(*, contact: Recipient, topic: str) -> bool:
    """The office turns a topic back on (the client asked). False when it was not off."""
    with transaction.atomic():
        contact = type(contact).objects.select_for_update().get(pk=contact.pk)
        unsubscribed = dict(contact.email_unsubscribed or {})
        if unsubscribed.pop(topic, None) is None:
            return False
        contact.email_unsubscribed = unsubscribed
        _saved(contact, "email_unsubscribed")
    return True


def unsubscribed_topics(contact: Recipient) -> list[dict]:
    """What the office sees on the contact's page: each topic switched off, its label and when."""
    from datetime import datetime

    found = []
    for topic, when in (contact.email_unsubscribed or {}).items():
        try:
            at = datetime.fromisoformat(when)
        except (TypeError, ValueError):
            at = None
        found.append({"topic": topic, "label": topic_label(topic), "at": at})
    return found


# --- failing addresses ---------------------------------------------------------------------------


def email_failing_mark(*, email: str, reason: str, at=None) -> int:
    """Mark every contact with ``email`` as failing (a bounce or complaint the provider reported),
    keeping the first time it failed. Returns how many contacts were marked."""
    email = (email or "").strip().lower()
    if not email:
        return 0
    at = at or timezone.now()
    reason = (reason or "").strip()[:300]
    marked = 0
    with transaction.atomic():
        recipients = [
            *Contact.objects.select_for_update().filter(email=email),
            *Company.objects.select_for_update().filter(email__iexact=email),
        ]
        for contact in recipients:
            first = contact.email_failing_since is None
            contact.email_failing_since = contact.email_failing_since or at
            contact.email_failing_reason = reason or contact.email_failing_reason
            _saved(contact, "email_failing_since", "email_failing_reason")
            if first:
                activity_record(
                    **_holder_activity(contact),
                    verb="email_failing",
                    params={"email": email, "reason": reason or "-"},
                )
            marked += 1
    return marked


def contact_email_working_mark(*, contact: Recipient, actor: str = "") -> bool:
    """The office says the address works again (the client fixed their mailbox). False when it
    was not failing."""
    if contact.email_failing_since is None:
        return False
    contact.email_failing_since = None
    contact.email_failing_reason = ""
    _saved(contact, "email_failing_since", "email_failing_reason")
    activity_record(
        **_holder_activity(contact),
        verb="email_working",
        actor=ActivityEntry.Actor.STAFF if actor else ActivityEntry.Actor.SYSTEM,
        actor_label=actor,
    )
    return True
