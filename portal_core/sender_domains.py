"""Sending from the office's own domain: Portico shows the SPF include, a DKIM key it generated and a
return-path CNAME, checks them with the custom domains' DNS verifier (``tenants.domains``), and only
once all three verify sends the office's emails from its own address, signed with that key. Until
then, and again as soon as a record goes missing, emails leave from the platform's address with the
office's sender name and reply-to."""

from __future__ import annotations

import base64
from datetime import timedelta
from email.utils import formataddr, parseaddr

import dkim
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from tenants.domains import FOUND, MISSING, WRONG, Record, dns_lookup, domain_validate, record_result
from tenants.mail import email_build
from tenants.queue import enqueue_at

from .access import _fernet
from .models import SenderDomain

RETURN_PATH_LABEL = "portico-bounces"
# RFC 8058: the signature covers the one-click unsubscribe headers too.
SIGNED_HEADERS = [
    b"From", b"To", b"Subject", b"Date", b"Message-ID", b"Reply-To", b"List-Unsubscribe",
    b"List-Unsubscribe-Post",
]  # fmt: skip


def spf_include() -> str:
    return settings.PORTICO_SPF_INCLUDE or f"spf.{settings.PORTICO_BASE_DOMAIN}"


def return_path_host() -> str:
    return settings.PORTICO_RETURN_PATH_HOST or f"bounces.{settings.PORTICO_BASE_DOMAIN}"


def sender_domain_get() -> SenderDomain | None:
    return SenderDomain.objects.first()


def records_for(sender: SenderDomain) -> list[Record]:
    """What the office adds at its registrar for ``sender``'s domain."""
    domain = sender.domain
    return [
        Record("spf", "TXT", domain, f"v=spf1 include:{spf_include()} ~all"),
        Record(
            "dkim", "TXT", f"{sender.selector}._domainkey.{domain}", f"v=DKIM1; k=rsa; p={sender.public_key}"
        ),
        Record("return_path", "CNAME", f"{RETURN_PATH_LABEL}.{domain}", return_path_host()),
    ]


def _dkim_key(value: str) -> str:
    tags = dict(part.strip().split("=", 1) for part in value.split(";") if "=" in part)
    return tags.get("p", "").replace(" ", "")


def _check(record: Record, sender: SenderDomain) -> dict:
    rtype = record.type
    seen = dns_lookup(record.name, rtype)
    if record.key == "spf":
        spf = [value for value in seen if value.lower().startswith("v=spf1")]
        include = f"include:{spf_include()}".lower()
        found = any(include in value.lower().split() for value in spf)
        return record_result(record, FOUND if found else WRONG if spf else MISSING, spf or seen)
    if record.key == "dkim":
        found = any(_dkim_key(value) == sender.public_key for value in seen)
    else:
        found = record.value in seen
    return record_result(record, FOUND if found else WRONG if seen else MISSING, seen)


def sender_domain_set(*, address: str) -> SenderDomain:
    """The office's own sender address, with a new DKIM key (pending until its records verify);
    another address replaces the one before."""
    address = (address or "").strip().lower()
    try:
        validate_email(address)
    except ValidationError as exc:
        raise ValidationError("Enter an email address such as hello@youragency.com.", code="invalid") from exc
    domain_validate(address.rsplit("@", 1)[1])
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    public = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    with transaction.atomic():
        SenderDomain.objects.all().delete()
        sender = SenderDomain.objects.create(
            address=address,
            private_key_encrypted=_fernet().encrypt(private).decode(),
            public_key=base64.b64encode(public).decode(),
        )
    return sender_domain_check(sender=sender)


def sender_domain_check(*, sender: SenderDomain) -> SenderDomain:
    """Look the records up now: verified when all three are found, pending again when one is not."""
    results = [_check(record, sender) for record in records_for(sender)]
    now = timezone.now()
    sender.results = results
    sender.checked_at = now
    if all(result["state"] == FOUND for result in results):
        if sender.status != SenderDomain.Status.VERIFIED:
            sender.verified_at = now
        sender.status = SenderDomain.Status.VERIFIED
    else:
        sender.status = SenderDomain.Status.PENDING
    sender.save()
    # Checked again on its own: while pending every 10 minutes for two days, then every 6 hours (a
    # record removed later sends the office's emails from the platform's address again).
    pending_for = now - sender.created
    if sender.status == SenderDomain.Status.VERIFIED or pending_for > timedelta(days=2):
        due = now + timedelta(hours=6)
    else:
        due = now + timedelta(minutes=10)
    enqueue_at(due, sender_domain_recheck, sender.pk, log_success=False)
    return sender


def sender_domain_recheck(sender_id: int) -> None:
    """The background check a timer runs in the office's schema (nothing for a replaced address)."""
    sender = SenderDomain.objects.filter(pk=sender_id).first()
    if sender is not None:
        sender_domain_check(sender=sender)


def sender_domain_remove() -> None:
    SenderDomain.objects.all().delete()


class SignedEmail(EmailMultiAlternatives):
    """A message DKIM-signed with the office's key when it is built; built once, so what the
    backend sends is exactly what was signed."""

    dkim_domain: str = ""
    dkim_selector: str = ""
    dkim_private_key: bytes = b""

    def message(self, *args, **kwargs):
        built = getattr(self, "_signed", None)
        if built is None:
            built = super().message(*args, **kwargs)
            signature = dkim.sign(
                built.as_bytes(linesep="\r\n"),
                self.dkim_selector.encode(),
                self.dkim_domain.encode(),
                self.dkim_private_key,
                include_headers=[h for h in SIGNED_HEADERS if built.get(h.decode())],
            )
            name, _, value = signature.decode().partition(":")
            built[name] = value.strip().replace("\r\n", "")
            self._signed = built
        return built


def client_email(
    *,
    subject: str,
    body: str,
    html: str,
    from_name: str,
    to: list[str],
    reply_to: list[str] | None,
    unsubscribe_url: str = "",
    unsubscribe_text: str = "",
):
    """An email to clients (both parts, ``tenants.mail.email_build``) from the office's own verified
    address (signed), else from the platform's address with the office's name."""
    sender = sender_domain_get()
    parts = {
        "subject": subject,
        "text": body,
        "html": html,
        "to": to,
        "reply_to": reply_to,
        "unsubscribe_url": unsubscribe_url,
        "unsubscribe_text": unsubscribe_text,
    }
    if sender is not None and sender.status == SenderDomain.Status.VERIFIED:
        message = email_build(
            **parts, from_email=formataddr((from_name, sender.address)), message_class=SignedEmail
        )
        message.dkim_domain = sender.domain
        message.dkim_selector = sender.selector
        message.dkim_private_key = _fernet().decrypt(sender.private_key_encrypted.encode())
        return message
    _, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    return email_build(**parts, from_email=formataddr((from_name, address)))
