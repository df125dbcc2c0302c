"""Common actors: offices (tenants with an owner), clients on their hosts, an operator."""

from __future__ import annotations

import os
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.utils import translation

OWNER_PASSWORD = "Owner-pass-2026!"
CLIENT_PASSWORD = "Client-pass-2026!"


def _commits(item) -> bool:
    names = getattr(item, "fixturenames", ())
    marker = item.get_closest_marker("django_db")
    return (
        "transactional_db" in names
        or "live_server" in names
        or bool(marker and marker.kwargs.get("transaction"))
    )


def pytest_collection_modifyitems(config, items):
    """Tests that commit (live server, worker, threads) run last: the flush after each of them
    empties the platform tables (plans, the pool) but leaves the schemas."""
    items.sort(key=_commits)


# The data migrations that write platform rows (idempotently) a flush removes: plans, schedules.
PLATFORM_ROW_MIGRATIONS = (
    "tenants.migrations.0003_pool_schedule",
    "webhooks.migrations.0002_sweeper_schedule",
    "webhooks.migrations.0003_prune_schedule",
)


def _restore_platform_rows() -> None:
    """After a flush: the default plans and the periodic schedules again, and no schema left
    without its tenant row."""
    from importlib import import_module

    from django.apps import apps

    from tenants.models import Plan, Tenant

    prices = import_module("tenants.migrations.0011_plan_prices").PRICES
    for plan in import_module("tenants.migrations.0002_default_plans").PLANS:
        defaults = {**plan, "monthly_price": prices.get(plan["code"])}
        Plan.objects.get_or_create(code=plan["code"], defaults=defaults)
    with connection.schema_editor() as editor:
        for name in PLATFORM_ROW_MIGRATIONS:
            import_module(name).schedule(apps, editor)
    known = set(Tenant.objects.values_list("schema_name", flat=True)) | {settings.PORTICO_BASE_SCHEMA}
    with connection.cursor() as cursor:
        cursor.execute("SELECT nspname FROM pg_namespace WHERE nspname LIKE 't\\_%'")
        for (schema,) in cursor.fetchall():
            if schema not in known:
                cursor.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from tenants.services import pool_top_up

    with django_db_blocker.unblock():
        _restore_platform_rows()  # a database kept from an earlier run (--reuse-db) was flushed last
        pool_top_up(size=4)


@pytest.fixture(autouse=True)
def _platform_rows_for_committing_tests(request, django_db_blocker):
    if _commits(request.node):
        with django_db_blocker.unblock():
            _restore_platform_rows()


def email_part_problems(message) -> list[str]:
    """What is wrong with a sent email's parts: every email has a plain-text body and an HTML
    alternative, with no ``None`` and no ``{{ token }}`` left unrendered in either."""
    import re

    problems = []
    htmls = [content for content, mimetype in getattr(message, "alternatives", []) if mimetype == "text/html"]
    if getattr(message, "content_subtype", "plain") != "plain" or not (message.body or "").strip():
        problems.append("no text/plain body")
    if len(htmls) != 1 or "<html" not in htmls[0]:
        problems.append("no text/html alternative")
    for name, text in [("subject", message.subject), ("text", message.body), *[("html", h) for h in htmls]]:
        if re.search(r"\bNone\b", text or ""):
            problems.append(f"'None' in the {name}")
        if "{{" in (text or "") or "{%" in (text or ""):
            problems.append(f"an unrendered tag in the {name}")
    return [f"{message.subject!r} to {message.to}: {problem}" for problem in problems]


@pytest.fixture(autouse=True)
def _every_email_has_both_parts():
    """Whatever a test sends, each email it leaves in the outbox has both parts, fully rendered."""
    yield
    from django.core import mail

    problems = [
        problem for message in getattr(mail, "outbox", []) for problem in email_part_problems(message)
    ]
    assert not problems, "\n".join(problems)


@pytest.fixture(autouse=True)
def _fresh_platform_state():
    from tenants import routing

    routing.clear_local()
    caches["default"].clear()
    yield
    connection.set_schema_to_public()
    routing.clear_local()
    translation.activate(settings.LANGUAGE_CODE)  # a request or service may leave another active


@pytest.fixture(scope="session")
def collected_static(tmp_path_factory):
    """The static files collected and compressed once (about half a minute), as production does."""
    from tests.production_stack import collect_static

    root = tmp_path_factory.mktemp("static")
    collect_static(root)
    return root


def host_for(slug: str) -> str:
    return f"{slug}.{settings.PORTICO_BASE_DOMAIN}"


PLATFORM_HOST = settings.PORTICO_BASE_DOMAIN


