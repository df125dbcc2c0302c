"""Two web processes and two workers behind one Caddy, on one database and one Redis, as a second
machine would run them: a change made by any process of the deployment (here a one-off
``manage.py shell``, as an operator's console or a deploy script) is seen by both webs within the
routing recheck interval."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from types import SimpleNamespace

import httpx
import pytest

from tenants.models import ApiKey
from tests.caddy_proxy import CaddyProxy, free_port
from tests.production_stack import ROOT, production_env

pytestmark = pytest.mark.django_db(transaction=True)  # the processes see committed rows only

RECHECK_SECONDS = 1.0
# Slack on top of the recheck: a poll every 0.1 s and a loaded machine.
SLACK_SECONDS = 1.5


@pytest.fixture
def replicas(tmp_path, collected_static):
    import redis

    env = production_env(
        STATIC_ROOT=str(collected_static),
        WEB_CONCURRENCY="1",
        PORTICO_ROUTING_RECHECK_SECONDS=str(RECHECK_SECONDS),
    )
    redis.Redis.from_url(env["REDIS_URL"]).flushdb()
    ports = [free_port(), free_port()]
    processes = []

    def start(name: str, command: list[str]) -> None:
        log = open(tmp_path / f"{name}.log", "wb")  # noqa: SIM115 - the child writes it
        processes.append(
            subprocess.Popen(  # noqa: S603 - fixed command lines
                command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        )

    for n, port in enumerate(ports):
        start(
            f"web{n}",
            [
                sys.executable, "-m", "gunicorn", "--config", "deploy/gunicorn.conf.py",
                "--bind", f"127.0.0.1:{port}", "config.wsgi:application",
            ],
        )  # fmt: skip
    for n in range(2):
        start(f"worker{n}", [sys.executable, "manage.py", "qcluster"])
    caddy = None
    try:
        deadline = time.monotonic() + 90
        for port in ports:
            while True:
                try:
                    if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError((tmp_path / "web0.log").read_text()[-3000:])
                time.sleep(0.2)
        caddy = CaddyProxy(" ".join(f"127.0.0.1:{port}" for port in ports)).start()
        yield SimpleNamespace(env=env, ports=ports, caddy=caddy)
    finally:
        if caddy is not None:
            caddy.stop()
        for process in processes:
            if process.poll() is None:
                os.kill(process.pid, signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def _one_off(env: dict, code: str) -> str:
    """Run ``code`` in a process of the deployment of its own (``manage.py shell``); its last line."""
    done = subprocess.run(  # noqa: S603 - a fixed command line
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=180,
        capture_output=True,
        text=True,
    )
    return done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""


def _key_made(env: dict, tenant_id: int, name: str) -> str:
    """A key issued by the deployment (its secret is hashed with the deployment's SECRET_KEY)."""
    return _one_off(
        env,
        "from tenants.models import Tenant; from tenants.services import api_key_create; "
        f"print(api_key_create(tenant=Tenant.objects.get(pk={tenant_id}), name='{name}').secret)",
    )


def _seen_by_both(ask, expected, ports) -> float:
    """Seconds until every web answers ``expected`` (polled every 0.1 s)."""
    started = time.monotonic()
    while True:
        answers = [ask(port) for port in ports]
        if all(answer == expected for answer in answers):
            return time.monotonic() - started
        if time.monotonic() - started > 30:
            raise AssertionError(f"after 30 s the webs still answer {answers}, not {expected}")
        time.sleep(0.1)


def test_a_plan_key_or_office_change_reaches_both_webs_within_the_recheck(office_a, replicas):
    secret = _key_made(replicas.env, office_a.tenant.pk, "CRM")
    headers = {"Host": office_a.host, "Authorization": f"Bearer {secret}"}

    def status(port):
        return httpx.get(f"http://127.0.0.1:{port}/api/v1/contacts/", headers=headers, timeout=10).status_code

    def quota(port):
        response = httpx.get(f"http://127.0.0.1:{port}/api/v1/contacts/", headers=headers, timeout=10)
        return response.headers.get("RateLimit-Policy", str(response.status_code))

    # Warm: each web has the office's route, the key and the plan's limit in memory.
    assert [status(port) for port in replicas.ports] == [200, 200]
    with httpx.Client(verify=str(replicas.caddy.root_certificate), timeout=20) as https:
        through_caddy = https.get(  # the office's name as SNI and Host, on the loopback address
            f"https://127.0.0.1:{replicas.caddy.https_port}/api/v1/contacts/",
            headers=headers,
            extensions={"sni_hostname": office_a.host},
        )
    assert through_caddy.status_code == 200

    plan = office_a.tenant.plan_id
    _one_off(
        replicas.env,
        f"from tenants.models import Plan; p = Plan.objects.get(pk={plan}); "
        "p.api_requests_per_minute = 321; p.save()",
    )
    took = _seen_by_both(quota, '"default";q=321;w=60', replicas.ports)
    assert took <= RECHECK_SECONDS + SLACK_SECONDS, took

    key = ApiKey.objects.get(tenant=office_a.tenant, name="CRM").pk
    _one_off(
        replicas.env,
        "from tenants.models import ApiKey; from tenants.services import api_key_revoke; "
        f"api_key_revoke(api_key=ApiKey.objects.get(pk={key}))",
    )
    took = _seen_by_both(status, 401, replicas.ports)
    assert took <= RECHECK_SECONDS + SLACK_SECONDS, took

    fresh = _key_made(replicas.env, office_a.tenant.pk, "CRM 2")
    headers["Authorization"] = f"Bearer {fresh}"
    assert [status(port) for port in replicas.ports] == [200, 200]  # a key unknown to a web: looked up
    _one_off(
        replicas.env,
        "from tenants.models import Tenant; from tenants.services import tenant_suspend; "
        f"tenant_suspend(tenant=Tenant.objects.get(pk={office_a.tenant.pk}), reason='Unpaid invoice')",
    )
    took = _seen_by_both(status, 403, replicas.ports)
    assert took <= RECHECK_SECONDS + SLACK_SECONDS, took
