"""Same answer, same time: for each way in, an unknown email, a known email with a wrong password and
a known account with no password take as long as each other (30 interleaved tries per case through
the whole request stack, with a real key-derivation cost; medians within 25%). Forgot-password,
which checks no password, is held to the same: it answers alike whether anybody is asked for."""

from __future__ import annotations

import json
import random
import statistics
import time
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_context

from tenants import signin_policy
from tenants.signin_policy import Limits

from ..conftest import PLATFORM_HOST

TRIES = 30
ARTIFACT = Path(__file__).resolve().parents[2] / "test-results" / "signin_timing.json"


@pytest.fixture
def real_hasher(settings, monkeypatch):
    settings.PASSWORD_HASHERS = [
        "tests.hashers.TimingPBKDF2PasswordHasher",
        "tests.hashers.CountingMD5PasswordHasher",
    ]
    monkeypatch.setattr(
        signin_policy, "SURFACES", {key: Limits(ip=10_000, account=10_000) for key in signin_policy.SURFACES}
    )


def _accounts(office):
    from portal_core import access
    from portal_core.models import Contact, PortalConfig

    with schema_context(office.schema_name):
        config = PortalConfig.objects.get()
        config.is_active = True
        config.save()
        known = access.portal_account_for(
            contact=Contact.objects.create(first_name="K", last_name="N", email="known@example.com")
        )
        known.password = make_password("Known-pass-2026!")
        known.save()
        access.portal_account_for(
            contact=Contact.objects.create(first_name="I", last_name="N", email="invited@example.com")
        )
        users = get_user_model().objects
        users.create_user("t-known", "staff-known@example.com", "Staff-pass-2026!", is_staff=True)
        users.create_user("t-nopass", "staff-nopass@example.com", None, is_staff=True)
    connection.set_schema_to_public()


def _measure(attempt, cases: dict[str, str]) -> dict[str, float]:
    timings = {name: [] for name in cases}
    order = list(cases)
    for name in order:  # warm every path once
        attempt(cases[name])
    for _ in range(TRIES):
        random.shuffle(order)
        for name in order:
            started = time.perf_counter()
            response = attempt(cases[name])
            timings[name].append(time.perf_counter() - started)
            assert response.status_code in (200, 401), response.status_code
    return {name: statistics.median(values) * 1000 for name, values in timings.items()}


def test_every_way_in_takes_as_long_whoever_is_asked_for(office_a, real_hasher, settings):
    _accounts(office_a)
    connection.set_schema_to_public()
    users = get_user_model().objects
    users.create_superuser("ops-known", "ops-known@portico.localhost", "Operator-pass-2026!")
    users.create_superuser("ops-nopass", "ops-nopass@portico.localhost", None)
    settings.PORTICO_TASKS_EAGER = False  # the reset email is the worker's job, as in production
    browser = office_a.client()
    console = Client(HTTP_HOST=PLATFORM_HOST)
    ways = {
        "client_signin": (
            lambda email: browser.post("/auth/signin", {"email": email, "password": "Wrong-2026!x"}),
            {
                "unknown": "nobody@example.com",
                "wrong_password": "known@example.com",
                "no_password": "invited@example.com",
            },
        ),
        "office_login": (
            lambda email: browser.post("/office/login/", {"username": email, "password": "Wrong-2026!x"}),
            {
                "unknown": "nobody@example.com",
                "wrong_password": "staff-known@example.com",
                "no_password": "staff-nopass@example.com",
            },
        ),
        "operator_login": (
            lambda username: console.post(
                "/admin/login/?next=/admin/",
                {"username": username, "password": "Wrong-2026!x", "next": "/admin/"},
            ),
            {"unknown": "ops-nobody", "wrong_password": "ops-known", "no_password": "ops-nopass"},
        ),
        "client_forgot_password": (
            lambda email: browser.post("/auth/forgot", {"email": email}),
            {
                "unknown": "nobody@example.com",
                "known": "known@example.com",
                "no_password": "invited@example.com",
            },
        ),
        "api_token": (
            lambda email: browser.post(
                "/api/v1/auth/token",
                {"email": email, "password": "Wrong-2026!x", "kind": "client"},
                content_type="application/json",
            ),
            {
                "unknown": "nobody@example.com",
                "wrong_password": "known@example.com",
                "no_password": "invited@example.com",
            },
        ),
    }
    figures, failures = {}, []
    for way, (attempt, cases) in ways.items():
        # A loaded machine can stall one case for a while: measure again (three rounds at most)
        # before calling it a difference. A real one (a hash skipped) shows in every round.
        for _round in range(3):
            medians = _measure(attempt, cases)
            spread = max(medians.values()) / min(medians.values())
            if spread <= 1.25:
                break
        figures[way] = {**{k: round(v, 2) for k, v in medians.items()}, "ratio": round(spread, 3)}
        if spread > 1.25:
            failures.append(way)
    ARTIFACT.parent.mkdir(exist_ok=True)
    ARTIFACT.write_text(json.dumps(figures, indent=1))
    print(json.dumps(figures))
    assert not failures, figures
