"""While Redis cannot be reached: pages are served from the routes each process knows, the API
stays open (uncounted, with a warning), and signing in fails closed (503, "briefly unavailable")
rather than letting guesses through uncounted. Once Redis is back, everything counts again."""

import contextlib
import logging

import pytest
from django.conf import settings as django_settings

from tenants.services import api_key_create
from tests.caddy_proxy import free_port

pytestmark = pytest.mark.django_db


@contextlib.contextmanager
def redis_down(settings):
    """The cache and the counters point at a port where nothing listens, for the block."""
    dead = f"redis://127.0.0.1:{free_port()}"
    caches = {name: {**config, "LOCATION": f"{dead}/14"} for name, config in django_settings.CACHES.items()}
    saved = django_settings.CACHES, django_settings.PORTICO_RATELIMIT_REDIS_URL
    settings.CACHES, settings.PORTICO_RATELIMIT_REDIS_URL = caches, f"{dead}/13"
    try:
        yield
    finally:
        settings.CACHES, settings.PORTICO_RATELIMIT_REDIS_URL = saved


def test_pages_and_the_api_are_served_and_sign_in_fails_closed(office_a, settings, caplog):
    staff = office_a.staff_client()
    office_a.portal_client()  # the portal is open, with a client
    secret = api_key_create(tenant=office_a.tenant, name="CRM").secret
    api = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    visitor = office_a.client()
    assert staff.get("/office/contacts/").status_code == 200
    assert visitor.get("/api/v1/contacts/", **api).status_code == 200  # routes and the key, known

    with redis_down(settings), caplog.at_level(logging.WARNING):
        page = staff.get("/office/contacts/")
        listing = visitor.get("/api/v1/contacts/", **api)
        office_login = office_a.client().post(
            "/office/login/", {"username": office_a.owner_email, "password": office_a.owner_password}
        )
        client_signin = office_a.client().post(
            "/auth/signin", {"email": "ann@example.com", "password": "Some-pass-2026!"}
        )
        token = office_a.client().post(
            "/api/v1/auth/token",
            {"email": office_a.owner_email, "password": office_a.owner_password, "kind": "staff"},
            content_type="application/json",
        )

    assert page.status_code == 200
    assert listing.status_code == 200 and "RateLimit" in listing
    assert "API requests are not rate limited" in caplog.text
    for refused in (office_login, client_signin, token):
        assert refused.status_code == 503 and refused["Retry-After"] == "30"
    assert "Signing in is briefly unavailable" in office_login.content.decode()
    assert "sign-in refused on office-login" in caplog.text

    # Back: sign-in works and the API counts again.
    back = office_a.client()
    assert (
        back.post(
            "/office/login/", {"username": office_a.owner_email, "password": office_a.owner_password}
        ).status_code
        == 302
    )
    remaining = int(visitor.get("/api/v1/contacts/", **api)["RateLimit"].split("r=")[1].split(";")[0])
    later = int(visitor.get("/api/v1/contacts/", **api)["RateLimit"].split("r=")[1].split(";")[0])
    assert later == remaining - 1
