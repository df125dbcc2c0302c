from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import STORAGES, env

DEBUG = False
SECRET_KEY = env("SECRET_KEY")
# Signed documents are sealed with the platform's real certificate: no self-signed one is made.
PORTICO_SEAL_SELF_SIGNED = env.bool("PORTICO_SEAL_SELF_SIGNED", default=False)
if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5 or SECRET_KEY.startswith("dev-insecure"):
    raise ImproperlyConfigured(
        "SECRET_KEY must be a long random secret of its own (50 characters or more), e.g. "
        "python -c 'import secrets; print(secrets.token_urlsafe(50))'"
    )
PORTICO_SCHEME = "https"
# Where clients reach Caddy; empty: 443. Not gunicorn's ``PORT``, which only Caddy talks to.
PORTICO_PUBLIC_PORT = env("PORTICO_PUBLIC_PORT", default="")
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)  # noqa: F405
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True  # noqa: F405
# Collected at build time (the image) or start (``make run``): hashed names, gzip and brotli copies.
STORAGES["staticfiles"] = {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}
SILENCED_SYSTEM_CHECKS = [
    # Caddy answers plain http with a redirect to https before a request reaches Portico.
    "security.W008",
    # HSTS is sent on offices' own domains too: includeSubDomains or preload there would bind every
    # other subdomain of the office's company to https, which is the office's call, not ours.
    "security.W005",
    "security.W021",
]