@dataclass
class Office:
    tenant: object
    host: str
    owner_email: str
    owner_password: str
    owner_id: int

    @property
    def slug(self) -> str:
        return self.tenant.slug

    @property
    def schema_name(self) -> str:
        return self.tenant.schema_name

    def client(self) -> Client:
        """An anonymous browser on this office's host."""
        return Client(HTTP_HOST=self.host)

    def portal_client(
        self,
        email: str = "client@example.com",
        *,
        first_name: str = "Chris",
        language: str = "en",
        password: str = CLIENT_PASSWORD,
        activate: bool = True,
    ):
        """A client of this office with a joined account, signed in on its host: (browser, account)."""
        from django_tenants.utils import schema_context

        from portal_core.access import portal_account_for
        from portal_core.models import Contact, PortalConfig

        with schema_context(self.schema_name):
            if activate:
                config = PortalConfig.objects.get()
                config.is_active = True
                config.save()  # through save(), so the cached configuration is dropped
            contact = Contact.objects.create(
                first_name=first_name, last_name="Client", email=email, language=language
            )
            account = portal_account_for(contact=contact)
            account.password = make_password(password)
            account.onboarding_completed = account.tour_completed = True
            account.save()
        connection.set_schema_to_public()
        browser = self.client()
        response = browser.post("/auth/signin", {"email": email, "password": password})
        assert response.status_code == 302, "the client could not sign in"
        return browser, account

    def staff_client(self) -> Client:
        """A browser signed in as the owner on this office's host."""
        client = self.client()
        response = client.post(
            "/office/login/", {"username": self.owner_email, "password": self.owner_password}
        )
        assert response.status_code == 302, "owner could not sign in"
        return client


@pytest.fixture
def make_office(db):
    from tenants.services import tenant_provision

    def make(slug: str, name: str | None = None, plan=None) -> Office:
        email = f"owner@{slug}.example"
        provisioned = tenant_provision(
            office_name=name or f"{slug.title()} Realty",
            slug=slug,
            owner_name=f"Owner {slug.title()}",
            email=email,
            password_hash=make_password(OWNER_PASSWORD),
            plan=plan,
        )
        connection.set_schema_to_public()
        return Office(
            tenant=provisioned.tenant,
            host=host_for(slug),
            owner_email=email,
            owner_password=OWNER_PASSWORD,
            owner_id=provisioned.owner_id,
        )

    return make


@pytest.fixture
def office_a(make_office) -> Office:
    return make_office("alpha")


@pytest.fixture
def office_b(make_office) -> Office:
    return make_office("bravo")


@pytest.fixture
def platform_client() -> Client:
    return Client(HTTP_HOST=PLATFORM_HOST)


@pytest.fixture
def operator_client(db, platform_client) -> Client:
    from django.contrib.auth import get_user_model

    connection.set_schema_to_public()
    get_user_model().objects.create_superuser("root", "root@portico.localhost", "Operator-pass-2026!")
    assert platform_client.login(username="root", password="Operator-pass-2026!")
    second_factor_given(platform_client)
    return platform_client


def second_factor_given(client: Client) -> None:
    """An operator's session after the authenticator code (tests/tenants/test_operator_two_factor.py
    walks the real thing)."""
    from tenants.operator_two_factor import SESSION_VERIFIED

    session = client.session
    session[SESSION_VERIFIED] = int(session["_auth_user_id"])
    session.save()


@pytest.fixture(scope="session")
def in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


# The dev settings' cluster name: what a worker started by the tests serves.
REDIS_QUEUE_CLUSTER = "portico"


@pytest.fixture
def redis_queue(settings, monkeypatch):
    """This process on the Redis broker, with Redis timers, on the tests' own Redis database (the
    one the Redis worker of ``test_queue`` uses). django-q2 reads its settings once, at import."""
    import redis
    from django_q.conf import Conf

    from tenants import queue

    url = f"{settings.TEST_REDIS_URL}/12"
    settings.Q_CLUSTER = {**{k: v for k, v in settings.Q_CLUSTER.items() if k != "orm"}, "redis": url}
    monkeypatch.setattr(Conf, "ORM", None)
    monkeypatch.setattr(Conf, "REDIS", url)
    monkeypatch.setattr(Conf, "CLUSTER_NAME", REDIS_QUEUE_CLUSTER)
    monkeypatch.setattr(queue, "_brokers", {})
    client = redis.Redis.from_url(url)
    keys = [f"django_q:{REDIS_QUEUE_CLUSTER}:q", *queue._timer_keys()]
    client.delete(*keys)
    yield client
    client.delete(*keys)
    client.close()


@pytest.fixture(scope="session")
def _loopback_dns():
    from tests.dns_server import LoopbackDNS

    server = LoopbackDNS().start()
    yield server
    server.stop()


@pytest.fixture
def dns_zones(_loopback_dns, settings):
    """The tests' DNS server (dnslib, on the loopback), empty, and the domain checks pointed at it."""
    _loopback_dns.zones.clear()
    settings.PORTICO_DNS_RESOLVERS = [_loopback_dns.address]
    settings.PORTICO_PUBLIC_IPS = ["127.0.0.1"]
    yield _loopback_dns.zones
    _loopback_dns.zones.clear()


@pytest.fixture
def caddy(live_server, settings):
    """Debian's Caddy with the deployment's Caddyfile in front of the live server: on-demand TLS
    from its internal CA, on loopback ports of its own; started and stopped (by pid) here. The
    domain checks' TLS probe connects to it, and Portico trusts its ``X-Forwarded-Proto``."""
    from tests.caddy_proxy import CaddyProxy

    proxy = CaddyProxy(live_server.url.removeprefix("http://")).start()
    settings.PORTICO_TLS_PROBE = f"127.0.0.1:{proxy.https_port}"
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    yield proxy
    proxy.stop()
