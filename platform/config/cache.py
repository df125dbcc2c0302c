"""Django's Redis cache, keeping one client per connection pool, and acting as an empty cache while
Redis cannot be reached.

Django's ``RedisCacheClient.get_client`` builds a new ``redis.Redis`` for every cache call, and each
one copies redis-py's table of response callbacks (~170 entries): about 0.15 ms per call, as much as
the round trip itself. A ``redis.Redis`` is thread-safe and only borrows connections from its pool,
so one per pool serves every call.

While Redis is down (refused, timed out), reads miss and writes are dropped, with a warning at most
once a minute per process: every cached value has its source of truth in the database, so pages
and the API keep working, only slower. The shared attempt counters of sign-in do not go through
this (``tenants.counting`` talks to Redis itself, and sign-in fails closed); nor do the API's rate
counters (``portal_core.api.ratelimit``, open with a warning). A change made while Redis is down is
seen by the other processes at the next change after it is back (their routes, from the database).
"""

import functools
import logging
import time

import redis
from django.core.cache.backends import redis as django_redis

logger = logging.getLogger(__name__)
UNREACHABLE = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)
_warned_at = [0.0]


def _warn(exc: Exception) -> None:
    if time.monotonic() - _warned_at[0] >= 60:
        _warned_at[0] = time.monotonic()
        logger.warning("the cache (Redis) cannot be reached, acting as an empty cache: %s", exc)


def _soft(fallback):
    """The method, answering ``fallback(*args)`` instead of raising while Redis is unreachable."""

    def decorate(method):
        @functools.wraps(method)
        def wrapper(self, *args, **kwargs):
            try:
                return method(self, *args, **kwargs)
            except UNREACHABLE as exc:
                _warn(exc)
                return fallback(*args)

        return wrapper

    return decorate


class RedisCacheClient(django_redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    add = _soft(lambda *args: False)(django_redis.RedisCacheClient.add)
    get = _soft(lambda key, default: default)(django_redis.RedisCacheClient.get)
    set = _soft(lambda *args: None)(django_redis.RedisCacheClient.set)
    touch = _soft(lambda *args: False)(django_redis.RedisCacheClient.touch)
    delete = _soft(lambda *args: False)(django_redis.RedisCacheClient.delete)
    get_many = _soft(lambda *args: {})(django_redis.RedisCacheClient.get_many)
    has_key = _soft(lambda *args: False)(django_redis.RedisCacheClient.has_key)
    incr = _soft(lambda key, delta: delta)(django_redis.RedisCacheClient.incr)
    set_many = _soft(lambda *args: [])(django_redis.RedisCacheClient.set_many)
    delete_many = _soft(lambda *args: None)(django_redis.RedisCacheClient.delete_many)

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = self._client(connection_pool=self._get_connection_pool(write))
        return client


class RedisCache(django_redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
