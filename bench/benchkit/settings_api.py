"""Production settings for ``bench/api.py``: tenancy on, Redis cache, per-token limits counted in Redis.

The URLconf is the tenant URLconf plus ``/bench/bare`` (a DRF view with no authentication). The
bench sets ``DATABASE_URL``, ``REDIS_URL`` and ``PORTICO_RATELIMIT_REDIS_URL`` in the environment:
the limits get a Redis database of their own, apart from the one the tests count theirs in.
"""

import os

os.environ.setdefault("SECRET_KEY", "bench-api-not-a-secret-0123456789abcdefghijklmnopqrstuv")

from config.settings.prod import *  # noqa: E402, F403

DEBUG = False
ROOT_URLCONF = "benchkit.urls_api"
PORTICO_RATELIMIT_REDIS_URL = os.environ["PORTICO_RATELIMIT_REDIS_URL"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
LOGGING = {**LOGGING, "root": {**LOGGING["root"], "level": "WARNING"}}  # noqa: F405
