"""The development error page never shows secrets, even with DEBUG on."""

import sys

from django.test import RequestFactory
from django.views.debug import technical_500_response

# Built from halves, so that the source lines the page shows around a frame never hold a secret.
SHOWN = [
    "hunter2" + "-db-pass",
    "abc123" + "publickey",
    "sk_live" + "_supersecret",
    "tok" + "-topsecret",
    "redis" + "pass",
]
SECRETS = {
    "DATABASE_URL": f"postgres://portico:{SHOWN[0]}@db.internal:5432/portico",
    "SENTRY_DSN": f"https://{SHOWN[1]}@o1.ingest.sentry.io/42",
    "STRIPE_API_KEY": SHOWN[2],
    "SOME_WEBHOOK_TOKEN": SHOWN[3],
}
REDIS = f"redis://:{SHOWN[4]}@cache:6379/0"


def _raise(url):
    local_database_url = url  # noqa: F841 - a frame variable the page would show
    raise RuntimeError("boom")


def _configure(settings):
    settings.DEBUG = True
    for name, secret in SECRETS.items():
        setattr(settings, name, secret)


def _error_page(settings, **meta):
    _configure(settings)
    request = RequestFactory().get("/boom", **meta)
    try:
        _raise(SECRETS["DATABASE_URL"])
    except RuntimeError:
        response = technical_500_response(request, *sys.exc_info())
    return response.content.decode()


def test_it_masks_database_urls_keys_and_tokens(settings):
    page = _error_page(settings, DATABASE_URL=SECRETS["DATABASE_URL"], REDIS_URL=REDIS)
    assert "boom" in page, "the page is the technical error page"
    for secret in SHOWN:
        assert secret not in page, secret
    assert "DATABASE_URL" in page and "********" in page
