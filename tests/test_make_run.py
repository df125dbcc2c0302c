"""``make run`` as a new user runs it: it prepares the database, serves the product as production
does (gunicorn, several workers, DEBUG off, static files compressed) with the worker, and Ctrl-C ends
every process it started."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from django.conf import settings

from tests.caddy_proxy import free_port
from tests.production_stack import ROOT, production_env

BANNER_TIMEOUT = 240


def _session_members(leaders: set[int]) -> set[int]:
    """Every process whose session one of ``leaders`` leads (gunicorn's workers, the worker cluster)."""
    members = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) in leaders:  # the session id, after state, ppid, pgrp
            members.add(int(entry.name))
    return members


def _alive(pids: set[int]) -> set[int]:
    alive = set()
    for pid in pids:
        try:
            state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            alive.add(pid)
    return alive


@pytest.fixture
def make_run(transactional_db, tmp_path, collected_static):
    port = free_port()
    env = production_env(
        DJANGO_SETTINGS_MODULE="config.settings.dev",
        STATIC_ROOT=str(collected_static),
        STRIPE_FAKE_PORT=str(free_port()),
        WEB_CONCURRENCY="3",
    )
    for name in ("SECRET_KEY", "DJANGO_DEBUG"):
        env.pop(name, None)
    log = open(tmp_path / "run.log", "w+b")  # noqa: SIM115 - closed below
    process = subprocess.Popen(  # noqa: S603 - a fixed command line
        [sys.executable, "deploy/dev/run.py", "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )

    def output() -> str:
        return (tmp_path / "run.log").read_text(errors="replace")

    deadline = time.monotonic() + BANNER_TIMEOUT
    while "Stop with Ctrl-C" not in output():
        assert process.poll() is None, f"make run stopped:\n{output()[-4000:]}"
        assert time.monotonic() < deadline, f"make run did not start:\n{output()[-4000:]}"
        time.sleep(0.5)
    yield process, port, output
    if process.poll() is None:
        process.kill()
    log.close()


def test_make_run_serves_as_production_does_and_ctrl_c_ends_everything(make_run):
    process, port, output = make_run
    base = settings.PORTICO_BASE_DOMAIN
    assert "gunicorn" in output() and "DEBUG off" in output()
    assert "Collecting" not in output(), "static files already collected and unchanged were collected again"

    deadline = time.monotonic() + 60
    while True:
        try:
            health = httpx.get(f"http://127.0.0.1:{port}/healthz", headers={"Host": base}, timeout=5)
            break
        except httpx.HTTPError:
            assert time.monotonic() < deadline, output()[-4000:]
            time.sleep(0.5)
    assert health.status_code == 200
    login = httpx.get(f"http://127.0.0.1:{port}/office/login/", headers={"Host": f"demo.{base}"})
    assert login.status_code == 200 and "Sign in" in login.text
    stylesheet = re.search(r'href="(/static/portico/[^"]+\.css)"', login.text).group(1)
    css = httpx.get(f"http://127.0.0.1:{port}{stylesheet}", headers={"Accept-Encoding": "gzip"})
    assert css.headers["content-encoding"] == "gzip" and "immutable" in css.headers["cache-control"]
    missing = httpx.get(f"http://127.0.0.1:{port}/no-such-page/", headers={"Host": base})
    assert missing.status_code == 404 and "URLconf" not in missing.text  # DEBUG is off

    children = {
        int(pid)
        for pid in subprocess.run(  # noqa: S603
            ["ps", "-o", "pid=", "--ppid", str(process.pid)], capture_output=True, text=True, check=True
        ).stdout.split()
    }
    started = _session_members(children) | children
    assert len(started) >= 3 + 3, f"gunicorn's master and 3 workers, the worker, the fake Stripe: {started}"

    os.kill(process.pid, signal.SIGINT)  # Ctrl-C in the terminal
    assert process.wait(timeout=40) == 0, output()[-4000:]
    deadline = time.monotonic() + 5
    while _alive(started) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _alive(started), f"still running after Ctrl-C: {_alive(started)}\n{output()[-3000:]}"
    assert "Stopped the embedded PostgreSQL" not in output()  # it was not started here
