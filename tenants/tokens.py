"""Secret tokens: random, stored only as a keyed hash, compared in constant time."""

import hashlib
import hmac
import secrets

from django.conf import settings


def new_token(nbytes: int = 32) -> str:
    return secrets.token_urlsafe(nbytes)


def new_code(digits: int = 6) -> str:
    return f"{secrets.randbelow(10**digits):0{digits}d}"


def token_hash(token: str, *, purpose: str) -> str:
    key = hashlib.sha256(f"portico:{purpose}:{settings.SECRET_KEY}".encode()).digest()
    return hmac.new(key, token.encode(), hashlib.sha256).hexdigest()


def token_matches(token: str, stored_hash: str, *, purpose: str) -> bool:
    return hmac.compare_digest(token_hash(token, purpose=purpose), stored_hash)
