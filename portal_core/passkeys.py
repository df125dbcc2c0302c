"""Passkeys (WebAuthn) for staff and clients: registered from the security pages, given as the
second factor after a password, or used alone to sign in (a discoverable credential with user
verification counts as both factors).

The relying party is the office's own host (the RP ID is its host name, the origin its scheme and
host), so a passkey made for one office is useless on another, and each office's credentials live
in its own schema. Every ceremony's challenge is kept in the session for one purpose and taken out
on first use: a replayed or foreign answer finds no challenge and is refused."""

from __future__ import annotations

import hashlib
import hmac
import json
import time

from django.conf import settings
from django.db import transaction
from django.http import JsonResponse
from django.utils import timezone
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from .input_guard import loads_bounded
from .models import Passkey

SESSION_KEY = "_passkey_challenges"
CHALLENGE_SECONDS = 300
MAX_BODY = 64 * 1024
NAME_LENGTH = 60
REGISTER, SIGN_IN, SECOND_FACTOR = "register", "sign-in", "second-factor"


class PasskeyRefused(Exception):
    """The browser's answer does not hold (no challenge, wrong origin, unknown credential, bad
    signature...). One message for every reason, so nothing is learnt from the refusal."""


def rp_id(request) -> str:
    """The office's host name, without the port."""
    host = request.get_host()
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def origin(request) -> str:
    return f"{request.scheme}://{request.get_host()}"


def _schema() -> str:
    from django.db import connection

    return getattr(connection, "schema_name", "public")


def user_handle(kind: str, holder_id: int) -> bytes:
    """The opaque user handle stored on the authenticator: no email, no database id in clear."""
    key = f"portico:passkey-user:{settings.SECRET_KEY}".encode()
    return hmac.new(key, f"{_schema()}:{kind}:{holder_id}".encode(), hashlib.sha256).digest()


def passkeys_of(kind: str, holder_id: int):
    return Passkey.objects.filter(holder_kind=kind, holder_id=holder_id)


def has_passkey(kind: str, holder_id: int) -> bool:
    return passkeys_of(kind, holder_id).exists()


# --- challenges -----------------------------------------------------------------------------------


def _keep(request, purpose: str, challenge: bytes, *, kind: str, holder_id: int | None) -> None:
    challenges = dict(request.session.get(SESSION_KEY) or {})
    challenges[purpose] = {
        "c": bytes_to_base64url(challenge),
        "k": kind,
        "h": holder_id,
        "at": int(time.time()),
    }
    request.session[SESSION_KEY] = challenges


def _take(request, purpose: str, *, kind: str, holder_id: int | None) -> bytes:
    """The challenge given for ``purpose``, taken out of the session (it works once)."""
    challenges = dict(request.session.get(SESSION_KEY) or {})
    kept = challenges.pop(purpose, None)
    request.session[SESSION_KEY] = challenges
    if (
        not kept
        or kept.get("k") != kind
        or kept.get("h") != holder_id
        or time.time() - kept.get("at", 0) > CHALLENGE_SECONDS
    ):
        raise PasskeyRefused
    return base64url_to_bytes(kept["c"])


def _descriptors(kind: str, holder_id: int) -> list[PublicKeyCredentialDescriptor]:
    known = {t.value for t in AuthenticatorTransport}
    return [
        PublicKeyCredentialDescriptor(
            id=base64url_to_bytes(passkey.credential_id),
            transports=[AuthenticatorTransport(t) for t in passkey.transports if t in known] or None,
        )
        for passkey in passkeys_of(kind, holder_id)
    ]


# --- registration ---------------------------------------------------------------------------------


def registration_options(
    request, *, kind: str, holder_id: int, user_name: str, display_name: str, rp_name: str
) -> dict:
    options = generate_registration_options(
        rp_id=rp_id(request),
        rp_name=rp_name[:60] or "Portico",
        user_name=user_name,
        user_id=user_handle(kind, holder_id),
        user_display_name=display_name or user_name,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED,
            user_verification=UserVerificationRequirement.REQUIRED,
        ),
        exclude_credentials=_descriptors(kind, holder_id),
    )
    _keep(request, REGISTER, options.challenge, kind=kind, holder_id=holder_id)
    return json.loads(options_to_json(options))


