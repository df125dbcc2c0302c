"""Standard Webhooks signing (https://www.standardwebhooks.com/): what a receiver verifies.

``webhook-id`` is the event id (the same on every retry, so receivers can de-duplicate),
``webhook-timestamp`` the unix time of this attempt, and ``webhook-signature`` a space-separated
list of ``v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">``, one per live secret.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

SECRET_PREFIX = "whsec_"  # noqa: S105 - the format's prefix, not a secret
SECRET_BYTES = 32


def secret_new() -> str:
    """A new signing secret: ``whsec_`` and the base64 of 32 random bytes."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def secret_key(secret: str) -> bytes:
    """The HMAC key a ``whsec_…`` secret stands for (its base64-decoded bytes)."""
    encoded = secret.removeprefix(SECRET_PREFIX)
    return base64.b64decode(encoded + "=" * (-len(encoded) % 4))


def signature(*, secret: str, msg_id: str, timestamp: int, body: str) -> str:
    """One ``v1,<base64>`` signature of this message with this secret."""
    signed = f"{msg_id}.{timestamp}.{body}".encode()
    digest = hmac.new(secret_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def signed_headers(*, secrets: list[str], msg_id: str, timestamp: int, body: str) -> dict[str, str]:
    """The three Standard Webhooks headers; during a rotation, one signature per secret."""
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(
            signature(secret=s, msg_id=msg_id, timestamp=timestamp, body=body) for s in secrets
        ),
    }


def signature_valid(*, secret: str, headers: dict[str, str], body: str) -> bool:
    """Whether one of the header's signatures was made with ``secret`` (no timestamp tolerance)."""
    headers = {k.lower(): v for k, v in headers.items()}
    expected = signature(
        secret=secret, msg_id=headers["webhook-id"], timestamp=int(headers["webhook-timestamp"]), body=body
    )
    return any(hmac.compare_digest(expected, given) for given in headers["webhook-signature"].split())
