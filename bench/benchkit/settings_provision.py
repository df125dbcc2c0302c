"""Settings for ``bench/provision.py``: the shared settings, quiet and with no mail leaving."""

from config.settings.base import *  # noqa: F403

DEBUG = False
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# The bench checks that each new owner can log in with a real ``authenticate()``. Verifying a
# PBKDF2 hash costs ~0.3 s of CPU — a cost of logging in, not of provisioning (the password is
# hashed by ``signup_start``, before the timed step) — so the bench hashes with MD5.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# django-q logs every enqueued task at INFO; each provisioning enqueues a pool top-up.
LOGGING = {**LOGGING, "loggers": {**LOGGING["loggers"], "django-q": {"level": "WARNING"}}}  # noqa: F405
