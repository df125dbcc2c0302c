"""Two-factor sign-in for staff and clients: an authenticator app (TOTP, RFC 6238) with ten
single-use recovery codes, and "remember this device for 30 days".

A sign-in that proved the first factor (a password, an emailed link, an access link) of someone
with a second factor is held as *pending* in the session until the second factor is given; only
then does the real sign-in happen. A remembered device carries a signed cookie bound to the
person's credentials generation, so a password change or "sign out everywhere" forgets it too."""

from __future__ import annotations

import base64
import hashlib
import secrets

import pyotp
from cryptography.fernet import Fernet
from django.conf import settings
from django.core import signing
from django.db import transaction
from django.utils import timezone

from tenants import credentials
from tenants.tokens import token_hash

from .models import SecondFactor

ISSUER = "Portico"
RECOVERY_CODES = 10
REMEMBER_DAYS = 30
REMEMBER_COOKIE = "portico_device"
RECOVERY_PURPOSE = "recovery-code"
STAFF, CLIENT = SecondFactor.Holder.STAFF, SecondFactor.Holder.CLIENT


def _fernet() -> Fernet:
    key = hashlib.sha256(f"portico:second-factor:{settings.SECRET_KEY}".encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def _secret(factor: SecondFactor) -> str:
    return _fernet().decrypt(factor.totp_secret.encode()).decode()


def second_factor_of(kind: str, holder_id: int) -> SecondFactor | None:
    """The holder's confirmed second factor, if any."""
    return SecondFactor.objects.filter(
        holder_kind=kind, holder_id=holder_id, confirmed_at__isnull=False
    ).first()


def has_second_factor(kind: str, holder_id: int) -> bool:
    """An authenticator app or at least one passkey: either one is asked after the password, and
    either one meets an office's "require two-factor"."""
    from .models import Passkey

    return (
        second_factor_of(kind, holder_id) is not None
        or Passkey.objects.filter(holder_kind=kind, holder_id=holder_id).exists()
    )


def totp_begin(*, kind: str, holder_id: int) -> SecondFactor:
    """A new, unconfirmed secret (replacing an unconfirmed one); confirmed by a first good code."""
    secret = pyotp.random_base32()
    factor, _ = SecondFactor.objects.update_or_create(
        holder_kind=kind,
        holder_id=holder_id,
        confirmed_at__isnull=True,
        defaults={"totp_secret": _fernet().encrypt(secret.encode()).decode(), "recovery_codes": []},
    )
    return factor


def totp_uri(factor: SecondFactor, *, label: str) -> str:
    return pyotp.TOTP(_secret(factor)).provisioning_uri(name=label, issuer_name=ISSUER)


def totp_secret_text(factor: SecondFactor) -> str:
    secret = _secret(factor)
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_svg(uri: str) -> str:
    """The set-up QR code as inline SVG (no external request, no script)."""
    import segno

    return segno.make(uri, error="m").svg_inline(scale=4, dark="#0f172a", light="#ffffff", title="QR code")


def _totp_step(factor: SecondFactor, code: str) -> int | None:
    """The time step ``code`` is valid for (one step of drift either way), or None."""
    totp = pyotp.TOTP(_secret(factor))
    now = timezone.now()
    for drift in (0, -1, 1):
        at = now.timestamp() + drift * totp.interval
        if secrets.compare_digest(totp.at(at), code):
            return int(at // totp.interval)
    return None


def _clean(code: str) -> str:
    return "".join(ch for ch in (code or "") if ch.isalnum()).lower()[:20]


def totp_confirm(*, factor: SecondFactor, code: str) -> list[str] | None:
    """Confirm set-up with a first code: the ten recovery codes (shown once), or None."""
    step = _totp_step(factor, _clean(code))
    if step is None:
        return None
    codes = [secrets.token_hex(5) for _ in range(RECOVERY_CODES)]
    with transaction.atomic():
        SecondFactor.objects.filter(holder_kind=factor.holder_kind, holder_id=factor.holder_id).exclude(
            pk=factor.pk
        ).delete()
        factor.confirmed_at = timezone.now()
        factor.last_step = step
        factor.recovery_codes = [token_hash(c, purpose=RECOVERY_PURPOSE) for c in codes]
        factor.save(update_fields=["confirmed_at", "last_step", "recovery_codes"])
    return [f"{c[:5]}-{c[5:]}" for c in codes]


def second_factor_verify(*, factor: SecondFactor, code: str) -> str | None:
    """``"totp"`` or ``"recovery_code"`` when ``code`` is good (each works once), else None."""
    code = _clean(code)
    with transaction.atomic():
        factor = SecondFactor.objects.select_for_update().get(pk=factor.pk)
        if code.isdigit() and len(code) == 6:
            step = _totp_step(factor, code)
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


def second_factor_remove(*, kind: str, holder_id: int) -> bool:
    removed, _ = SecondFactor.objects.filter(holder_kind=kind, holder_id=holder_id).delete()
    return bool(removed)


# --- remembered devices ---------------------------------------------------------------------------


def _generation_kind(kind: str) -> str:
    return credentials.CLIENT if kind == CLIENT else credentials.USER


def _cookie_name(kind: str, holder_id: int) -> str:
    return f"{REMEMBER_COOKIE}_{kind}_{holder_id}"


def remember_device(response, *, kind: str, holder_id: int, secure: bool) -> None:
    value = signing.dumps(
        {"k": kind, "i": holder_id, "g": credentials.current(_generation_kind(kind), holder_id)},
        salt="portico.remembered-device",
    )
    response.set_cookie(
        _cookie_name(kind, holder_id),
        value,
        max_age=REMEMBER_DAYS * 86400,
        httponly=True,
        secure=secure,
        samesite="Lax",
    )


def device_remembered(request, *, kind: str, holder_id: int) -> bool:
    raw = request.COOKIES.get(_cookie_name(kind, holder_id))
    if not raw:
        return False
    try:
        data = signing.loads(raw, salt="portico.remembered-device", max_age=REMEMBER_DAYS * 86400)
    except signing.BadSignature:
        return False
    return (
        data.get("k") == kind
        and data.get("i") == holder_id
        and credentials.is_current(_generation_kind(kind), holder_id, data.get("g"))
    )
