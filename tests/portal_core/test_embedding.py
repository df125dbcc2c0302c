"""An office's own websites: CORS on the client API and iframe embedding of the portal, per office."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django_tenants.utils import schema_context

from portal_core.embedding import origin_clean
from portal_core.models import PortalConfig
from tenants.services import api_key_create

from ..conftest import PLATFORM_HOST

SITE = "https://www.alpha-homes.example"
SETTINGS = {
    "is_active": "on",
    "company_name": "Alpha Realty",
    "portal_name": "Alpha",
    "welcome_message": "Hi",
    "primary_color": "#112233",
    "secondary_color": "#445566",
}


def _origins(office, origins):
    with schema_context(office.schema_name):
        config = PortalConfig.objects.get()
        config.cors_origins = origins
        config.is_active = True
        config.save()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("https://www.example.com", "https://www.example.com"),
        ("  HTTPS://WWW.Example.com/ ", "https://www.example.com"),
        ("https://shop.example.com:8443", "https://shop.example.com:8443"),
        ("http://localhost:3000", "http://localhost:3000"),
    ],
)
def test_it_normalises_website_addresses(value, expected):
    assert origin_clean(value) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("www.example.com", "is not a website address"),
        ("ftp://example.com", "is not a website address"),
        ("https://example.com/portal", "without a path"),
        ("https://*.example.com", "wildcards are not allowed"),
        ("http://www.example.com", "use https://"),
        ("https://user:pw@example.com", "is not a website address"),
        ("https://example.com:99999", "is not a website address"),
    ],
)
def test_it_refuses_what_is_not_an_origin(value, message):
    with pytest.raises(ValidationError, match=message):
        origin_clean(value)


def test_the_office_lists_its_websites_in_the_settings(office_a):
    staff = office_a.staff_client()
    response = staff.post(
        "/office/settings/", {**SETTINGS, "cors_origins": "https://example.com/portal\nhttps://ok.example"}
    )
    assert response.status_code == 200 and "without a path" in response.content.decode()
    with schema_context(office_a.schema_name):
        assert PortalConfig.objects.get().cors_origins == []  # nothing half-saved

    staff.post("/office/settings/", {**SETTINGS, "cors_origins": f"{SITE}/\n\nhttps://b.example, {SITE}"})
    with schema_context(office_a.schema_name):
        assert PortalConfig.objects.get().cors_origins == [SITE, "https://b.example"]
    page = staff.get("/office/settings/").content.decode()
    assert f"{SITE}\nhttps://b.example</textarea>" in page

    staff.post("/office/settings/", SETTINGS)  # a form without the field keeps the list
    with schema_context(office_a.schema_name):
        assert PortalConfig.objects.get().cors_origins == [SITE, "https://b.example"]


def _preflight(office, origin, path="/api/v1/me/"):
    return office.client().options(
        path,
        HTTP_ORIGIN=origin,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization",
    )


def test_the_client_api_answers_cors_for_the_offices_own_websites_only(office_a, office_b):
    _origins(office_a, [SITE])
    _origins(office_b, ["https://www.bravo.example"])

    allowed = _preflight(office_a, SITE)
    assert allowed.status_code == 200
    assert allowed["Access-Control-Allow-Origin"] == SITE
    assert "authorization" in allowed["Access-Control-Allow-Headers"]
    for origin in ("https://www.bravo.example", "https://evil.example", "null"):
        refused = _preflight(office_a, origin)
        assert "Access-Control-Allow-Origin" not in refused

    # An actual request: the header comes with the answer, whatever its status.
    key = api_key_create(tenant=office_a.tenant, name="Widget").secret
    response = office_a.client().get(
        "/api/v1/client-portal/config", HTTP_ORIGIN=SITE, HTTP_AUTHORIZATION=f"Bearer {key}"
    )
    assert response.status_code == 200 and response["Access-Control-Allow-Origin"] == SITE
    # Not on the platform host (no office is known there before authentication), not off the API.
    on_platform = Client(HTTP_HOST=PLATFORM_HOST).options(
        "/api/v1/client-portal/config", HTTP_ORIGIN=SITE, HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET"
    )
    assert "Access-Control-Allow-Origin" not in on_platform
    page = office_a.client().get("/auth/signin", HTTP_ORIGIN=SITE)
    assert "Access-Control-Allow-Origin" not in page


def _frame_ancestors(response) -> str | None:
    directives = dict(
        (part.strip().split(" ", 1) + [""])[:2] for part in response["Content-Security-Policy"].split(";")
    )
    return directives.get("frame-ancestors")


def test_the_portal_may_be_framed_by_the_offices_websites_and_the_office_never(office_a, office_b):
    portal = office_a.client().get("/auth/signin")
    assert portal["X-Frame-Options"] == "DENY" and _frame_ancestors(portal) is None

    _origins(office_a, [SITE, "https://b.example"])
    portal = office_a.client().get("/auth/signin")
    assert _frame_ancestors(portal) == f"'self' {SITE} https://b.example"
    assert "X-Frame-Options" not in portal
    office_page = office_a.staff_client().get("/office/")
    assert office_page["X-Frame-Options"] == "DENY" and _frame_ancestors(office_page) is None
    other = office_b.client().get("/auth/signin")
    assert other["X-Frame-Options"] == "DENY" and _frame_ancestors(other) is None


def test_a_framed_portal_over_https_sends_its_cookies_to_the_frame(office_a):
    _origins(office_a, [SITE])
    response = office_a.client().get("/auth/signin", secure=True)
    cookie = response.cookies["csrftoken"]
    assert cookie["samesite"] == "None" and cookie["secure"] is True
