"""API keys, plan limits and JWT tenants are cached per process: no query on a warm request, and
every change (revocation, expiry, plan, suspension) still takes effect."""

import time
from datetime import UTC, datetime, timedelta

from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tenants import routing
from tenants.models import ApiKey, Plan, Tenant
from tenants.services import api_key_revoke

from .conftest import api

CONFIG = "/api/v1/client-portal/config"


def _bump_shared_generation():
    """What ``routing.invalidate`` in another process does to this one."""
    shared = caches["platform"]
    shared.set(routing.GENERATION_KEY, shared.get(routing.GENERATION_KEY, 0) + 1, timeout=None)


def _queries(client, path=CONFIG):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    return response, [q["sql"] for q in queries.captured_queries]


def test_a_warm_api_key_request_runs_no_query(office_a, api_key_a):
    client = api(office_a.host, api_key_a)
    assert client.get(CONFIG).status_code == 200
    response, queries = _queries(client)
    assert response.status_code == 200
    assert queries == []
    assert ApiKey.objects.get().last_used_at is not None


def test_revoking_a_key_takes_effect_on_the_next_request(office_a, api_key_a):
    client = api(office_a.host, api_key_a)
    assert client.get(CONFIG).status_code == 200
    api_key_revoke(api_key=ApiKey.objects.get())
    assert client.get(CONFIG).status_code == 401


def test_a_revocation_seen_by_another_process_reaches_this_one(office_a, api_key_a):
    """Another process revokes (a row update here, no signal in this process) and bumps the
    shared generation; this process drops its grants on its next look at the generation."""
    client = api(office_a.host, api_key_a)
    assert client.get(CONFIG).status_code == 200
    ApiKey.objects.update(revoked_at=datetime.now(UTC))
    assert client.get(CONFIG).status_code == 200  # not yet told
    _bump_shared_generation()
    assert client.get(CONFIG).status_code == 401


def test_a_cached_key_still_expires_on_time(office_a, api_key_a):
    ApiKey.objects.update(expires_at=datetime.now(UTC) + timedelta(seconds=0.5))
    client = api(office_a.host, api_key_a)
    assert client.get(CONFIG).status_code == 200  # cached now, with its expiry
    time.sleep(0.6)
    response, queries = _queries(client)
    assert response.status_code == 401
    assert queries == []


def test_a_plan_change_moves_the_limit_at_once(office_a, api_key_a):
    client = api(office_a.host, api_key_a)
    assert client.get(CONFIG)["RateLimit-Policy"] == '"default";q=60;w=60'
    plan = Plan.objects.get(pk=office_a.tenant.plan_id)
    plan.api_requests_per_minute = 500
    plan.save()
    assert client.get(CONFIG)["RateLimit-Policy"] == '"default";q=500;w=60'


def test_a_suspended_office_is_refused_on_the_platform_host_at_once(office_a, api_key_a):
    from ..conftest import PLATFORM_HOST

    client = api(PLATFORM_HOST, api_key_a)
    assert client.get(CONFIG).status_code == 200
    tenant = Tenant.objects.get(pk=office_a.tenant.pk)
    tenant.status = Tenant.Status.SUSPENDED
    tenant.save()
    response = client.get(CONFIG)
    assert response.status_code == 403
    assert response.json() == {"message": "This portal is suspended."}


def test_the_config_answer_follows_a_settings_change_at_once(
    office_a, api_key_a, django_capture_on_commit_callbacks
):
    from django_tenants.utils import tenant_context

    from portal_core.models import PortalConfig
    from portal_core.services import module_enable

    client = api(office_a.host, api_key_a)
    assert client.get(CONFIG).json()["data"]["enabled_modules"] == []
    with tenant_context(office_a.tenant), django_capture_on_commit_callbacks(execute=True):
        config = PortalConfig.objects.get()
        config.portal_name = "Alpha Homes"
        config.save()
        module_enable(key="notes")
    data = client.get(CONFIG).json()["data"]
    assert data["portal_name"] == "Alpha Homes" and data["enabled_modules"] == ["notes"]
