"""Atomic counters in fixed windows, shared by every process, in the ``platform`` cache: one Redis
script (INCR, then EXPIRE on the first count) when that cache is Redis, the cache's atomic
``add``/``incr`` otherwise (the database or local-memory cache)."""

from __future__ import annotations

import hashlib
import time

from django.core.cache import caches

_COUNT_SCRIPT = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return count
"""


def _cache():
    return caches["platform"]


def _redis_for(cache, key: str):
    """The Redis client behind Django's Redis cache backend, or None for any other backend."""
    from django.core.cache.backends.redis import RedisCacheClient

    backend = getattr(cache, "_cache", None)
    if not isinstance(backend, RedisCacheClient):
        return None
    return backend.get_client(key, write=True)


def _count_key(key: str, timeout: int) -> int:
    cache = _cache()
    full_key = cache.make_and_validate_key(key)
    client = _redis_for(cache, full_key)
    if client is not None:
        return int(client.register_script(_COUNT_SCRIPT)(keys=[full_key], args=[timeout]))
    cache.add(key, 0, timeout=timeout)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=timeout)
        return 1


def window_key(scope: str, ident: str, window: int) -> tuple[str, int]:
    """The key of the current window for ``ident`` and the seconds left in it."""
    now = time.time()
    bucket = int(now // window)
    digest = hashlib.sha256(ident.strip().lower().encode()).hexdigest()[:32]
    return f"portico:count:{scope}:{digest}:{bucket}", max(1, int((bucket + 1) * window - now))


def count(scope: str, ident: str, *, window: int) -> tuple[int, int]:
    """Count one event for ``ident`` in this window: (events so far, seconds left in the window)."""
    key, remaining = window_key(scope, ident, window)
    return _count_key(key, window + 1), remaining


def peek(scope: str, ident: str, *, window: int) -> int:
    key, _ = window_key(scope, ident, window)
    return int(_cache().get(key) or 0)


def reset(scope: str, ident: str, *, window: int) -> None:
    key, _ = window_key(scope, ident, window)
    _cache().delete(key)
