"""WSGI entry point. ``platform/`` is a plain folder, so it is put on the path here."""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.prod")

from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()

from tenants.pooling import refuse_transaction_pooling  # noqa: E402

refuse_transaction_pooling()  # offices' schemas must not share server connections
