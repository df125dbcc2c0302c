"""Authenticator-app codes (TOTP, RFC 6238) and single-use recovery codes, for any model that holds
them (an office's staff and clients, the platform's operators).

A factor is a row with ``totp_secret`` (encrypted at rest), ``confirmed_at``, ``last_step`` (the
last time step used, so a code works once) and ``recovery_codes`` (keyed hashes)."""

from __future__ import annotations

import base64
import hashlib
import secrets

import pyotp
from cryptography.fernet import Fernet
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .tokens import token_hash

ISSUER = "Portico"
RECOVERY_CODES = 10
RECOVERY_PURPOSE = "recovery-code"


def _fernet() -> Fernet:
    key = hashlib.sha256(f"portico:second-factor:{settings.SECRET_KEY}".encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def new_secret() -> str:
    """A fresh secret, encrypted for the ``totp_secret`` field."""
    return _fernet().encrypt(pyotp.random_base32().encode()).decode()


def _secret(factor) -> str:
    return _fernet().decrypt(factor.totp_secret.encode()).decode()


def uri(factor, *, label: str) -> str:
    return pyotp.TOTP(_secret(factor)).provisioning_uri(name=label, issuer_name=ISSUER)


def secret_text(factor) -> str:
    """The secret in groups of four, for typing into an app by hand."""
    secret = _secret(factor)
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_svg(text: str) -> str:
    """The set-up QR code as inline SVG (no external request, no script)."""
    import segno

    return segno.make(text, error="m").svg_inline(scale=4, dark="#0f172a", light="#ffffff", title="QR code")


def _step(factor, code: str) -> int | None:
    """The time step ``code`` is valid for (one step of drift either way), or None."""
    totp = pyotp.TOTP(_secret(factor))
    now = timezone.now()
    for drift in (0, -1, 1):
        at = now.timestamp() + drift * totp.interval
        if secrets.compare_digest(totp.at(at), code):
            return int(at // totp.interval)
    return None


def clean(code: str) -> str:
    return "".join(ch for ch in (code or "") if ch.isalnum()).lower()[:20]


def confirm(factor, code: str, *, others=None) -> list[str] | None:
    """Confirm set-up with a first code: the ten recovery codes (shown once), or None. ``others``
    (the holder's other factors) are deleted in the same transaction."""
    step = _step(factor, clean(code))
    if step is None:
        return None
    codes = [secrets.token_hex(5) for _ in range(RECOVERY_CODES)]
    with transaction.atomic():
        if others is not None:
            others.exclude(pk=factor.pk).delete()
        factor.confirmed_at = timezone.now()
        factor.last_step = step
        factor.recovery_codes = [token_hash(c, purpose=RECOVERY_PURPOSE) for c in codes]
        factor.save(update_fields=["confirmed_at", "last_step", "recovery_codes"])
    return [f"{c[:5]}-{c[5:]}" for c in codes]


def verify(factor, code: str) -> str | None:
    """``"totp"`` or ``"recovery_code"`` when ``code`` is good (each works once), else None."""
    code = clean(code)
    with transaction.atomic():
        factor = type(factor).objects.select_for_update().get(pk=factor.pk)
        if code.isdigit() and len(code) == 6:
            step = _step(factor, code)
            if step is not None and step > factor.last_step:
                factor.last_step = step
                factor.save(update_fields=["last_step"])
                return "totp"
            return None
        digest = token_hash(code, purpose=RECOVERY_PURPOSE)
        if digest in factor.recovery_codes:
            factor.recovery_codes = [c for c in factor.recovery_codes if c != digest]
            factor.save(update_fields=["recovery_codes"])
            return "recovery_code"
    return None
