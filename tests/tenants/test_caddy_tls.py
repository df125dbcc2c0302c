"""A real Caddy with on-demand TLS in front of Portico: a verified domain gets a certificate and the
office's portal, an unverified one gets no certificate, a removed one is no longer served."""

from __future__ import annotations

import pytest

from tenants import domains
from tenants.models import Plan
from tests.caddy_proxy import CaddyProxy

DOMAIN = "portal.alpha-agency.test"


@pytest.fixture
def office(make_office):
    return make_office("alpha", plan=Plan.objects.get(code="professional"))


def _status(answer) -> int:
    return int(answer.stdout.rsplit("\n", 1)[-1] or 0)


def test_caddy_serves_a_verified_domain_only(office, dns_zones, caddy, live_server):
    pending = domains.custom_domain_add(tenant=office.tenant, domain="waiting.alpha-agency.test")
    added = domains.custom_domain_add(tenant=office.tenant, domain=DOMAIN)
    dns_zones.set(added.verify_name, "TXT", added.verify_value)
    dns_zones.set(DOMAIN, "CNAME", office.host)

    refused = caddy.curl(DOMAIN, "/auth/signin")  # not verified yet: Portico says no, Caddy issues nothing
    assert refused.returncode != 0 and _status(refused) == 0, refused

    checked = domains.custom_domain_check_now(custom_domain=added)
    assert checked.status == "active", caddy.output()  # the check's TLS probe saw the certificate
    served = caddy.curl(DOMAIN, "/auth/signin")
    assert served.returncode == 0, served.stderr
    assert _status(served) == 200 and "Alpha Realty" in served.stdout

    for never in (pending.domain, "made-up.example"):
        answer = caddy.curl(never, "/")
        assert answer.returncode != 0 and _status(answer) == 0, answer

    domains.custom_domain_remove(custom_domain=checked)
    gone = caddy.curl(DOMAIN, "/auth/signin")  # the certificate Caddy holds still shakes hands
    assert _status(gone) == 404 and f"There is no client portal at <strong>{DOMAIN}</strong>" in gone.stdout
    caddy.stop()
    fresh = CaddyProxy(live_server.url.removeprefix("http://")).start()
    try:
        again = fresh.curl(DOMAIN, "/auth/signin")  # and no new one is issued for it
        assert again.returncode != 0 and _status(again) == 0, again
    finally:
        fresh.stop()
