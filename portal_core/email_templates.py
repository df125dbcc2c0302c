"""The office's own wording of client emails: one optional override per kind and language
(``EmailTemplate``); without one, the built-in default of ``email_defaults`` is sent."""

from __future__ import annotations

import re
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation

from .access import INVITATION_DAYS, MAGIC_LINK_MINUTES, REGISTRATION_MINUTES, RESET_MINUTES
from .emails import TOKENS, RenderedEmail, duration_text, render_email
from .models import EmailTemplate
from .selectors import portal_config_get

SUBJECT_MAX_LENGTH = EmailTemplate._meta.get_field("subject").max_length

# Anything between double braces, so that typos (“{{ Contact.Name }}”, “{{ first name }}”) are caught
# too, not only the names ``emails.TOKEN_RE`` would replace.
ANY_TOKEN_RE = re.compile(r"{{\s*(.*?)\s*}}")

# The token without which an email of each kind is useless to the client.
REQUIRED_TOKEN = {
    EmailTemplate.Kind.INVITATION: "portal_link",
    EmailTemplate.Kind.MAGIC_LINK: "portal_link",
    EmailTemplate.Kind.LOGIN_EMAIL: "portal_link",
    EmailTemplate.Kind.PASSWORD_RESET: "portal_link",
    EmailTemplate.Kind.VERIFICATION_CODE: "code",
}

# What each kind is for, and which link the sample preview uses.
KIND_DESCRIPTIONS = {
    EmailTemplate.Kind.INVITATION: "Sent when you invite a client to the portal, with a set-password link.",
    EmailTemplate.Kind.MAGIC_LINK: "A one-click sign-in link, asked for by a client or sent by you.",
    EmailTemplate.Kind.LOGIN_EMAIL: "The one-click sign-in email you send to one or many clients at once.",
    EmailTemplate.Kind.PASSWORD_RESET: "Sent when a client asks to choose a new password.",
    EmailTemplate.Kind.VERIFICATION_CODE: "The code clients enter to confirm their email when they sign up.",
}
_SAMPLE_PATHS = {
    EmailTemplate.Kind.INVITATION: ("/auth/invite/sample-link", timedelta(days=INVITATION_DAYS)),
    EmailTemplate.Kind.MAGIC_LINK: ("/auth/magic/sample-link", timedelta(minutes=MAGIC_LINK_MINUTES)),
    EmailTemplate.Kind.LOGIN_EMAIL: ("/auth/magic/sample-link", timedelta(minutes=MAGIC_LINK_MINUTES)),
    EmailTemplate.Kind.PASSWORD_RESET: ("/auth/reset/sample-link", timedelta(minutes=RESET_MINUTES)),
    EmailTemplate.Kind.VERIFICATION_CODE: ("/auth/signup/verify", timedelta(minutes=REGISTRATION_MINUTES)),
}


def unknown_tokens(text: str) -> list[str]:
    """The ``{{ … }}`` names in ``text`` that are not in ``emails.TOKENS``, each once, in order."""
    found: list[str] = []
    for match in ANY_TOKEN_RE.finditer(text or ""):
        name = match.group(1)
        if name not in TOKENS and name not in found:
            found.append(name)
    return found


def _braced(names: list[str]) -> str:
    return ", ".join(f"{{{{ {name} }}}}" if name else "{{ }}" for name in names)


def _unknown_tokens_error(names: list[str]) -> str:
    label = "Unknown token" if len(names) == 1 else "Unknown tokens"
    return f"{label}: {_braced(names)}. Use only the tokens listed with the editor."


