from .base import *  # noqa: F403
from .base import REDIS_URL, TENANT_APPS, env

DEBUG = False
# Fast, and counting its verifications (the equal-work tests read the count).
PASSWORD_HASHERS = ["tests.hashers.CountingMD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
PORTICO_ROUTING_RECHECK_SECONDS = 0
PORTICO_POOL_SIZE = env.int("PORTICO_POOL_SIZE", default=2)
PORTICO_POOL_MAX = PORTICO_POOL_SIZE  # a fixed pool, unless a test sizes it from sign-ups
PORTICO_BASE_DOMAIN = "portico.localhost"

# The contract of the module registry is proven by a small module that lives in the test suite.
TENANT_APPS = [*TENANT_APPS, "tests.sample_module"]
INSTALLED_APPS = [*INSTALLED_APPS, "tests.sample_module"]  # noqa: F405

# Tests talk to a real Redis (make test starts one when none is running), on a database of their own.
TEST_REDIS_URL = env("PORTICO_TEST_REDIS_URL", default=REDIS_URL or "redis://127.0.0.1:6379").rstrip("/")
_backend = {"BACKEND": "config.cache.RedisCache", "LOCATION": f"{TEST_REDIS_URL}/14"}
CACHES = {
    "default": {
        **_backend,
        "KEY_PREFIX": "test",
        "KEY_FUNCTION": "django_tenants.cache.make_key",
        "REVERSE_KEY_FUNCTION": "django_tenants.cache.reverse_key",
    },
    "platform": {**_backend, "KEY_PREFIX": "test-platform"},
}
# The ORM broker (the default) unless a test asks for Redis.
Q_CLUSTER = {key: value for key, value in Q_CLUSTER.items() if key != "redis"}  # noqa: F405
Q_CLUSTER["orm"] = "default"
PORTICO_TASKS_EAGER = True
PORTICO_RATELIMIT_REDIS_URL = f"{TEST_REDIS_URL}/13"
# Custom domains: the DNS checks ask the tests' own DNS server (tests.dns_server) or nothing at all.
PORTICO_DNS_RESOLVERS = ["127.0.0.1:9"]
PORTICO_DNS_TIMEOUT = 1.0
PORTICO_TLS_PROBE = "127.0.0.1:9"
