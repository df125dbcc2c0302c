"""Background work through a real django-q2 worker, with each broker, always in the right schema."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from portal_core.models import PortalConfig

ROOT = Path(__file__).resolve().parents[1]


def _database_url() -> str:
    s = connection.settings_dict
    host = s.get("HOST") or ""
    port = f":{s['PORT']}" if s.get("PORT") else ""
    auth = s.get("USER") or ""
    if s.get("PASSWORD"):
        auth += f":{s['PASSWORD']}"
    if host.startswith("/"):
        return f"postgres://{auth}@/{s['NAME']}?host={host}"
    return f"postgres://{auth}@{host}{port}/{s['NAME']}"


def _env(broker: str, settings) -> dict:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        "DATABASE_URL": _database_url(),
        "PORTICO_QUEUE_WORKERS": "1",
    }
    env.pop("REDIS_URL", None)
    if broker == "redis":
        env["REDIS_URL"] = f"{settings.TEST_REDIS_URL}/12"
    return env


def worker_start(env: dict) -> subprocess.Popen:
    """A real ``manage.py qcluster`` in its own process group (so its workers stop with it)."""
    return subprocess.Popen(
        [sys.executable, "manage.py", "qcluster"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def _welcome(office) -> str:
    with schema_context(office.schema_name):
        return PortalConfig.objects.get().welcome_message


@pytest.mark.parametrize("broker", ["orm", "redis"])
@pytest.mark.django_db(transaction=True)
def test_it_runs_enqueued_work_in_the_schema_it_came_from(broker, office_a, office_b, settings):
    env = _env(broker, settings)
    marker = f"{broker}-{time.time_ns()}"
    producer = (
        "from django_tenants.utils import schema_context\n"
        "from tenants.queue import enqueue\n"
        f"with schema_context({office_a.schema_name!r}):\n"
        f"    enqueue('tests.queue_support.record_schema', {marker!r})\n"
    )
    subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", producer],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=60,
    )
    worker = worker_start(env)
    try:
        deadline = time.monotonic() + 60
        while marker not in _welcome(office_a) and time.monotonic() < deadline:
            time.sleep(0.3)
    finally:
        worker.send_signal(signal.SIGTERM)  # the cluster's own process stops its workers
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
    assert _welcome(office_a) == f"{marker} ran in {office_a.schema_name}"
    assert marker not in _welcome(office_b)


def test_it_writes_the_task_in_the_same_transaction_with_the_database_broker(office_a, settings):
    settings.PORTICO_TASKS_EAGER = False
    from django.db import transaction
    from django_q.models import OrmQ

    from tenants.queue import enqueue

    before = OrmQ.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic(), schema_context(office_a.schema_name):
        enqueue("tests.queue_support.record_schema", "rolled back")
        assert OrmQ.objects.count() == before + 1
        raise RuntimeError("the change fails")
    assert OrmQ.objects.count() == before  # the task went with the rolled-back change
    with transaction.atomic(), schema_context(office_a.schema_name):
        enqueue("tests.queue_support.record_schema", "kept")
    assert OrmQ.objects.count() == before + 1


def test_it_sends_to_redis_only_after_the_commit(
    office_a, settings, django_capture_on_commit_callbacks, monkeypatch
):
    settings.Q_CLUSTER = {**settings.Q_CLUSTER, "redis": f"{settings.TEST_REDIS_URL}/12"}
    settings.PORTICO_TASKS_EAGER = False
    sent = []
    monkeypatch.setattr("tenants.queue.async_task", lambda *args, **kwargs: sent.append(args))
    from tenants.queue import enqueue

    with django_capture_on_commit_callbacks(execute=False) as callbacks, schema_context(office_a.schema_name):
        enqueue("tests.queue_support.record_schema", "x")
        assert sent == []
    assert len(callbacks) == 1
    callbacks[0]()
    assert sent[0][1:] == (office_a.schema_name, "tests.queue_support.record_schema", "x")


def test_it_runs_a_task_inside_the_named_schema(office_a, office_b):
    from tenants.queue import run_in_schema

    assert (
        run_in_schema(office_b.schema_name, "tests.queue_support.record_schema", "direct")
        == office_b.schema_name
    )
    assert _welcome(office_b) == f"direct ran in {office_b.schema_name}"
    assert "direct" not in _welcome(office_a)
    assert connection.schema_name == "public"
