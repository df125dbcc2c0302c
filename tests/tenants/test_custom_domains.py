"""Custom domains against a real DNS server on the loopback: records flipped, statuses watched."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tenants import domains, routing
from tenants.models import CustomDomain, Domain, Plan, QueueTimer
from tenants.queue import timers_fire

DOMAIN = "portal.alpha-agency.test"


@pytest.fixture
def office(make_office):
    return make_office("alpha", plan=Plan.objects.get(code="professional"))


def _records_right(zones, custom_domain, target="alpha.portico.localhost"):
    zones.set(custom_domain.verify_name, "TXT", custom_domain.verify_value)
    zones.set(custom_domain.domain, "CNAME", target)


def _tls_ask(domain):
    return Client(HTTP_HOST="web:8000").get("/internal/tls-ask", {"domain": domain})


def test_it_moves_pending_verified_failing_and_back_as_records_change(office, dns_zones):
    added = domains.custom_domain_add(tenant=office.tenant, domain="https://Portal.Alpha-Agency.test/")
    assert added.domain == DOMAIN and added.status == "pending"
    assert {r["key"]: r["state"] for r in added.results} == {"verify": "missing", "route": "missing"}
    assert _tls_ask(DOMAIN).status_code == 404
    assert Client(HTTP_HOST=DOMAIN).get("/auth/signin").status_code == 404

    dns_zones.set(added.verify_name, "TXT", "portico-verify=somebody-else")
    dns_zones.set(DOMAIN, "CNAME", "elsewhere.example")
    checked = domains.custom_domain_check_now(custom_domain=added)
    assert checked.status == "pending"
    seen = {r["key"]: (r["state"], r["seen"]) for r in checked.results}
    assert seen == {
        "verify": ("wrong", ["portico-verify=somebody-else"]),
        "route": ("wrong", ["elsewhere.example"]),
    }

    _records_right(dns_zones, added)
    checked = domains.custom_domain_check_now(custom_domain=added)
    assert checked.status == "verified"  # no proxy serves a certificate here (that is the Caddy test)
    assert office.tenant.primary_host() == office.host  # only the office makes it the portal's address
    assert _tls_ask(DOMAIN).status_code == 200
    assert Client(HTTP_HOST=DOMAIN).get("/auth/signin").status_code == 200

    dns_zones.set(DOMAIN, "CNAME")  # removed at the registrar
    checked = domains.custom_domain_check_now(custom_domain=added)
    assert checked.status == "failing"
    assert [m.to for m in mail.outbox] == [[office.owner_email]]
    assert "changed" in mail.outbox[0].subject
    assert Client(HTTP_HOST=DOMAIN).get("/auth/signin").status_code == 200  # the grace period
    assert _tls_ask(DOMAIN).status_code == 404  # no new certificate for records that point elsewhere

    later = timezone.now() + timedelta(hours=73)
    checked = domains.custom_domain_check(custom_domain=checked, now=later)
    assert checked.status == "pending"
    assert _tls_ask(DOMAIN).status_code == 404
    assert Client(HTTP_HOST=DOMAIN).get("/auth/signin").status_code == 404
    assert len(mail.outbox) == 2


def test_it_accepts_a_records_of_an_apex_to_the_platform_only(office, dns_zones):
    office.tenant.plan.max_custom_domains = 5
    office.tenant.plan.save()
    dns_zones.set("alpha-agency.test", "SOA", "ns1.registrar.test")  # a zone's apex
    apex = domains.custom_domain_add(tenant=office.tenant, domain="alpha-agency.test")
    assert apex.apex
    assert [(r.type, r.value) for r in domains.records_for(apex)][1:] == [("A", "127.0.0.1")]
    dns_zones.set(apex.verify_name, "TXT", apex.verify_value)
    dns_zones.set(apex.domain, "A", "203.0.113.9")
    checked = domains.custom_domain_check_now(custom_domain=apex)
    assert checked.status == "pending" and checked.results[1]["seen"] == ["203.0.113.9"]
    dns_zones.set(apex.domain, "A", "127.0.0.1")
    assert domains.custom_domain_check_now(custom_domain=apex).status == "verified"

    dns_zones.set("alpha-agency.co.test", "SOA", "ns1.registrar.test")  # three labels, still an apex
    assert domains.custom_domain_add(tenant=office.tenant, domain="alpha-agency.co.test").apex
    sub = domains.custom_domain_add(tenant=office.tenant, domain="portal.alpha-agency.co.test")
    assert not sub.apex and [r.type for r in domains.records_for(sub)] == ["TXT", "CNAME"]


def test_an_apex_needs_the_platforms_addresses(office, dns_zones, settings):
    settings.PORTICO_PUBLIC_IPS = []
    dns_zones.set("alpha-agency.test", "SOA", "ns1.registrar.test")
    with pytest.raises(ValidationError, match="Add a subdomain such as portal.alpha-agency.test"):
        domains.custom_domain_add(tenant=office.tenant, domain="alpha-agency.test")


def test_it_schedules_background_checks_and_a_timer_moves_the_status(office, dns_zones):
    added = domains.custom_domain_add(tenant=office.tenant, domain=DOMAIN)
    timer = QueueTimer.objects.get(func="tenants.domains.custom_domain_recheck", args=[added.pk])
    assert timedelta(minutes=4) < timer.due_at - timezone.now() <= timedelta(minutes=5)
    assert timer.schema_name == "public"
    now = timezone.now()
    added.status_since = now - timedelta(hours=2)
    assert domains.next_check_at(added, now) == now + timedelta(hours=1)
    added.status_since = now - timedelta(hours=50)
    assert domains.next_check_at(added, now) is None

    _records_right(dns_zones, added)
    assert timers_fire(now=timer.due_at - timedelta(seconds=1))[0] == 0
    assert CustomDomain.objects.get(pk=added.pk).status == "pending"
    assert timers_fire(now=timer.due_at)[0] == 1  # the worker's timer loop runs the check
    assert CustomDomain.objects.get(pk=added.pk).status == "verified"
    following = QueueTimer.objects.get(func="tenants.domains.custom_domain_recheck", args=[added.pk])
    assert following.due_at > timer.due_at  # verified: checked again until its certificate is seen


def test_it_enforces_the_plans_limit_and_one_office_per_domain(make_office, office, dns_zones):
    starter = make_office("bravo")  # the default plan: no custom domains
    with pytest.raises(ValidationError, match="does not include custom domains"):
        domains.custom_domain_add(tenant=starter.tenant, domain="portal.bravo.test")
    plan = office.tenant.plan
    for n in range(plan.max_custom_domains):
        domains.custom_domain_add(tenant=office.tenant, domain=f"p{n}.alpha-agency.test")
    with pytest.raises(ValidationError, match="includes 3 custom domains"):
        domains.custom_domain_add(tenant=office.tenant, domain="p9.alpha-agency.test")
    with pytest.raises(ValidationError, match="already added"):
        domains.custom_domain_add(tenant=office.tenant, domain="p0.alpha-agency.test")
    for bad in ["", "localhost", "not a domain", "10.0.0.1", "x.portico.localhost", "-a.test"]:
        with pytest.raises(ValidationError):
            domains.custom_domain_add(tenant=office.tenant, domain=bad)


def test_another_office_cannot_take_a_domain_without_its_txt_token(make_office, office, dns_zones):
    other = make_office("charlie", plan=Plan.objects.get(code="professional"))
    mine = domains.custom_domain_add(tenant=office.tenant, domain=DOMAIN)
    theirs = domains.custom_domain_add(tenant=other.tenant, domain=DOMAIN)  # pending: proves nothing yet
    _records_right(dns_zones, mine)
    assert domains.custom_domain_check_now(custom_domain=theirs).status == "pending"  # not their token
    assert domains.custom_domain_check_now(custom_domain=mine).status == "verified"
    assert Domain.objects.get(domain=DOMAIN).tenant_id == office.tenant.pk


def test_a_primary_domain_takes_the_links_and_the_subdomain_redirects(office, dns_zones):
    added = domains.custom_domain_add(tenant=office.tenant, domain=DOMAIN)
    with pytest.raises(ValidationError):
        domains.custom_domain_make_primary(custom_domain=added)
    _records_right(dns_zones, added)
    added = domains.custom_domain_check_now(custom_domain=added)
    routing.routes.get(office.host)  # warm: the switch must reach the cache at once
    domains.custom_domain_make_primary(custom_domain=added)
    answer = office.client().get("/auth/signin?next=/files/")
    assert answer.status_code == 301
    assert answer["Location"] == f"http://{DOMAIN}/auth/signin?next=/files/"
    assert office.client().post("/auth/signin", {}).status_code != 301  # forms posted are not redirected
    assert office.client().get("/api/v1/client-portal/config").status_code != 301
    office.tenant.refresh_from_db()
    assert office.tenant.primary_host() == DOMAIN
    platform = Client(HTTP_HOST="portico.localhost")
    assert platform.get("/alpha/login")["Location"] == f"http://{DOMAIN}/auth/signin"

    domains.custom_domain_remove(custom_domain=added)
    assert office.client().get("/auth/signin").status_code == 200
    assert office.tenant.primary_host() == office.host
    assert _tls_ask(DOMAIN).status_code == 404
    assert CustomDomain.objects.get(pk=added.pk).status == "removed"


def test_path_login_on_the_platform_host(office, platform_client):
    assert platform_client.get("/alpha/login")["Location"] == "http://alpha.portico.localhost/auth/signin"
    assert platform_client.get("/alpha/")["Location"] == "http://alpha.portico.localhost/"
    assert platform_client.get("/alpha/login/")["Location"] == "http://alpha.portico.localhost/auth/signin"
    unknown = platform_client.get("/nobody-here/login")
    assert unknown.status_code == 404 and b"Ask your agent for your portal link" in unknown.content
    assert b"Ask your agent" in platform_client.get("/nobody-here/").content
    assert office.client().get("/login")["Location"] == "/auth/signin"  # on the office's own host
    office.tenant.status = "suspended"
    office.tenant.save()
    suspended = platform_client.get("/alpha/login", follow=True)
    assert suspended.status_code == 403 and b"suspended" in suspended.content
    assert platform_client.get("/signup/").status_code == 200  # the platform's own pages come first


def test_tls_ask_answers_from_memory(office, dns_zones, django_assert_num_queries):
    added = domains.custom_domain_add(tenant=office.tenant, domain=DOMAIN)
    _records_right(dns_zones, added)
    domains.custom_domain_check_now(custom_domain=added)
    assert _tls_ask(DOMAIN).status_code == 200  # warm
    assert _tls_ask("portico.localhost").status_code == 200
    queries_before = dns_zones.queries
    client = Client(HTTP_HOST="web:8000")
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        for n in range(200):
            client.get("/internal/tls-ask", {"domain": DOMAIN if n % 2 else f"made-up-{n}.test"})
        per_ask_ms = (time.perf_counter() - started) * 1000 / 200
    assert len(queries) == 0 and dns_zones.queries == queries_before
    # No query and no DNS are asserted exactly above; the bound only catches gross slowness.
    assert per_ask_ms < 10, per_ask_ms
    office.tenant.status = "suspended"
    office.tenant.save()
    assert _tls_ask(DOMAIN).status_code == 404
