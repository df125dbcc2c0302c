"""Settings for ``bench/scale.py``: the shared settings, quiet, MD5 password hashing, and one tenant
app of the bench's own whose migration stands for a release's new migration."""

from config.settings.base import *  # noqa: F403
from config.settings.base import INSTALLED_APPS, LOGGING, TENANT_APPS

DEBUG = False
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGGING = {**LOGGING, "loggers": {**LOGGING["loggers"], "django-q": {"level": "WARNING"}}}
TENANT_APPS = [*TENANT_APPS, "benchkit.scale_step"]
INSTALLED_APPS = [*INSTALLED_APPS, "benchkit.scale_step"]
