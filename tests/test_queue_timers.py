"""Timed work (``tenants.queue.enqueue_at``): timers set with the change that set them, handed to
the queue once due by exactly one timer loop, with the database queue and with Redis, and fired on
time by the loop that ``manage.py qcluster`` runs beside a real worker."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone
from django_q.models import OrmQ
from django_q.signing import SignedPackage
from django_tenants.utils import schema_context

from portal_core.models import PortalConfig
from tenants import queue
from tenants.models import QueueTimer
from tenants.queue import enqueue, enqueue_at, timers_fire

from .conftest import REDIS_QUEUE_CLUSTER as CLUSTER
from .test_queue import _env, worker_start

RECORD = "tests.queue_support.record_schema"


def _queued_orm() -> list[tuple]:
    """(schema, function, args) of every task waiting in the database queue."""
    with schema_context("public"):
        return [tuple(row.task["args"][:2]) + (list(row.task["args"][2:]),) for row in OrmQ.objects.all()]


def _queued_redis(client) -> list[tuple]:
    tasks = [SignedPackage.loads(raw.decode()) for raw in client.lrange(f"django_q:{CLUSTER}:q", 0, -1)]
    return [tuple(task["args"][:2]) + (list(task["args"][2:]),) for task in tasks]


def _timers_redis(client) -> list[tuple[list, float]]:
    due_key, _ = queue._timer_keys()
    return [(json.loads(m), score) for m, score in client.zrange(due_key, 0, -1, withscores=True)]


# --- the database queue --------------------------------------------------------------------------


def test_it_writes_the_timer_in_the_public_index_with_the_change_and_drops_it_on_rollback(office_a):
    later = timezone.now() + timedelta(seconds=5)
    with schema_context(office_a.schema_name):
        with pytest.raises(RuntimeError), transaction.atomic():
            enqueue_at(later, RECORD, "rolled back")
            assert QueueTimer.objects.count() == 1
            raise RuntimeError("the change fails")
        assert not QueueTimer.objects.exists()
        with transaction.atomic():
            enqueue_at(later, RECORD, "kept")
    with schema_context("public"):
        [timer] = QueueTimer.objects.all()
    assert (timer.schema_name, timer.func, timer.args, timer.due_at) == (
        office_a.schema_name,
        RECORD,
        ["kept"],
        later,
    )


def test_it_moves_a_timer_set_again_for_the_same_work(office_a):
    now = timezone.now()
    with schema_context(office_a.schema_name):
        enqueue_at(now + timedelta(seconds=5), RECORD, "x")
        enqueue_at(now + timedelta(minutes=5), RECORD, "x")
        enqueue_at(now + timedelta(seconds=5), RECORD, "y")
    assert sorted(QueueTimer.objects.values_list("args", "due_at")) == [
        (["x"], now + timedelta(minutes=5)),
        (["y"], now + timedelta(seconds=5)),
    ]


def test_it_hands_due_timers_to_the_database_queue_in_their_schema(office_a, office_b, settings):
    settings.PORTICO_TASKS_EAGER = False
    now = timezone.now()
    before = _queued_orm()
    with schema_context(office_a.schema_name):
        enqueue_at(now - timedelta(seconds=1), RECORD, "due in A")
        enqueue_at(now + timedelta(seconds=30), RECORD, "later")
    with schema_context(office_b.schema_name):
        enqueue_at(now, RECORD, "due in B")
    connection.set_schema_to_public()

    assert timers_fire(now=now) == (2, now + timedelta(seconds=30))
    assert sorted(task for task in _queued_orm() if task not in before) == sorted(
        [(office_a.schema_name, RECORD, ["due in A"]), (office_b.schema_name, RECORD, ["due in B"])]
    )
    assert list(QueueTimer.objects.values_list("args", flat=True)) == [["later"]]
    assert timers_fire(now=now) == (0, now + timedelta(seconds=30))


def test_it_runs_a_due_timer_inline_when_the_tests_run_work_inline(office_a):
    with schema_context(office_a.schema_name):
        enqueue_at(timezone.now(), RECORD, "inline")
    timers_fire()
    with schema_context(office_a.schema_name):
        assert PortalConfig.objects.get().welcome_message == f"inline ran in {office_a.schema_name}"


def test_it_keeps_work_that_logs_itself_out_of_the_task_list_when_asked(office_a, settings):
    settings.PORTICO_TASKS_EAGER = False
    with schema_context("public"):
        OrmQ.objects.all().delete()
    with schema_context(office_a.schema_name):
        enqueue(RECORD, "listed")
        enqueue(RECORD, "not listed", log_success=False)
        enqueue_at(timezone.now(), RECORD, "timed, not listed", log_success=False)
    timers_fire()
    with schema_context("public"):
        saved = {row.task["args"][2]: row.task.get("save", True) for row in OrmQ.objects.all()}
    assert saved == {"listed": True, "not listed": False, "timed, not listed": False}


@pytest.mark.django_db(transaction=True)
def test_two_timer_loops_racing_never_enqueue_a_timer_twice(office_a, settings):
    settings.PORTICO_TASKS_EAGER = False
    due = timezone.now()
    with schema_context(office_a.schema_name):
        for n in range(200):
            enqueue_at(due, RECORD, n)
    connection.set_schema_to_public()
    start = threading.Barrier(2)
    fired = []

    def loop():
        try:
            start.wait()
            while (count := timers_fire(now=due, limit=7)[0]) > 0:
                fired.append(count)
        finally:
            connection.close()

    loops = [threading.Thread(target=loop) for _ in range(2)]
    for thread in loops:
        thread.start()
    for thread in loops:
        thread.join(30)
    queued = _queued_orm()
    assert sum(fired) == 200 and len(queued) == 200
    assert sorted(args[0] for _, _, args in queued) == list(range(200))
    assert not QueueTimer.objects.exists()


# --- Redis ---------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_it_adds_a_redis_timer_only_once_the_change_has_committed(office_a, redis_queue):
    later = timezone.now() + timedelta(seconds=5)
    with schema_context(office_a.schema_name):
        with pytest.raises(RuntimeError), transaction.atomic():
            enqueue_at(later, RECORD, "rolled back")
            assert _timers_redis(redis_queue) == []
            raise RuntimeError("the change fails")
        with transaction.atomic():
            enqueue_at(later, RECORD, "kept")
            assert _timers_redis(redis_queue) == []  # not before the commit
        enqueue_at(later + timedelta(seconds=1), RECORD, "kept")  # set again: moved
    assert _timers_redis(redis_queue) == [
        ([office_a.schema_name, RECORD, ["kept"], True], (later + timedelta(seconds=1)).timestamp())
    ]
    assert not QueueTimer.objects.exists()


@pytest.mark.django_db(transaction=True)  # Redis timers are set on commit
def test_it_hands_due_redis_timers_to_the_redis_queue_in_their_schema(
    office_a, office_b, settings, redis_queue
):
    settings.PORTICO_TASKS_EAGER = False
    now = timezone.now()
    with schema_context(office_a.schema_name):
        enqueue_at(now, RECORD, "due in A")
        enqueue_at(now + timedelta(seconds=30), RECORD, "later")
    with schema_context(office_b.schema_name):
        enqueue_at(now - timedelta(seconds=2), RECORD, "due in B")

    fired, upcoming = timers_fire(now=now)
    assert fired == 2 and abs((upcoming - (now + timedelta(seconds=30))).total_seconds()) < 0.001
    assert sorted(_queued_redis(redis_queue)) == sorted(
        [(office_a.schema_name, RECORD, ["due in A"]), (office_b.schema_name, RECORD, ["due in B"])]
    )
    with schema_context(office_a.schema_name):
        enqueue_at(now, RECORD, "not listed", log_success=False)
    timers_fire(now=now)
    [*_, raw] = redis_queue.lrange(f"django_q:{CLUSTER}:q", 0, -1)
    assert SignedPackage.loads(raw.decode())["save"] is False
    redis_queue.rpop(f"django_q:{CLUSTER}:q")
    assert [member[2] for member, _ in _timers_redis(redis_queue)] == [["later"]]
    assert redis_queue.zcard(queue._timer_keys()[1]) == 0  # nothing left claimed
    assert timers_fire(now=now)[0] == 0 and len(_queued_redis(redis_queue)) == 2


@pytest.mark.django_db(transaction=True)
def test_two_redis_timer_loops_racing_never_enqueue_a_timer_twice(office_a, settings, redis_queue):
    settings.PORTICO_TASKS_EAGER = False
    due = timezone.now()
    with schema_context(office_a.schema_name):
        for n in range(300):
            enqueue_at(due, RECORD, n)
    start = threading.Barrier(3)

    def loop():
        try:
            start.wait()
            while timers_fire(now=due, limit=5)[0]:
                pass
        finally:
            connection.close()

    loops = [threading.Thread(target=loop) for _ in range(3)]
    for thread in loops:
        thread.start()
    for thread in loops:
        thread.join(30)
    queued = _queued_redis(redis_queue)
    assert sorted(args[0] for _, _, args in queued) == list(range(300))


def test_it_enqueues_a_redis_timer_that_a_dead_loop_had_claimed(office_a, settings, redis_queue):
    settings.PORTICO_TASKS_EAGER = False
    now = timezone.now()
    _, claimed_key = queue._timer_keys()
    member = json.dumps([office_a.schema_name, RECORD, ["orphan"], True], separators=(",", ":"))
    redis_queue.zadd(claimed_key, {member: now.timestamp() - 5})  # claimed 5 s ago, never queued
    assert timers_fire(now=now)[0] == 0  # maybe that loop is only slow
    redis_queue.zadd(claimed_key, {member: now.timestamp() - queue.TIMER_CLAIM_STALE_SECONDS - 1})
    assert timers_fire(now=now)[0] == 1
    assert _queued_redis(redis_queue) == [(office_a.schema_name, RECORD, ["orphan"])]
    assert redis_queue.zcard(claimed_key) == 0


# --- a real worker -------------------------------------------------------------------------------


def _welcome(office) -> str:
    with schema_context(office.schema_name):
        return PortalConfig.objects.get().welcome_message


def _wait_for(condition, seconds: float, every: float = 0.1) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(every)
    return condition()


def _gone(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return True
    return False


@pytest.mark.parametrize(("broker", "stop_with"), [("orm", signal.SIGINT), ("redis", signal.SIGTERM)])
@pytest.mark.django_db(transaction=True)
def test_the_worker_fires_a_timer_on_time_and_stops_with_nothing_left_running(
    broker, stop_with, office_a, office_b, settings, request
):
    settings.PORTICO_TASKS_EAGER = False
    env = _env(broker, settings)
    if broker == "redis":
        client = request.getfixturevalue("redis_queue")
    worker = worker_start(env)
    try:
        ready = f"ready-{time.time_ns()}"
        enqueue(RECORD, ready, schema_name=office_b.schema_name)
        assert _wait_for(lambda: ready in _welcome(office_b), 60), "the worker did not start"
        marker = f"{broker}-{time.time_ns()}"
        due = timezone.now() + timedelta(seconds=2)
        with schema_context(office_a.schema_name):
            enqueue_at(due, RECORD, marker)
        assert _wait_for(lambda: marker in _welcome(office_a), 30, every=0.02)
        ran_at = timezone.now()
        assert _welcome(office_a) == f"{marker} ran in {office_a.schema_name}"
        assert _welcome(office_b) == f"{ready} ran in {office_b.schema_name}"
        assert timedelta(0) <= ran_at - due < timedelta(seconds=1.5)
        if broker == "redis":
            assert _timers_redis(client) == []
        else:
            assert not QueueTimer.objects.exists()

        worker.send_signal(stop_with)  # what make run sends, or Ctrl-C in a terminal
        assert worker.wait(timeout=30) == 0
        deadline = time.monotonic() + 10
        while not _gone(worker.pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _gone(worker.pid), "a process of the worker outlived it"
    finally:
        if worker.poll() is None or not _gone(worker.pid):
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(timeout=10)


def test_the_worker_command_is_the_one_with_the_timer_loop():
    from django.core.management import get_commands

    assert get_commands()["qcluster"] == "tenants"  # make run, compose and the benches start this
