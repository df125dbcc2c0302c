"""Settings for ``bench/webhooks.py`` (the bench process and its ``qcluster`` worker): quiet, a
queue name of its own, and the short retry schedule of ``benchkit.fast_retries``."""

from config.settings.base import *  # noqa: F403
from config.settings.base import INSTALLED_APPS, LOGGING, Q_CLUSTER, SHARED_APPS

DEBUG = False
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
SHARED_APPS = [*SHARED_APPS, "benchkit.fast_retries"]
INSTALLED_APPS = [*INSTALLED_APPS, "benchkit.fast_retries"]
# Its own queue, so no other cluster on the same Redis database takes (or gives) its tasks.
Q_CLUSTER = {**Q_CLUSTER, "name": "portico-bench-webhooks"}
QUIET = {"django-q": {"level": "WARNING"}, "httpx": {"level": "WARNING"}}
LOGGING = {**LOGGING, "loggers": {**LOGGING["loggers"], **QUIET}}
