"""One way to enqueue background work, always run in the schema it was enqueued for: now
(:func:`enqueue`) or once a given time has come (:func:`enqueue_at`).

Timed work waits in an index of due work for the whole platform: a table in the public schema
(:class:`tenants.models.QueueTimer`) with the database queue, a sorted set with Redis. One short
loop, :func:`timers_run`, reads it by due time and hands what is due to the queue; ``manage.py
qcluster`` runs it beside the worker, so wherever a worker runs, timers fire. Nothing periodic
visits every office's schema to find what is due.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime

from django.db import connection, connections, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django_q.brokers import Broker, get_broker
from django_q.conf import Conf
from django_q.tasks import async_task
from django_tenants.utils import get_public_schema_name, schema_context

logger = logging.getLogger(__name__)

# How long the timer loop sleeps at most: a timer set by another process is seen within this.
TIMER_POLL_SECONDS = 0.5
TIMER_BATCH = 500
# A timer the loop claimed from Redis but did not put in the queue (it died) goes back after this.
TIMER_CLAIM_STALE_SECONDS = 60
TIMER_ERROR_PAUSE_SECONDS = 2.0


def _dotted(func: Callable | str) -> str:
    if isinstance(func, str):
        return func
    return f"{func.__module__}.{func.__qualname__}"


def run_in_schema(schema_name: str, func_path: str, *args, **kwargs):
    """The task django-q2 actually runs: enter the schema, then call the function."""
    from django.conf import settings

    func = import_string(func_path)
    if settings.SENTRY_DSN:
        import sentry_sdk

        sentry_sdk.get_isolation_scope().set_tag("tenant_schema", schema_name)
    with schema_context(schema_name):
        return func(*args, **kwargs)


def enqueue(
    func: Callable | str,
    *args,
    schema_name: str | None = None,
    after_commit: bool = True,
    task_name: str | None = None,
    log_success: bool = True,
    **kwargs,
) -> None:
    """Run ``func(*args, **kwargs)`` in the worker, inside ``schema_name``.

    The schema defaults to the one active now, so code running for a tenant never has to think
    about it. With ``after_commit`` (the default) a worker never sees work for rows that were
    rolled back: with the database broker the queued row is written in the surrounding
    transaction and commits (or vanishes) with it; with Redis it is sent once the transaction
    has committed. ``log_success=False`` keeps a successful run out of django-q2's task list
    (failures are always listed), for work that keeps its own log and runs often: saving a run
    there costs the worker more than many a task does.
    """
    from django.conf import settings

    schema = schema_name or connection.schema_name or get_public_schema_name()
    path = _dotted(func)
    if settings.PORTICO_TASKS_EAGER:  # tests: run now, in the same schema, as the worker would
        run_in_schema(schema, path, *args, **kwargs)
        return

    def send() -> None:
        _push(schema, path, args, kwargs, task_name=task_name, log_success=log_success)

    if after_commit and connection.in_atomic_block and not uses_redis_broker():
        send()
    elif after_commit:
        transaction.on_commit(send)
    else:
        send()


def _push(
    schema: str, path: str, args, kwargs: dict, *, task_name: str | None = None, log_success: bool = True
) -> None:
    q_options: dict = {"task_name": task_name} if task_name else {}
    if not log_success:
        q_options["save"] = False
    if uses_redis_broker():
        q_options["broker"] = _redis_broker()  # one connection per process, not one per task
        async_task(run_in_schema, schema, path, *args, q_options=q_options, **kwargs)
        return
    # Inside a transaction, django-q2's ORM broker does not close (and so reconnect) the
    # request's database connection.
    with schema_context(get_public_schema_name()), transaction.atomic():
        async_task(run_in_schema, schema, path, *args, q_options=q_options, **kwargs)


def uses_redis_broker() -> bool:
    from django.conf import settings

    return bool(settings.Q_CLUSTER.get("redis"))


_brokers: dict[str, Broker] = {}


def _redis_broker() -> Broker:
    name = Conf.CLUSTER_NAME
    if name not in _brokers:
        _brokers[name] = get_broker(name)
    return _brokers[name]


# --- timers -------------------------------------------------------------------------------------


def enqueue_at(
    when: datetime, func: Callable | str, *args, schema_name: str | None = None, log_success: bool = True
) -> None:
    """Run ``func(*args)`` in the worker once ``when`` has come, inside ``schema_name`` (by default
    the schema active now). ``args`` must be JSON values; ``log_success`` as for :func:`enqueue`.

    One timer per schema, function and arguments: setting it again moves it to the new time. As
    with :func:`enqueue`, a change that rolls back sets no timer: with the database queue the
    timer row is written in the surrounding transaction; with Redis it is added once the
    transaction has committed. The timer loop hands it to the queue within a few milliseconds of
    ``when`` (at most :data:`TIMER_POLL_SECONDS` after, for a timer due sooner than that).
    """
    from .models import QueueTimer

    schema = schema_name or connection.schema_name or get_public_schema_name()
    path = _dotted(func)
    values = json.loads(json.dumps(list(args)))
    if uses_redis_broker():
        member = json.dumps([schema, path, values, log_success], separators=(",", ":"))
        score = when.timestamp()
        due_key = _timer_keys()[0]
        transaction.on_commit(lambda: _redis().zadd(due_key, {member: score}))  # at once outside one
        return
    QueueTimer.objects.bulk_create(
        [QueueTimer(schema_name=schema, func=path, args=values, due_at=when, log_success=log_success)],
        update_conflicts=True,
        unique_fields=["schema_name", "func", "args"],
        update_fields=["due_at", "log_success"],
    )


def timers_fire(*, now: datetime | None = None, limit: int = TIMER_BATCH) -> tuple[int, datetime | None]:
    """One pass of the timer loop: hand every timer due by ``now`` (at most ``limit``) to the
    queue, each in its own schema. Returns how many went and when the next one is due
    (``None``: no timer left).

    Several loops may run at once (one per worker machine); each timer goes to exactly one of
    them. With the database a loop claims timers with ``FOR UPDATE SKIP LOCKED``, and deleting
    them commits together with the queued tasks, so a loop that dies mid-pass leaves them for the
    next. With Redis a script moves due timers to a set of claimed ones in one step; each leaves
    that set once it is in the queue, and any a dead loop left there goes back after
    :data:`TIMER_CLAIM_STALE_SECONDS`.
    """
    now = now or timezone.now()
    if uses_redis_broker():
        return _redis_timers_fire(now, limit)
    return _database_timers_fire(now, limit)


def _database_timers_fire(now: datetime, limit: int) -> tuple[int, datetime | None]:
    from django.conf import settings

    from .models import QueueTimer

    def upcoming() -> datetime | None:
        return QueueTimer.objects.order_by("due_at").values_list("due_at", flat=True).first()

    with schema_context(get_public_schema_name()):
        first = upcoming()
        if first is None or first > now:
            return 0, first  # the usual pass: one indexed read
        with transaction.atomic():
            due = list(
                QueueTimer.objects.select_for_update(skip_locked=True)
                .filter(due_at__lte=now)
                .order_by("due_at")
                .values_list("pk", "schema_name", "func", "args", "log_success")[:limit]
            )
            QueueTimer.objects.filter(pk__in=[pk for pk, *_ in due]).delete()
            if not settings.PORTICO_TASKS_EAGER:
                for _, schema, path, args, log_success in due:
                    # The ORM broker writes the task in this transaction.
                    _push(schema, path, args, {}, log_success=log_success)
        if settings.PORTICO_TASKS_EAGER:
            for _, schema, path, args, _log in due:
                run_in_schema(schema, path, *args)
        return len(due), upcoming()


# KEYS: due timers, claimed timers. ARGV: now, limit, claimed before this time = left by a dead loop.
_REDIS_CLAIM = """
for _, member in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[3])) do
    redis.call('ZADD', KEYS[1], 'NX', ARGV[1], member)
    redis.call('ZREM', KEYS[2], member)
