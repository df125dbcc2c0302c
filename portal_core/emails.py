"""Emails to clients: the office's own templates (or the defaults), in the client's language,
with the office's sender name and reply-to, sent through Django's email (django-anymail in production)."""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import ngettext

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


def render_email(kind: str, *, language: str, values: dict[str, str]) -> RenderedEmail:
    subject, body = template_for(kind, language)
    config = portal_config_get()
    text = _tidy(render_tokens(body, values))
    logo_url = ""
    if config.portal_logo:
        from tenants.hosts import current_base_url

        logo_url = f"{current_base_url()}/branding/logo"
    with translation.override(language):
        html_body = render_to_string(
            "portal_core/email/layout.html",
            {
                "config": config,
                "logo_url": logo_url,
                "body_html": _tidy(render_tokens(html.escape(body), values, escape=True)).replace(
                    "\n", "<br>\n"
                ),
                "portal_link": values.get("portal_link", ""),
            },
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


def send_client_email(
    kind: str, *, to: str, language: str, values: dict, account=None, attachments=()
) -> None:
    """Send one email to a client of the current office, in ``language`` (English when unknown),
    rendered in the office's time zone (``values`` that are times are the caller's to format:
    ``time_zones.office_localtime``). ``attachments``: ``(filename, content, mimetype)`` each (an
    invoice's PDF).

    With ``account`` the email is logged as a :class:`SentEmail` whose status follows the email
    provider's tracking webhooks (``email_tracking``): the message carries the office's schema and
    the log row's id as anymail metadata, which providers echo back with every event."""
    config = portal_config_get()
    language = supported_language(language)
    office_name = config.company_name or config.portal_name
    with translation.override(language):
        values = {
            "office.name": office_name,
            **{k: duration_text(v) if isinstance(v, timedelta) else v for k, v in values.items()},
        }
    with office_time_zone_active():  # any date it shows is the office's time, in the worker too
        rendered = render_email(kind, language=language, values=values)
    from .sender_domains import client_email

    message = client_email(
        subject=rendered.subject,
        body=rendered.text,
        from_name=header_text(config.email_from_name or office_name, limit=100),
        to=[to],
        reply_to=[config.email_reply_to] if config.email_reply_to else None,
    )
    message.attach_alternative(rendered.html, "text/html")
    for filename, content, mimetype in attachments:
        message.attach(filename, content, mimetype)
    if account is None:
        message.send()
        return
    from .email_tracking import message_track_and_send

    message_track_and_send(message, kind=kind, account=account)
