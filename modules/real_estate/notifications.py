"""Emails of the real-estate module, sent by the worker (``tenants.queue.enqueue``) after the
change commits: to the client through the office's per-language templates
(``portal_core.emails.send_client_email``, kinds in ``email_defaults``), and short notes to the office
(in English, like the office console) for what a client did."""

from __future__ import annotations

import logging
from datetime import datetime

from django.contrib.auth import get_user_model
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation

from portal_core.access import portal_link
from portal_core.emails import send_client_email, send_office_email, supported_language
from portal_core.formatting import format_datetime
from portal_core.models import Contact
from portal_core.selectors import portal_config_get
from portal_core.time_zones import office_localtime
from tenants.queue import enqueue

from .models import AgentMessage, Viewing

logger = logging.getLogger(__name__)

PORTAL_PATH = "/real-estate/"


def time_text(value: datetime, language: str) -> str:
    """A date and time as the client's language writes it, in the office's time zone (also in the
    worker, where no request made it current), followed by the zone's name."""
    local = office_localtime(value)
    with translation.override(supported_language(language)), timezone.override(local.tzinfo):
        return f"{format_datetime(local, weekday=True)} ({local.tzinfo.key})"


def _portal_url(url_name: str, *args) -> str:
    """A page of the module's portal, or its home while the pages do not exist."""
    try:
        path = reverse(f"real_estate:{url_name}", args=args)
    except NoReverseMatch:
        path = PORTAL_PATH
    return portal_link(path)


def viewing_email_queue(*, viewing: Viewing, kind: str) -> None:
    """Email the client about their viewing (``kind``: ``real_estate.viewing_…``), from the worker."""
    enqueue("modules.real_estate.notifications.viewing_email_send", viewing.pk, kind)


def viewing_email_send(viewing_id: int, kind: str) -> bool:
    """The task: render ``kind`` in the contact's language and send it. False when there is no one
    to send it to (the viewing is gone, or the contact has no email) or the contact does not get
    this notification (unsubscribed, failing address)."""
    viewing = (
        Viewing.objects.select_related("offered__property", "offered__deal__contact")
        .prefetch_related("slots")
        .filter(pk=viewing_id)
        .first()
    )
    if viewing is None:
        return False
    contact = viewing.offered.deal.contact
    if not contact.email:
        return False
    language = supported_language(contact.language)
    prop = viewing.offered.property
    when = viewing.start if viewing.status == Viewing.Status.CONFIRMED else viewing.proposed_start
    values = {
        **_contact_values(contact),
        "portal_link": _portal_url("viewings"),
        "property.title": prop.title,
        "property.address": prop.address,
        "viewing.time": time_text(when, language) if when else "",
        "viewing.slots": "\n".join(f"- {time_text(slot.start, language)}" for slot in viewing.slots.all()),
        "viewing.reason": viewing.cancel_reason,
    }
    return send_client_email(kind, to=contact.email, language=language, values=values, contact=contact)


def agent_reply_queue(*, message: AgentMessage) -> None:
    enqueue("modules.real_estate.notifications.agent_reply_send", message.pk)


def agent_reply_send(message_id: int) -> bool:
    """The task: email the office's reply to the client who wrote, in their language."""
    message = AgentMessage.objects.select_related("contact").filter(pk=message_id).first()
    if message is None or not message.contact.email or not message.reply_body:
        return False
    contact = message.contact
    values = {
        **_contact_values(contact),
        "portal_link": _portal_url("home"),
        "message.subject": message.subject,
        "reply.body": message.reply_body,
    }
    return send_client_email(
        "real_estate.agent_reply", to=contact.email, language=contact.language, values=values, contact=contact
    )


def _contact_values(contact: Contact) -> dict[str, str]:
    return {
        "contact.first_name": contact.first_name,
        "contact.last_name": contact.last_name,
        "contact.email": contact.email,
    }


# --- the office -----------------------------------------------------------------------------------


def office_notify(*, contact: Contact, subject: str, body: str) -> None:
    """Tell the office (the contact's owner, else the office's reply-to address, else its owners)
    what a client did, from the worker."""
    enqueue("modules.real_estate.notifications.office_notify_send", contact.pk, subject, body)


def office_recipients(contact: Contact) -> list[str]:
    if contact.owner_id and contact.owner.email and contact.owner.is_active:
        return [contact.owner.email]
    config = portal_config_get()
    if config.email_reply_to:
        return [config.email_reply_to]
    return list(
        get_user_model()
        .objects.filter(is_superuser=True, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )


def office_notify_send(contact_id: int, subject: str, body: str) -> int:
    """The task: a plain English email to the office. Returns how many addresses it went to."""
    contact = Contact.objects.select_related("owner").filter(pk=contact_id).first()
    if contact is None:
        return 0
    recipients = office_recipients(contact)
    if not recipients:
        return 0
    try:
        link = portal_link("/office/")
    except Exception:  # a schema without a domain (scripts): the email still says what happened
        link = ""
    message = f"{body}\n\nClient: {contact.full_name} <{contact.email}>\n{link}".strip()
    send_office_email(subject=subject, text=message, to=recipients, link=link)
    return len(recipients)