def registration_verify(request, *, kind: str, holder_id: int, credential, name: str) -> Passkey:
    challenge = _take(request, REGISTER, kind=kind, holder_id=holder_id)
    name = " ".join(str(name or "").split())[:NAME_LENGTH]
    if not name or not isinstance(credential, dict):
        raise PasskeyRefused
    try:
        verified = verify_registration_response(
            credential=credential,
            expected_challenge=challenge,
            expected_rp_id=rp_id(request),
            expected_origin=origin(request),
            require_user_verification=True,
        )
    except (WebAuthnException, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise PasskeyRefused from exc
    credential_id = bytes_to_base64url(verified.credential_id)
    transports = (credential.get("response") or {}).get("transports") or []
    with transaction.atomic():
        if Passkey.objects.filter(credential_id=credential_id).exists():
            raise PasskeyRefused
        return Passkey.objects.create(
            holder_kind=kind,
            holder_id=holder_id,
            name=name,
            credential_id=credential_id,
            public_key=verified.credential_public_key,
            sign_count=verified.sign_count,
            transports=[str(t)[:20] for t in transports if isinstance(t, str)][:8],
        )


# --- authentication -------------------------------------------------------------------------------


def authentication_options(request, *, purpose: str, kind: str, holder_id: int | None = None) -> dict:
    """For a sign-in (``holder_id`` None: the browser offers the passkeys it holds for this host) or
    for the second factor of the person whose password was just proven."""
    options = generate_authentication_options(
        rp_id=rp_id(request),
        allow_credentials=_descriptors(kind, holder_id) if holder_id is not None else None,
        user_verification=(
            UserVerificationRequirement.REQUIRED
            if purpose == SIGN_IN
            else UserVerificationRequirement.PREFERRED
        ),
    )
    _keep(request, purpose, options.challenge, kind=kind, holder_id=holder_id)
    return json.loads(options_to_json(options))


def authentication_verify(
    request, *, purpose: str, kind: str, credential, holder_id: int | None = None
) -> Passkey:
    """The passkey that answered the challenge; its counter and "last used" are updated."""
    challenge = _take(request, purpose, kind=kind, holder_id=holder_id)
    if not isinstance(credential, dict) or not isinstance(credential.get("id"), str):
        raise PasskeyRefused
    passkeys = Passkey.objects.filter(holder_kind=kind, credential_id=credential["id"][:1400])
    if holder_id is not None:
        passkeys = passkeys.filter(holder_id=holder_id)
    with transaction.atomic():
        passkey = passkeys.select_for_update().first()
        if passkey is None:
            raise PasskeyRefused
        handle = (credential.get("response") or {}).get("userHandle")
        expected = bytes_to_base64url(user_handle(kind, passkey.holder_id))
        if (purpose == SIGN_IN or handle) and not (
            isinstance(handle, str) and hmac.compare_digest(handle, expected)
        ):
            raise PasskeyRefused
        try:
            verified = verify_authentication_response(
                credential=credential,
                expected_challenge=challenge,
                expected_rp_id=rp_id(request),
                expected_origin=origin(request),
                credential_public_key=bytes(passkey.public_key),
                credential_current_sign_count=passkey.sign_count,
                require_user_verification=purpose == SIGN_IN,
            )
        except (WebAuthnException, ValueError, KeyError, TypeError, AttributeError) as exc:
            raise PasskeyRefused from exc
        passkey.sign_count = verified.new_sign_count
        passkey.last_used_at = timezone.now()
        passkey.save(update_fields=["sign_count", "last_used_at"])
    return passkey


# --- the JSON the browser posts -------------------------------------------------------------------


def read_body(request) -> dict:
    """The posted JSON object (small), or an empty one."""
    if len(request.body) > MAX_BODY:
        return {}
    try:
        body = loads_bounded(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        return {}
    return body if isinstance(body, dict) else {}


def refused(message: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"message": message}, status=status)


def limited(exc) -> JsonResponse:
    response = JsonResponse({"message": exc.message()}, status=exc.status)
    response["Retry-After"] = str(exc.retry_after)
    return response
