"""Every email Portico sends is built here, once: a plain-text part and an HTML part in one layout,
branded with the office's name, colours and logo (emails from an office, ``portal_core.emails``) or
with the platform's look (sign-up codes, notes to an office's owners). Notification emails (not
sign-in links, resets, codes or invitations) carry a one-click ``List-Unsubscribe`` (RFC 8058)."""

from __future__ import annotations

import html as html_lib
import re
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string


@dataclass(frozen=True)
class Brand:
    """How an email looks: the sender's name, its colours (with a readable text colour on each)
    and an absolute URL of its logo."""

    name: str
    primary: str = "#2563eb"
    on_primary: str = "#ffffff"
    secondary: str = "#1e3a8a"
    on_secondary: str = "#ffffff"
    logo_url: str = ""
    footer: str = ""


def platform_brand() -> Brand:
    """The platform's own look, for emails no office sends."""
    return Brand(name="Portico", footer=f"Portico · {settings.PORTICO_BASE_DOMAIN}")


def text_as_html(text: str) -> str:
    """Plain text as safe HTML: paragraphs at blank lines, line breaks kept. Links stay text (the
    email's button carries the one that matters), so nothing an office or a client typed becomes
    markup."""
    paragraphs = [part.strip("\n") for part in re.split(r"\n\s*\n", text.strip()) if part.strip()]
    return "\n".join("<p>{}</p>".format(html_lib.escape(part).replace("\n", "<br>\n")) for part in paragraphs)


@dataclass(frozen=True)
class Button:
    url: str
    label: str


def email_html(
    *, text: str, brand: Brand, button: Button | None = None, unsubscribe_url: str = "", body_html: str = ""
) -> str:
    """The HTML part of an email whose plain text is ``text`` (or whose body is ``body_html``,
    already safe), in the active language."""
    return render_to_string(
        "tenants/email/layout.html",
        {
            "brand": brand,
            "body_html": body_html or text_as_html(text),
            "button": button,
            "unsubscribe_url": unsubscribe_url,
        },
    )


def email_build(
    *,
    subject: str,
    text: str,
    to: list[str],
    brand: Brand | None = None,
    button: Button | None = None,
    body_html: str = "",
    html: str = "",
    from_email: str | None = None,
    reply_to: list[str] | None = None,
    unsubscribe_url: str = "",
    unsubscribe_text: str = "",
    message_class: type[EmailMultiAlternatives] = EmailMultiAlternatives,
) -> EmailMultiAlternatives:
    """One email with both parts. With ``unsubscribe_url`` (notifications only) the message carries
    ``List-Unsubscribe`` and ``List-Unsubscribe-Post: List-Unsubscribe=One-Click`` and both parts
    end with the link (``unsubscribe_text`` introduces it in the plain text). ``html``: the HTML
    part already rendered by ``email_html`` (with the same ``unsubscribe_url``)."""
    headers = {}
    body = text.strip()
    if unsubscribe_url:
        headers["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        body = f"{body}\n\n--\n{unsubscribe_text or 'Unsubscribe:'} {unsubscribe_url}"
    message = message_class(
        subject=subject, body=body, from_email=from_email, to=to, reply_to=reply_to, headers=headers
    )
    brand = brand or platform_brand()
    html = html or email_html(
        text=text, brand=brand, button=button, unsubscribe_url=unsubscribe_url, body_html=body_html
    )
    message.attach_alternative(html, "text/html")
    return message


def email_send(**kwargs) -> int:
    """Build (``email_build``) and send one email; the number of messages sent (0 or 1)."""
    return email_build(**kwargs).send()