end
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, ARGV[2])
for _, member in ipairs(due) do
    redis.call('ZADD', KEYS[2], ARGV[1], member)
    redis.call('ZREM', KEYS[1], member)
end
local upcoming = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return {due, upcoming[2]}
"""


def _redis_timers_fire(now: datetime, limit: int) -> tuple[int, datetime | None]:
    from django.conf import settings

    client = _redis()
    due_key, claimed_key = _timer_keys()
    stamp = now.timestamp()
    claim = _redis_scripts.get(id(client))
    if claim is None:
        claim = _redis_scripts[id(client)] = client.register_script(_REDIS_CLAIM)
    reply = claim(keys=[due_key, claimed_key], args=[stamp, limit, stamp - TIMER_CLAIM_STALE_SECONDS])
    members, upcoming = reply[0], (float(reply[1]) if len(reply) > 1 else None)
    handed = []
    try:
        for member in members:
            schema, path, args, log_success = json.loads(member)
            if settings.PORTICO_TASKS_EAGER:
                run_in_schema(schema, path, *args)
            else:
                _push(schema, path, args, {}, log_success=log_success)
            handed.append(member)
    finally:
        if handed:
            client.zrem(claimed_key, *handed)
    return len(members), (datetime.fromtimestamp(upcoming, UTC) if upcoming is not None else None)


def _timer_keys() -> tuple[str, str]:
    return f"portico:{Conf.CLUSTER_NAME}:timers", f"portico:{Conf.CLUSTER_NAME}:timers:claimed"


_redis_clients: dict = {}
_redis_scripts: dict = {}


def _redis():
    """One Redis client per process for the timers, on the queue's Redis."""
    import redis
    from django.conf import settings

    url = settings.Q_CLUSTER["redis"]
    if url not in _redis_clients:
        _redis_clients[url] = redis.Redis.from_url(url)
    return _redis_clients[url]


def timers_run(
    stop: threading.Event, *, poll: float = TIMER_POLL_SECONDS, alive: Callable[[], bool] = lambda: True
) -> None:
    """The timer loop: :func:`timers_fire`, then sleep until the next timer is due (at most
    ``poll`` seconds, to see timers other processes set meanwhile), until ``stop`` is set or
    ``alive()`` says the worker beside it is gone. A failing pass (the database or Redis away) is
    logged and tried again :data:`TIMER_ERROR_PAUSE_SECONDS` later; the timers wait meanwhile."""
    connection.set_schema_to_public()
    try:
        while not stop.is_set() and alive():
            try:
                fired, upcoming = timers_fire(limit=TIMER_BATCH)
            except Exception:
                logger.exception("the queue timer failed; trying again in %gs", TIMER_ERROR_PAUSE_SECONDS)
                connections.close_all()
                stop.wait(TIMER_ERROR_PAUSE_SECONDS)
                continue
            if fired >= TIMER_BATCH:
                continue  # more are due
            wait = poll
            if upcoming is not None:
                wait = min(poll, (upcoming - timezone.now()).total_seconds())
            # A due timer another loop holds right now is not worth spinning for.
            stop.wait(max(wait, 0.01))
    finally:
        connections.close_all()
