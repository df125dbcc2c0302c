"""What a client gets by email: the notification topics they unsubscribed from (one click, RFC 8058,
with a signed link per recipient and topic) and whether their address is failing (the provider
reported a bounce or a complaint). Notifications stop for either; transactional emails (sign-in
links, resets, codes, invitations) are always attempted."""

from __future__ import annotations

from django.core import signing
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone, translation

from .activity import activity_record
from .models import ActivityEntry, Contact

SALT = "portal_core.email_unsubscribe"


def notification_topics() -> dict[str, tuple]:
    """Every notification topic the modules declare: topic → (label, email kinds)."""
    from modules.registry import registry

    return registry.email_notifications()


def topic_label(topic: str, language: str | None = None) -> str:
    found = notification_topics().get(topic)
    if found is None:
        return topic
    with translation.override(language or "en"):
        return str(found[0])


def contact_may_receive(*, contact: Contact, topic: str) -> bool:
    """Whether a notification of ``topic`` goes to ``contact`` (not unsubscribed, address working)."""
    return topic not in (contact.email_unsubscribed or {}) and contact.email_failing_since is None


# --- one-click unsubscribe -----------------------------------------------------------------------


def unsubscribe_token(*, contact: Contact, topic: str) -> str:
    """Signed (``SALT``) for this office's schema, this contact, their current address and ``topic``."""
    payload = {"s": connection.schema_name, "c": contact.pk, "e": contact.email, "t": topic}
    return signing.dumps(payload, salt=SALT, compress=True)


def unsubscribe_url(*, contact: Contact, topic: str) -> str:
    from .access import portal_link

    return portal_link(reverse("portal:unsubscribe", args=[unsubscribe_token(contact=contact, topic=topic)]))


def unsubscribe_target(token: str) -> tuple[Contact, str] | None:
    """(contact, topic) of a token signed for this office, or None: tampered, another office's,
    a contact who is gone or has another address now, an unknown topic."""
    try:
        payload = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    if not isinstance(payload, dict) or payload.get("s") != connection.schema_name:
        return None
    topic, pk = payload.get("t"), payload.get("c")
    if topic not in notification_topics() or not isinstance(pk, int):
        return None
    contact = Contact.objects.filter(pk=pk).first()
    if contact is None or not contact.email or contact.email != payload.get("e"):
        return None
    return contact, topic


def contact_unsubscribe(*, contact: Contact, topic: str) -> bool:
    """Stop notifications of ``topic`` to ``contact``. False when they already were."""
    with transaction.atomic():
        contact = Contact.objects.select_for_update().get(pk=contact.pk)
        unsubscribed = dict(contact.email_unsubscribed or {})
        if topic in unsubscribed:
            return False
        unsubscribed[topic] = timezone.now().isoformat()
        contact.email_unsubscribed = unsubscribed
        contact.save(update_fields=["email_unsubscribed", "updated"])
        activity_record(contact=contact, verb="email_unsubscribed", params={"topic": topic_label(topic)})
    return True


def contact_resubscribe(*, contact: Contact, topic: str) -> bool:
    """The office turns a topic back on (the client asked). False when it was not off."""
    with transaction.atomic():
        contact = Contact.objects.select_for_update().get(pk=contact.pk)
        unsubscribed = dict(contact.email_unsubscribed or {})
        if unsubscribed.pop(topic, None) is None:
            return False
        contact.email_unsubscribed = unsubscribed
        contact.save(update_fields=["email_unsubscribed", "updated"])
    return True


def unsubscribed_topics(contact: Contact) -> list[dict]:
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
        for contact in Contact.objects.select_for_update().filter(email=email):
            first = contact.email_failing_since is None
            contact.email_failing_since = contact.email_failing_since or at
            contact.email_failing_reason = reason or contact.email_failing_reason
            contact.save(update_fields=["email_failing_since", "email_failing_reason", "updated"])
            if first:
                activity_record(
                    contact=contact, verb="email_failing", params={"email": email, "reason": reason or "-"}
                )
            marked += 1
    return marked


def contact_email_working_mark(*, contact: Contact, actor: str = "") -> bool:
    """The office says the address works again (the client fixed their mailbox). False when it
    was not failing."""
    if contact.email_failing_since is None:
        return False
    contact.email_failing_since = None
    contact.email_failing_reason = ""
    contact.save(update_fields=["email_failing_since", "email_failing_reason", "updated"])
    activity_record(
        contact=contact,
        verb="email_working",
        actor=ActivityEntry.Actor.STAFF if actor else ActivityEntry.Actor.SYSTEM,
        actor_label=actor,
    )
    return True
