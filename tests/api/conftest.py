import pytest
from django.test import Client

from tenants.services import api_key_create


@pytest.fixture
def api_key_a(office_a) -> str:
    return api_key_create(tenant=office_a.tenant, name="Integration").secret


@pytest.fixture
def api_key_b(office_b) -> str:
    return api_key_create(tenant=office_b.tenant, name="Integration").secret


def api(host: str, key: str | None = None) -> Client:
    headers = {"HTTP_HOST": host}
    if key:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {key}"
    return Client(**headers)
