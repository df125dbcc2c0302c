"""Settings for ``bench/portal_pages.py``: the shared settings, quiet, no mail leaving, media in a
temporary folder the bench names, MD5 password hashing (a sign-in is not what is measured)."""

import os

from config.settings.base import *  # noqa: F403

DEBUG = False
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = os.environ.get("PORTICO_BENCH_MEDIA_ROOT", MEDIA_ROOT)  # noqa: F405
LOGGING = {**LOGGING, "loggers": {**LOGGING["loggers"], "django-q": {"level": "WARNING"}}}  # noqa: F405
