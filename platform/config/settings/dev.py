from .base import *  # noqa: F403
from .base import STORAGES, env

# ``make dev``: the auto-reloading server with DEBUG on. ``make run``: gunicorn with DEBUG off
# (``DJANGO_DEBUG=1`` turns it on), static files collected and served compressed as in production.
DEBUG = env.bool("DJANGO_DEBUG", default=True)
if not DEBUG:
    STORAGES["staticfiles"] = {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}