def email_template_validate(*, kind: str, language: str, subject: str, body: str) -> None:
    """Raise a ``ValidationError`` keyed by field (``subject``, ``body``, ``__all__``) when a template
    cannot be sent: unknown kind or language, empty or over-long subject, empty body, unknown tokens,
    or a body without the link (or code) the email exists to deliver."""
    errors: dict[str, list[str]] = {}
    if kind not in EmailTemplate.Kind.values:
        errors.setdefault("__all__", []).append(f"There is no email of the kind “{kind}”.")
    if language not in {code for code, _name in settings.LANGUAGES}:
        errors.setdefault("__all__", []).append(f"Portico does not send emails in “{language}”.")
    subject = (subject or "").strip()
    if not subject:
        errors.setdefault("subject", []).append("Write a subject.")
    elif len(subject) > SUBJECT_MAX_LENGTH:
        errors.setdefault("subject", []).append(
            f"Keep the subject to {SUBJECT_MAX_LENGTH} characters (it has {len(subject)})."
        )
    if "\n" in subject or "\r" in subject:
        errors.setdefault("subject", []).append("The subject must be a single line.")
    if names := unknown_tokens(subject):
        errors.setdefault("subject", []).append(_unknown_tokens_error(names))
    if not (body or "").strip():
        errors.setdefault("body", []).append("Write the text of the email.")
    else:
        if names := unknown_tokens(body):
            errors.setdefault("body", []).append(_unknown_tokens_error(names))
        required = REQUIRED_TOKEN.get(kind)
        if required and required not in {match.group(1) for match in ANY_TOKEN_RE.finditer(body)}:
            purpose = "code" if required == "code" else "link"
            errors.setdefault("body", []).append(
                f"Include {{{{ {required} }}}}: without it your client receives no {purpose}."
            )
    if errors:
        raise ValidationError(errors)


def email_template_save(*, kind: str, language: str, subject: str, body: str) -> EmailTemplate:
    """Create or replace the office's wording of ``kind`` in ``language``. From then on every email of
    that kind to a client with that language uses it. Raises ``ValidationError`` (see
    ``email_template_validate``)."""
    email_template_validate(kind=kind, language=language, subject=subject, body=body)
    subject, body = subject.strip(), body.strip().replace("\r\n", "\n")
    with transaction.atomic():
        template = EmailTemplate.objects.select_for_update().filter(kind=kind, language=language).first()
        template = template or EmailTemplate(kind=kind, language=language)
        template.subject, template.body = subject, body
        template.full_clean(validate_unique=False)
        template.save()
    return template


def email_template_reset(*, kind: str, language: str) -> bool:
    """Go back to the built-in wording of ``kind`` in ``language``. True when an override was removed."""
    deleted, _ = EmailTemplate.objects.filter(kind=kind, language=language).delete()
    return bool(deleted)


def email_template_is_customised(*, kind: str, language: str) -> bool:
    return EmailTemplate.objects.filter(kind=kind, language=language).exists()


def email_template_customised() -> set[tuple[str, str]]:
    """``(kind, language)`` of every override the office has (one query)."""
    return set(EmailTemplate.objects.values_list("kind", "language"))


def email_template_sample_values(*, kind: str, language: str, base_url: str) -> dict[str, str]:
    """Believable values for every token, as ``emails.send_client_email`` would fill them in."""
    config = portal_config_get()
    path, lifetime = _SAMPLE_PATHS.get(kind, ("/auth/signin", timedelta(days=1)))
    with translation.override(language):
        expires_in = duration_text(lifetime)
    return {
        "office.name": config.company_name or config.portal_name,
        "portal_link": f"{base_url.rstrip('/')}{path}",
        "contact.first_name": "Alex",
        "contact.last_name": "Sample",
        "contact.email": "alex.sample@example.com",
        "custom_message": "This is where your personal message goes.",
        "temporary_password": "Sample-Pass-1234!",
        "code": "482913",
        "expires_in": expires_in,
    }


def email_template_preview(
    *, kind: str, language: str, values: dict[str, str], subject: str | None = None, body: str | None = None
) -> RenderedEmail:
    """The email as a client would receive it, rendered by ``emails.render_email`` (the path real
    emails take). With ``subject`` and ``body``, an unsaved draft is rendered as though it were saved,
    inside a savepoint that is always rolled back; validate the draft first."""
    if subject is None or body is None:
        return render_email(kind, language=language, values=values)
    with transaction.atomic():
        EmailTemplate.objects.update_or_create(
            kind=kind, language=language, defaults={"subject": subject.strip(), "body": body.strip()}
        )
        rendered = render_email(kind, language=language, values=values)
        transaction.set_rollback(True)
    return rendered
