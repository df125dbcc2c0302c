"""A verified custom domain as the office's primary host: the subdomain redirects there and every
link and email names it, and every process's routing cache learns it at once."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_context

from portal_core import access
from portal_core.models import Contact, PortalConfig
from tenants import domains, routing
from tenants.models import Plan
from tenants.services import api_key_create

from ..api.conftest import api
from ..conftest import PLATFORM_HOST

DOMAIN = "portal.alpha-agency.test"


@pytest.fixture
def office(make_office):
    return make_office("alpha", plan=Plan.objects.get(code="professional"))


@pytest.fixture
def primary(office, dns_zones, django_capture_on_commit_callbacks):
    """The office's verified domain, made its primary host (the change committed, as in production)."""
    added = domains.custom_domain_add(tenant=office.tenant, domain=DOMAIN)
    dns_zones.set(added.verify_name, "TXT", added.verify_value)
    dns_zones.set(DOMAIN, "CNAME", office.host)
    added = domains.custom_domain_check_now(custom_domain=added)
    with django_capture_on_commit_callbacks(execute=True):
        domains.custom_domain_make_primary(custom_domain=added)
    return added


def _contact(office, email="kim@example.com"):
    with schema_context(office.schema_name):
        PortalConfig.objects.update(is_active=True)
        contact = Contact.objects.create(first_name="Kim", last_name="Test", email=email)
    connection.set_schema_to_public()
    return contact


def _links(body: str) -> list[str]:
    return re.findall(r"https?://[^\s\"<]+", body)


def test_the_subdomain_redirects_to_the_domain_with_path_and_query(office, primary):
    answer = office.client().get("/files/?page=2&sort=name")
    assert answer.status_code == 301
    assert answer["Location"] == f"http://{DOMAIN}/files/?page=2&sort=name"
    assert office.client().head("/")["Location"] == f"http://{DOMAIN}/"
    assert office.client().post("/auth/signin", {}).status_code != 301  # a form posted stays
    assert Client(HTTP_HOST=DOMAIN).get("/auth/signin").status_code == 200


def test_every_link_and_email_names_the_domain(office, primary):
    key = api_key_create(tenant=office.tenant, name="Integration").secret
    contact = _contact(office)

    for host in (PLATFORM_HOST, office.host):  # the API answers where it is called, links name the domain
        token = api(host, key).post(
            "/api/v1/client-portal/token",
            {"type": "contact", "id": contact.pk},
            content_type="application/json",
        )
        assert token.json()["url"] == f"http://{DOMAIN}/client-portal/{token.json()['token']}"

    api(PLATFORM_HOST, key).post(
        f"/api/v1/client-portal/contacts/{contact.pk}/invite", {}, content_type="application/json"
    )
    invitation = mail.outbox[-1]
    assert invitation.to == ["kim@example.com"]
    assert _links(invitation.body) and all(
        link.startswith(f"http://{DOMAIN}/") for link in _links(invitation.body)
    )

    Client(HTTP_HOST=DOMAIN).post("/auth/magic", {"email": "kim@example.com"})
    magic = mail.outbox[-1]
    assert re.search(rf"http://{re.escape(DOMAIN)}/auth/magic/\S+", magic.body), magic.body

    with schema_context(office.schema_name):  # as background work does: no request, only the schema
        account = access.portal_account_for(contact=contact)
        url = access.magic_link_send(account=account, actor="owner@alpha.example")
        token_url = access.access_token_get_or_create(account=account).url
    connection.set_schema_to_public()
    assert url.startswith(f"http://{DOMAIN}/auth/magic/") and token_url.startswith(
        f"http://{DOMAIN}/client-portal/"
    )


def test_every_process_learns_the_new_host_at_once(
    office, dns_zones, settings, django_capture_on_commit_callbacks
):
    settings.PORTICO_ROUTING_RECHECK_SECONDS = 0  # read the shared generation on every request
    other_process = routing.GenerationCache(routing.load_route)  # not cleared by this process's signals
    assert other_process.get(office.host).primary_host == office.host
    added = domains.custom_domain_add(tenant=office.tenant, domain=DOMAIN)
    dns_zones.set(added.verify_name, "TXT", added.verify_value)
    dns_zones.set(DOMAIN, "CNAME", office.host)
    added = domains.custom_domain_check_now(custom_domain=added)
    with django_capture_on_commit_callbacks(execute=True):
        domains.custom_domain_make_primary(custom_domain=added)
    assert other_process.get(office.host).primary_host == DOMAIN
    with django_capture_on_commit_callbacks(execute=True):
        domains.custom_domain_primary_reset(tenant=office.tenant)
    assert other_process.get(office.host).primary_host == office.host
    assert office.client().get("/auth/signin").status_code == 200


def test_removing_the_primary_domain_brings_the_subdomain_back(office, primary):
    domains.custom_domain_remove(custom_domain=primary)
    assert office.client().get("/auth/signin").status_code == 200
    office.tenant.refresh_from_db()
    assert office.tenant.primary_host() == office.host
    contact = _contact(office)
    with schema_context(office.schema_name):
        token_url = access.access_token_get_or_create(account=access.portal_account_for(contact=contact)).url
    connection.set_schema_to_public()
    assert token_url.startswith(f"http://{office.host}/client-portal/")


def test_the_offices_cors_and_frame_rules_follow_it_to_the_domain(office, primary, make_office):
    site = "https://www.alpha-agency.test"
    other = make_office("bravo")
    with schema_context(other.schema_name):
        PortalConfig.objects.update(cors_origins=["https://www.bravo.example"])
    with schema_context(office.schema_name):
        config = PortalConfig.objects.get()
        config.cors_origins = [site]
        config.is_active = True
        config.save()
    connection.set_schema_to_public()
    on_domain = Client(HTTP_HOST=DOMAIN)
    preflight = on_domain.options("/api/v1/me/", HTTP_ORIGIN=site, HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET")
    assert preflight.status_code == 200 and preflight["Access-Control-Allow-Origin"] == site
    refused = on_domain.options(
        "/api/v1/me/", HTTP_ORIGIN="https://evil.example", HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET"
    )
    assert "Access-Control-Allow-Origin" not in refused
    portal = on_domain.get("/auth/signin")
    assert portal.status_code == 200
    policy = portal["Content-Security-Policy"]
    assert f"frame-ancestors 'self' {site}" in policy and "X-Frame-Options" not in portal
    # Another office's rules do not travel with this domain.
    bravo_origin = on_domain.options(
        "/api/v1/me/", HTTP_ORIGIN="https://www.bravo.example", HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET"
    )
    assert "Access-Control-Allow-Origin" not in bravo_origin
