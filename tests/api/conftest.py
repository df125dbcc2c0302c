import time
import types

import pytest
from django.test import Client

from portal_core.api import ratelimit
from tenants.services import api_key_create


@pytest.fixture
def api_key_a(office_a) -> str:
    return api_key_create(tenant=office_a.tenant, name="Integration").secret


@pytest.fixture
def api_key_b(office_b) -> str:
    return api_key_create(tenant=office_b.tenant, name="Integration").secret


@pytest.fixture
def one_window(monkeypatch):
    """Hold the rate limiter's clock at the start of one window, so that a test sending a whole
    window's worth of requests cannot straddle a minute boundary (and see its count reset)."""
    start = (int(time.time()) // ratelimit.WINDOW) * ratelimit.WINDOW + 1
    monkeypatch.setattr(ratelimit, "time", types.SimpleNamespace(time=lambda: start))
    return start


def api(host: str, key: str | None = None) -> Client:
    headers = {"HTTP_HOST": host}
    if key:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {key}"
    return Client(**headers)
