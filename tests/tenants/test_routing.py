import pytest
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tenants import routing
from tenants.models import Domain
from tenants.services import tenant_resume, tenant_suspend


def test_it_shows_a_friendly_page_for_an_unknown_host(db):
    response = Client(HTTP_HOST="nobody.portico.localhost").get("/")
    assert response.status_code == 404
    assert b"No such portal" in response.content
    assert b"nobody.portico.localhost" in response.content


def test_it_answers_json_for_an_unknown_host_under_the_api(db):
    response = Client(HTTP_HOST="nobody.portico.localhost").get("/api/v1/anything")
    assert response.status_code == 404
    assert response.json() == {"message": "No portal is served at this address."}


def test_it_routes_each_host_to_its_own_schema(office_a, office_b):
    assert routing.routes.get(office_a.host).schema_name == office_a.schema_name
    assert routing.routes.get(office_b.host).schema_name == office_b.schema_name
    assert office_a.schema_name != office_b.schema_name
    assert office_a.schema_name.startswith("t_") and office_a.slug not in office_a.schema_name


def test_it_resolves_a_warm_host_without_any_query(office_a):
    client = office_a.client()
    client.get("/office/login/")
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/office/login/")
    assert response.status_code == 200
    assert len(queries) == 0, [q["sql"] for q in queries]


def test_it_resolves_a_cold_host_with_a_bounded_number_of_queries(office_a):
    routing.routes.clear()
    with CaptureQueriesContext(connection) as captured:
        routing.routes.get(office_a.host)
    queries = [q["sql"] for q in captured if not q["sql"].startswith("SET search_path")]
    assert len(queries) == 1, queries


def test_it_serves_a_suspended_page_and_403_json(office_a):
    tenant_suspend(tenant=office_a.tenant, reason="unpaid")
    client = office_a.client()
    page = client.get("/office/")
    assert page.status_code == 403
    assert b"Your office is suspended" in page.content and b"unpaid" in page.content
    portal = client.get("/")
    assert portal.status_code == 403
    assert b"This portal is suspended" in portal.content and b"unpaid" not in portal.content
    api = client.get("/api/v1/notes/")
    assert api.status_code == 403
    assert api.json() == {"message": "This portal is suspended."}

    tenant_resume(tenant=office_a.tenant)
    assert client.get("/office/login/").status_code == 200


def test_it_drops_stale_routes_when_the_shared_generation_moves(office_a):
    """Another process changed a domain: this process learns it through the shared cache."""
    assert routing.routes.get(office_a.host) is not None
    Domain.objects.filter(tenant=office_a.tenant).update(domain="renamed.portico.localhost")  # no signal here
    assert routing.routes.get(office_a.host) is not None  # still cached locally
    caches["platform"].incr(routing.GENERATION_KEY) if caches["platform"].get(
        routing.GENERATION_KEY
    ) else caches["platform"].set(routing.GENERATION_KEY, 1)
    assert routing.routes.get(office_a.host) is None
    assert routing.routes.get("renamed.portico.localhost").tenant_id == office_a.tenant.id


def test_it_stops_routing_a_removed_domain_at_once(office_a):
    client = office_a.client()
    assert client.get("/office/login/").status_code == 200
    Domain.objects.get(tenant=office_a.tenant).delete()
    assert client.get("/office/login/").status_code == 404


def test_it_routes_a_verified_custom_domain_but_not_an_unverified_one(office_a):
    Domain.objects.create(domain="portal.alpha-realty.test", tenant=office_a.tenant, is_primary=False)
    assert Client(HTTP_HOST="portal.alpha-realty.test").get("/office/login/").status_code == 404
    Domain.objects.filter(domain="portal.alpha-realty.test").update(verified=True)
    routing.invalidate()
    assert Client(HTTP_HOST="portal.alpha-realty.test").get("/office/login/").status_code == 200


def test_it_answers_caddy_on_demand_tls_only_for_verified_domains(office_a, platform_client):
    Domain.objects.create(domain="portal.alpha-realty.test", tenant=office_a.tenant, verified=False)
    assert platform_client.get("/internal/tls-ask", {"domain": "portal.alpha-realty.test"}).status_code == 404
    domain = Domain.objects.get(domain="portal.alpha-realty.test")
    domain.verified = True
    domain.save()
    assert platform_client.get("/internal/tls-ask", {"domain": "portal.alpha-realty.test"}).status_code == 200
    assert platform_client.get("/internal/tls-ask", {"domain": "evil.test"}).status_code == 404
    from_proxy = Client(HTTP_HOST="web:8000")  # Caddy calls with its own upstream Host
    answer = from_proxy.get("/internal/tls-ask", {"domain": "portal.alpha-realty.test"})
    assert answer.json()["allowed"] is True


def test_it_does_not_serve_the_platform_admin_on_a_tenant_host(office_a):
    assert office_a.client().get("/admin/").status_code == 404


def test_it_does_not_serve_the_office_on_the_platform_host(platform_client, db):
    assert platform_client.get("/office/").status_code == 404


@pytest.mark.parametrize("host", ["portico.localhost", "alpha.portico.localhost", "unknown.example"])
def test_it_answers_health_checks_on_every_host(host, office_a):
    client = Client(HTTP_HOST=host)
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"database": "ok", "cache": "ok", "queue": "ok"}


def test_it_reports_not_ready_when_the_cache_is_down(db, settings):
    settings.CACHES = {
        **settings.CACHES,
        "platform": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        },
    }
    from django.core.cache import caches as fresh

    fresh._settings = None
    try:
        response = Client(HTTP_HOST="portico.localhost").get("/readyz")
    finally:
        fresh._settings = None
    assert response.status_code == 503
    assert response.json()["checks"]["cache"].startswith("error")
