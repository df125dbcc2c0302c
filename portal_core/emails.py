"""Emails to clients: the office's own templates (or the defaults), in the client's language,
with the office's sender name and reply-to, sent through Django's email (django-anymail in production)."""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext, ngettext

from tenants.mail import Brand, Button, email_html, email_send

from .branding import text_on
from .email_defaults import DEFAULTS
from .models import EmailTemplate
from .selectors import portal_config_get
from .time_zones import office_time_zone_active

TOKEN_RE = re.compile(r"{{\s*([a-z_]+(?:\.[a-z_]+)?)\s*}}")

# The tokens an office may use in its templates, and what each means.
TOKENS = {
    "portal_link": "The link that signs the client in (or lets them set a password).",
    "contact.first_name": "The client's first name.",
    "contact.last_name": "The client's last name.",
    "contact.email": "The client's email address.",
    "office.name": "Your company name.",
    "custom_message": "Your personal message (invitations).",
    "temporary_password": "The temporary password (invitations with a temporary password).",
    "code": "The verification code (self-registration).",
    "expires_in": "How long the link or code stays valid.",
}


def render_tokens(text: str, values: dict[str, str], *, escape: bool = False) -> str:
    """Replace ``{{ token }}`` with its value; unknown tokens are left visible so an office notices."""

    def replace(match: re.Match) -> str:
        name = match.group(1)
        if name not in values:
            return match.group(0)
        value = str(values[name])
        return html.escape(value) if escape else value

    return TOKEN_RE.sub(replace, text)


def header_text(value, *, limit: int = 200) -> str:
    """A value fit for an email header (a subject, a sender's name): control and format characters
    (line breaks, NUL, bidirectional overrides) become spaces, runs of space one, at most ``limit``
    characters. A client's name can then never stop an email from being built."""
    text = "".join(
        " " if unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp") else char for char in str(value)
    )
    return " ".join(text.split())[:limit]


def _tidy(text: str) -> str:
    """No run of empty lines where an optional token (a custom message) was empty."""
    return re.sub(r"\n{3,}", "\n\n", text).strip()


@dataclass
class RenderedEmail:
    subject: str
    text: str
    html: str


def default_template(kind: str, language: str) -> tuple[str, str]:
    """The built-in (translated) subject and body for ``kind``: the core's, or a module's own
    (``<module>.email_defaults``, through the registry)."""
    if kind in DEFAULTS:
        subject, body = DEFAULTS[kind]
    else:
        from modules.registry import registry

        subject, body = registry.email_defaults()[kind]
    with translation.override(language):
        return str(subject), str(body)


def template_for(kind: str, language: str) -> tuple[str, str]:
    override = EmailTemplate.objects.filter(kind=kind, language=language).first()
    if override is not None:
        return override.subject, override.body
    return default_template(kind, language)


def office_brand(config=None) -> Brand:
    """The current office's look in its emails: its portal name, colours and logo."""
    from tenants.hosts import current_base_url

    config = config or portal_config_get()
    logo_url = ""
    if config.portal_logo:
        try:
            logo_url = f"{current_base_url()}/branding/logo"
        except Exception:  # noqa: BLE001 - a schema without a domain (scripts): no logo, same email
            logo_url = ""
    return Brand(
        name=config.portal_name or config.company_name,
        primary=config.primary_color,
        on_primary=text_on(config.primary_color),
        secondary=config.secondary_color,
        on_secondary=text_on(config.secondary_color),
        logo_url=logo_url,
        footer=config.company_name,
    )


def render_email(
    kind: str, *, language: str, values: dict[str, str], unsubscribe_url: str = ""
) -> RenderedEmail:
    subject, body = template_for(kind, language)
    text = _tidy(render_tokens(body, values))
    portal_link = values.get("portal_link", "")
    with translation.override(language):
        button = Button(portal_link, gettext("Open your portal")) if portal_link else None
        html_body = email_html(
            text=text, brand=office_brand(), button=button, unsubscribe_url=unsubscribe_url
        )
    return RenderedEmail(subject=header_text(render_tokens(subject, values)), text=text, html=html_body)


