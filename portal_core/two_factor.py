"""Two-factor sign-in for staff and clients: an authenticator app (TOTP, RFC 6238) with ten
single-use recovery codes, and "remember this device for 30 days".

A sign-in that proved the first factor (a password, an emailed link, an access link) of someone
with a second factor is held as *pending* in the session until the second factor is given; only
then does the real sign-in happen. A remembered device carries a signed cookie bound to the
person's credentials generation, so a password change or "sign out everywhere" forgets it too."""

from __future__ import annotations

from django.core import signing

from tenants import credentials, totp

from .models import SecondFactor

REMEMBER_DAYS = 30
REMEMBER_COOKIE = "portico_device"
STAFF, CLIENT = SecondFactor.Holder.STAFF, SecondFactor.Holder.CLIENT


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
    factor, _ = SecondFactor.objects.update_or_create(
        holder_kind=kind,
        holder_id=holder_id,
        confirmed_at__isnull=True,
        defaults={"totp_secret": totp.new_secret(), "recovery_codes": []},
    )
    return factor


def totp_uri(factor: SecondFactor, *, label: str) -> str:
    return totp.uri(factor, label=label)


totp_secret_text = totp.secret_text
qr_svg = totp.qr_svg


def totp_confirm(*, factor: SecondFactor, code: str) -> list[str] | None:
    """Confirm set-up with a first code: the ten recovery codes (shown once), or None."""
    others = SecondFactor.objects.filter(holder_kind=factor.holder_kind, holder_id=factor.holder_id)
    return totp.confirm(factor, code, others=others)


def second_factor_verify(*, factor: SecondFactor, code: str) -> str | None:
    """``"totp"`` or ``"recovery_code"`` when ``code`` is good (each works once), else None."""
    return totp.verify(factor, code)


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
