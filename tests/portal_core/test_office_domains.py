"""Portal → Domain in the office: what to add at the registrar, what the checks saw, the plan's
limit, and no way in for another office."""

from __future__ import annotations

import re

import pytest
from django.db import connection

from tenants.models import CustomDomain, Plan

DOMAIN = "portal.alpha-agency.test"


@pytest.fixture
def office(make_office):
    return make_office("alpha", plan=Plan.objects.get(code="professional"))


def _rows(page: str) -> dict[str, str]:
    return dict(re.findall(r'data-record="(\w+)" data-state="(\w+)"', page))


def test_it_shows_the_records_to_add_and_what_each_check_saw(office, dns_zones):
    staff = office.staff_client()
    assert 'href="/office/domain/"' in staff.get("/office/").content.decode()  # Portal → Domain
    added = staff.post("/office/domain/", {"domain": "Portal.Alpha-Agency.test"}, follow=True)
    page = added.content.decode()
    custom = CustomDomain.objects.get(tenant=office.tenant)
    assert f"{DOMAIN} is added" in page
    assert f"_portico-verify.{DOMAIN}" in page and custom.verify_value in page
    assert "alpha.portico.localhost" in page  # the CNAME's target
    assert "up to 48 hours" in page  # the usual propagation time
    assert _rows(page) == {"verify": "missing", "route": "missing"}
    assert 'data-domain-status="pending"' in page and "Last checked just now" in page

    dns_zones.set(custom.verify_name, "TXT", custom.verify_value)
    dns_zones.set(DOMAIN, "CNAME", "somewhere-else.example")
    page = staff.post(f"/office/domain/{custom.pk}/check/", follow=True).content.decode()
    assert _rows(page) == {"verify": "found", "route": "wrong"}
    assert "seen: somewhere-else.example" in page

    dns_zones.set(DOMAIN, "CNAME", "alpha.portico.localhost")
    page = staff.post(f"/office/domain/{custom.pk}/check/", follow=True).content.decode()
    assert _rows(page) == {"verify": "found", "route": "found"}
    assert 'data-domain-status="verified"' in page and "Use as the portal's address" in page

    page = staff.post(f"/office/domain/{custom.pk}/primary/", follow=True).content.decode()
    assert "Links and emails use it from now on" in page and "Portal address" in page
    # The office's pages moved with the portal: staff sign in again on the domain.
    assert office.client().get("/office/domain/")["Location"] == f"http://{DOMAIN}/office/domain/"


def test_it_tells_the_office_its_plans_limit(make_office, dns_zones):
    starter = make_office("bravo")
    page = starter.staff_client().post("/office/domain/", {"domain": "portal.bravo.test"}).content.decode()
    assert "Your plan does not include custom domains. Change plan to add one." in page
    assert not CustomDomain.objects.filter(tenant=starter.tenant).exists()


def test_it_refuses_what_is_not_a_domain_on_the_form(office, dns_zones):
    page = office.staff_client().post("/office/domain/", {"domain": "not a domain"}).content.decode()
    assert "Enter a domain name such as portal.youragency.com." in page


def test_it_removes_a_domain_and_stops_serving_it(office, dns_zones):
    staff = office.staff_client()
    staff.post("/office/domain/", {"domain": DOMAIN})
    custom = CustomDomain.objects.get(tenant=office.tenant)
    dns_zones.set(custom.verify_name, "TXT", custom.verify_value)
    dns_zones.set(DOMAIN, "CNAME", "alpha.portico.localhost")
    staff.post(f"/office/domain/{custom.pk}/check/")
    page = staff.post(f"/office/domain/{custom.pk}/remove/", follow=True).content.decode()
    assert "is removed" in page and "data-domain=" not in page
    custom.refresh_from_db()
    assert custom.status == "removed"
    assert staff.post(f"/office/domain/{custom.pk}/check/").status_code == 404


@pytest.mark.parametrize("action", ["check", "primary", "remove"])
def test_another_office_cannot_touch_a_domain(office, make_office, dns_zones, action):
    office.staff_client().post("/office/domain/", {"domain": DOMAIN})
    connection.set_schema_to_public()
    custom = CustomDomain.objects.get(tenant=office.tenant)
    other = make_office("charlie", plan=Plan.objects.get(code="professional"))
    stranger = other.staff_client()
    assert stranger.post(f"/office/domain/{custom.pk}/{action}/").status_code == 404  # on its own host
    assert DOMAIN not in stranger.get("/office/domain/").content.decode()
    stranger.defaults["HTTP_HOST"] = office.host
    assert stranger.post(f"/office/domain/{custom.pk}/{action}/")["Location"].startswith("/office/login/")
    assert CustomDomain.objects.get(pk=custom.pk).status == "pending"
    anonymous = office.client()
    assert anonymous.get("/office/domain/")["Location"].startswith("/office/login/")


def test_it_says_when_another_offices_portal_is_still_served_at_the_domain(office, make_office, dns_zones):
    from tenants import domains

    mine = domains.custom_domain_add(tenant=office.tenant, domain=DOMAIN)
    other = make_office("charlie", plan=Plan.objects.get(code="professional"))
    theirs = domains.custom_domain_add(tenant=other.tenant, domain=DOMAIN)
    dns_zones.set(theirs.verify_name, "TXT", theirs.verify_value)
    dns_zones.set(DOMAIN, "CNAME", other.host)
    assert domains.custom_domain_check_now(custom_domain=theirs).status == "verified"
    dns_zones.set(mine.verify_name, "TXT", mine.verify_value)  # the domain changed hands
    dns_zones.set(DOMAIN, "CNAME", office.host)
    staff = office.staff_client()
    page = staff.post(f"/office/domain/{mine.pk}/check/", follow=True).content.decode()
    assert _rows(page) == {"verify": "found", "route": "found"} and 'data-domain-status="pending"' in page
    assert f"Another office's portal is served at {DOMAIN}" in page