def supported_language(code: str | None) -> str:
    codes = {c for c, _ in settings.LANGUAGES}
    return code if code in codes else "en"


def duration_text(value: timedelta) -> str:
    """“15 minutes”, “14 days”… in the active language."""
    minutes = int(value.total_seconds() // 60)
    if minutes % (60 * 24) == 0:
        days = minutes // (60 * 24)
        return ngettext("%(count)d day", "%(count)d days", days) % {"count": days}
    if minutes % 60 == 0:
        hours = minutes // 60
        return ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours}
    return ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}


def notification_topic(kind: str) -> str | None:
    """The notification topic an email kind belongs to (a module's ``EMAIL_NOTIFICATIONS``), or
    None for a transactional email (sign-in links, resets, codes, invitations, invoices)."""
    from modules.registry import registry

    for topic, (_label, kinds) in registry.email_notifications().items():
        if kind in kinds:
            return topic
    return None


def send_client_email(
    kind: str, *, to: str, language: str, values: dict, account=None, contact=None, attachments=()
) -> bool:
    """Send one email to a client of the current office, in ``language`` (English when unknown),
    rendered in the office's time zone (``values`` that are times are the caller's to format:
    ``time_zones.office_localtime``). ``attachments``: ``(filename, content, mimetype)`` each (an
    invoice's PDF). Every email has a plain-text and a branded HTML part (``tenants.mail``).

    A notification (``notification_topic``) to ``contact`` carries a one-click unsubscribe link and
    is not sent (False) when the contact unsubscribed from its topic or their address is failing
    (bounces, complaints); transactional emails are always attempted.

    With ``account`` the email is logged as a :class:`SentEmail` whose status follows the email
    provider's tracking webhooks (``email_tracking``): the message carries the office's schema and
    the log row's id as anymail metadata, which providers echo back with every event."""
    from .email_preferences import contact_may_receive, unsubscribe_url

    topic = notification_topic(kind)
    if contact is None and account is not None:
        contact = account.contact or account.company
    if topic and contact is not None and not contact_may_receive(contact=contact, topic=topic):
        return False
    config = portal_config_get()
    language = supported_language(language)
    office_name = config.company_name or config.portal_name
    with translation.override(language):
        values = {
            "office.name": office_name,
            **{k: duration_text(v) if isinstance(v, timedelta) else v for k, v in values.items()},
        }
    unsubscribe = unsubscribe_url(contact=contact, topic=topic) if topic and contact is not None else ""
    with office_time_zone_active():  # any date it shows is the office's time, in the worker too
        rendered = render_email(kind, language=language, values=values, unsubscribe_url=unsubscribe)
    with translation.override(language):
        unsubscribe_text = gettext("Unsubscribe from these emails:")
    from .sender_domains import client_email

    message = client_email(
        subject=rendered.subject,
        body=rendered.text,
        html=rendered.html,
        from_name=header_text(config.email_from_name or office_name, limit=100),
        to=[to],
        reply_to=[config.email_reply_to] if config.email_reply_to else None,
        unsubscribe_url=unsubscribe,
        unsubscribe_text=unsubscribe_text,
    )
    for filename, content, mimetype in attachments:
        message.attach(filename, content, mimetype)
    from .email_tracking import message_metadata, message_track_and_send

    message.metadata = message_metadata()
    if account is None:
        message.send()
        return True
    message_track_and_send(message, kind=kind, account=account)
    return True


def send_office_email(*, subject: str, text: str, to: list[str], link: str = "", link_label: str = "") -> int:
    """A note to the office's own people (what a client did), in the office's look, in English
    like the office console."""
    from .email_preferences import office_notes_may_receive, office_notes_unsubscribe_url

    config = portal_config_get()
    sent = 0
    with translation.override("en"):
        for address in to:  # one message each: each carries its own one-click unsubscribe link
            if not office_notes_may_receive(address):
                continue
            sent += email_send(
                subject=header_text(subject),
                text=text,
                to=[address],
                brand=office_brand(config),
                button=Button(link, link_label or "Open the office") if link else None,
                unsubscribe_url=office_notes_unsubscribe_url(address),
                unsubscribe_text="Stop these emails:",
            )
    return sent
