"""Settings for ``bench/portal_pages.py``: the shared settings, quiet, no mail leaving, media in a
temporary folder the bench names, MD5 password hashing (a sign-in is not what is measured)."""

import os
from pathlib import Path

from config.settings.base import *  # noqa: F403

DEBUG = False
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = os.environ.get("PORTICO_BENCH_MEDIA_ROOT", MEDIA_ROOT)  # noqa: F405
LOGGING = {**LOGGING, "loggers": {**LOGGING["loggers"], "django-q": {"level": "WARNING"}}}  # noqa: F405
BENCH_TEMPLATES = Path(__file__).resolve().parent / "templates"
# The baseline page (benchkit.urls_pages) and its template.
ROOT_URLCONF = "benchkit.urls_pages"
TEMPLATES = [{**TEMPLATES[0], "DIRS": [*TEMPLATES[0].get("DIRS", []), BENCH_TEMPLATES]}]  # noqa: F405
