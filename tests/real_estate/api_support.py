"""What the real-estate API tests share: offices A and B with the module switched on (so that only
the scoping, never the module gate, refuses the other office's tokens), their API keys, the module's
rows made straight in a schema, and a check that a list of endpoints refuses every outsider.

Import the fixtures into a test module to use them there (they override ``office_a`` and
``office_b`` of ``tests/conftest.py``)."""

from __future__ import annotations

import pytest
from django.db import connection
from django_tenants.utils import tenant_context

from modules.real_estate import services
from modules.real_estate.models import Deal, OfferedProperty, Property
from portal_core.api.auth import jwt_pair
from portal_core.models import PortalAccount
from portal_core.services import module_enable
from tenants.services import api_key_create
from tests.api import conftest as api_conftest
from tests.api.conftest import api
from tests.api.mixins import CLIENT_REFUSED, READ_ONLY, call, client_jwt, staff_jwt

from ..conftest import PLATFORM_HOST
from .conftest import make_client

BASE = "/api/v1/real-estate/"


def module_on(office, capture) -> None:
    with tenant_context(office.tenant), capture(execute=True):
        module_enable(key="real_estate")
    connection.set_schema_to_public()


@pytest.fixture
def office_a(office_a, django_capture_on_commit_callbacks):
    module_on(office_a, django_capture_on_commit_callbacks)
    return office_a


@pytest.fixture
def office_b(office_b, django_capture_on_commit_callbacks):
    module_on(office_b, django_capture_on_commit_callbacks)
    return office_b


# The core's key fixtures, which take whichever ``office_a`` and ``office_b`` the test sees.
api_key_a, api_key_b = api_conftest.api_key_a, api_conftest.api_key_b


# --- rows, made in the current schema -------------------------------------------------------------


def client_account(label: str = "Chris") -> PortalAccount:
    slug = label.lower().replace(" ", "-").replace("'", "")
    return make_client(first_name=label.title(), email=f"{slug}@example.com")


def account_jwt(office, account: PortalAccount) -> str:
    return jwt_pair(tenant=office.tenant, kind="client", subject_id=account.pk)["access"]


def property_made(title: str = "Family home", **fields) -> Property:
    fields = {"city": "Haarlem", "country": "Netherlands", "price": 500000, **fields}
    return services.property_create(title=title, **fields)


def offer_made(
    account: PortalAccount, title: str = "Family home", *, deal: Deal | None = None
) -> OfferedProperty:
    """A property offered to ``account``'s contact (through ``deal``, or a new one)."""
    deal = deal or services.deal_create(contact=account.contact, title=f"{title} search")
    return services.property_offer(deal=deal, property=property_made(title), actor="owner")


# --- every outsider refused -----------------------------------------------------------------------


def assert_outsiders_refused(office_a, office_b, endpoints, *, client_endpoints: bool = False) -> None:
    """Each (method, path) of office A refuses office B's API key, staff JWT and client JWT (401 on
    A's host; on the platform host they reach office B, where A's rows are not: 404 or an empty
    list), no token at all (401), and, for office endpoints, A's own client JWT (403) or, for client
    endpoints, A's API key and staff JWT (403); a read-only key may only read office endpoints."""
    b_key = api_key_create(tenant=office_b.tenant, name="B").secret
    with tenant_context(office_b.tenant):
        b_client = account_jwt(office_b, client_account("Bea"))
    connection.set_schema_to_public()
    for token in (b_key, staff_jwt(office_b), b_client):
        client = api(office_a.host, token)
        for method, path in endpoints:
            response = call(client, method, path)
            assert response.status_code == 401, (method, path, response.content)
            assert response.json() == {"message": "This token belongs to another portal."}
    for method, path in endpoints:
        response = call(api(office_a.host), method, path)
        assert response.status_code == 401 and set(response.json()) == {"message"}, (method, path)
    # On the platform host B's token reaches B's office, where A's rows are not.
    for method, path in endpoints:
        response = call(api(PLATFORM_HOST, b_client if client_endpoints else b_key), method, path)
        if response.status_code == 200 and method == "get":
            assert response.json()["results"] == [], (method, path, response.content)
        else:
            assert response.status_code == 404, (method, path, response.content)
            assert set(response.json()) == {"message"}, (method, path, response.content)
    if client_endpoints:
        key = api_key_create(tenant=office_a.tenant, name="Office").secret
        for token in (key, staff_jwt(office_a)):
            for method, path in endpoints:
                response = call(api(office_a.host, token), method, path)
                assert response.status_code == 403, (method, path, response.content)
                assert "client" in response.json()["message"]
        return
    a_client = client_jwt(office_a, email="kim@example.com")
    reader = api_key_create(tenant=office_a.tenant, name="Reader", scopes=["read"]).secret
    for method, path in endpoints:
        response = call(api(office_a.host, a_client), method, path)
        assert response.status_code == 403, (method, path, response.content)
        assert response.json() == {"message": CLIENT_REFUSED}
        if method != "get":
            response = call(api(office_a.host, reader), method, path)
            assert response.status_code == 403, (method, path, response.content)
            assert response.json() == {"message": READ_ONLY}


class ResourceExtras:
    """What the real-estate resources add to the generic suites of ``tests/api/mixins``.

    Their query count (2 rows against 20) is left out: ``test_api_queries`` counts every list at 5
    and 500 rows, without the per-process caches (routes, keys, plans, the portal's configuration)
    that another test run sharing the Redis may invalidate in the middle of a test."""

    test_it_lists_in_a_constant_number_of_queries = None

    def test_it_refuses_a_client_token_of_another_office(self, office_a, office_b):
        with tenant_context(office_a.tenant):
            row = self.make("a's")
        with tenant_context(office_b.tenant):
            token = account_jwt(office_b, client_account("Bea"))
        connection.set_schema_to_public()
        for host, code, message in (
            (office_a.host, 401, "This token belongs to another portal."),
            (PLATFORM_HOST, 403, CLIENT_REFUSED),
        ):
            for method, path in self.endpoints(row.pk):
                response = call(api(host, token), method, path)
                assert (response.status_code, response.json()) == (code, {"message": message}), (host, path)
