"""Per-token request limits (a fixed one-minute window), counted atomically.

With Redis (``REDIS_URL``, or the test Redis) every process shares one counter per token and window
through INCR, exact under any concurrency. Without Redis (a developer's machine) a process-local
counter under a lock is used: exact within the one process that ``runserver`` is.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

from django.conf import settings

WINDOW = 60
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    limit: int
    remaining: int
    reset: int  # seconds until the window ends

    def headers(self) -> dict[str, str]:
        """IETF httpapi RateLimit fields (draft-ietf-httpapi-ratelimit-headers)."""
        return {
            "RateLimit-Policy": f'"default";q={self.limit};w={WINDOW}',
            "RateLimit": f'"default";r={self.remaining};t={self.reset}',
        }


class _LocalCounter:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[str, int] = {}

    def incr(self, key: str) -> int:
        with self._lock:
            if len(self._counts) > 50_000:
                self._counts.clear()
            self._counts[key] = self._counts.get(key, 0) + 1
            return self._counts[key]


_local = _LocalCounter()
_redis = None

# INCR, and start the window's expiry with its first request: one round trip, atomic in Redis.
_COUNT_SCRIPT = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return count
"""


def _redis_client():
    global _redis
    url = getattr(settings, "PORTICO_RATELIMIT_REDIS_URL", "") or settings.REDIS_URL
    if not url:
        return None
    if _redis is None or _redis[0] != url:
        import redis

        # One connection per process, kept (no pool checkout per request); a lock guards it for threads.
        client = redis.Redis.from_url(url, socket_timeout=2, single_connection_client=True)
        _redis = (url, client, client.script_load(_COUNT_SCRIPT))
    return _redis[1]


def _redis_count(key: str) -> int:
    """EVALSHA straight through ``execute_command`` (redis-py's ``Script`` wrapper costs as much
    again in Python); the script is loaded again if the server lost it (a restart, SCRIPT FLUSH),
    and a connection the server closed is opened again once."""
    global _redis
    import redis

    url, client, sha = _redis
    for attempt in (1, 2):
        try:
            return client.execute_command("EVALSHA", sha, 1, key, WINDOW + 5)
        except redis.exceptions.NoScriptError:
            sha = client.script_load(_COUNT_SCRIPT)
            _redis = (url, client, sha)
        except redis.exceptions.ConnectionError:
            if attempt == 2:
                raise
    return client.execute_command("EVALSHA", sha, 1, key, WINDOW + 5)


_warned_at = 0.0


def _warn_uncounted(exc: Exception) -> None:
    """At most one warning a minute per process, not one per request."""
    global _warned_at
    if time.monotonic() - _warned_at >= WINDOW:
        _warned_at = time.monotonic()
        logger.warning("API requests are not rate limited: the counters cannot be reached (%s)", exc)


def hit(token_id: str, *, limit: int) -> Verdict:
    """Count one request for ``token_id`` in the current minute."""
    now = time.time()
    window = int(now // WINDOW)
    reset = max(1, int((window + 1) * WINDOW - now))
    key = f"portico:ratelimit:api:{token_id}:{window}"
    import redis

    try:
        client = _redis_client()
        count = _local.incr(key) if client is None else _redis_count(key)
    except (redis.exceptions.RedisError, OSError) as exc:
        # The API stays open while Redis is down (documented); the warning says it is uncounted.
        _warn_uncounted(exc)
        return Verdict(allowed=True, limit=limit, remaining=limit, reset=reset)
    return Verdict(allowed=count <= limit, limit=limit, remaining=max(0, limit - count), reset=reset)
