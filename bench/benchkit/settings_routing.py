"""Production settings for ``bench/routing.py``'s tenant server: tenancy on, Redis cache.

The URLconf is the tenant URLconf plus ``/bench/ping``. The bench sets ``DATABASE_URL``,
``REDIS_URL`` and ``PORTICO_ROUTING_RECHECK_SECONDS`` in the environment.
"""

import os

os.environ.setdefault("SECRET_KEY", "bench-routing-not-a-secret-0123456789abcdefghijklmnop")

from config.settings.prod import *  # noqa: E402, F403

DEBUG = False
ROOT_URLCONF = "benchkit.urls_routing"
LOGGING = {**LOGGING, "root": {**LOGGING["root"], "level": "WARNING"}}  # noqa: F405
