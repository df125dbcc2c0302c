"""Fixed-window rate limits counted atomically in the shared cache (Redis in production)."""

import hashlib
import time

from django.core.cache import cache


class RateLimited(Exception):
    def __init__(self, retry_after: int):
        super().__init__(retry_after)
        self.retry_after = retry_after


def _key(scope: str, ident: str, window: int) -> tuple[str, int]:
    bucket = int(time.time() // window)
    digest = hashlib.sha256(ident.lower().encode()).hexdigest()[:32]
    return f"ratelimit:{scope}:{digest}:{bucket}", window - int(time.time() % window)


def hit(scope: str, ident: str, *, limit: int, window: int) -> None:
    """Count one attempt; raise RateLimited once ``limit`` attempts were made in the window."""
    key, remaining = _key(scope, ident, window)
    cache.add(key, 0, timeout=window + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window + 1)
        count = 1
    if count > limit:
        raise RateLimited(retry_after=max(1, remaining))


def check_all(
    request,
    scope: str,
    *,
    account_ident: str = "",
    ip_limit: int = 20,
    account_limit: int = 5,
    window: int = 300,
) -> None:
    """Per-IP and (if given) per-account limits for one kind of attempt."""
    hit(f"{scope}:ip", client_ip(request), limit=ip_limit, window=window)
    if account_ident:
        hit(f"{scope}:account", account_ident, limit=account_limit, window=window)


def client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "") or "unknown"
