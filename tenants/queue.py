"""One way to enqueue background work, always run in the schema it was enqueued for."""

from __future__ import annotations

from collections.abc import Callable

from django.db import connection, transaction
from django.utils.module_loading import import_string
from django_q.tasks import async_task
from django_tenants.utils import get_public_schema_name, schema_context


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
    **kwargs,
) -> None:
    """Run ``func(*args, **kwargs)`` in the worker, inside ``schema_name``.

    The schema defaults to the one active now, so code running for a tenant never has to think
    about it. With ``after_commit`` (the default) a worker never sees work for rows that were
    rolled back: with the database broker the queued row is written in the surrounding
    transaction and commits (or vanishes) with it; with Redis it is sent once the transaction
    has committed.
    """
    from django.conf import settings

    schema = schema_name or connection.schema_name or get_public_schema_name()
    path = _dotted(func)
    if settings.PORTICO_TASKS_EAGER:  # tests: run now, in the same schema, as the worker would
        run_in_schema(schema, path, *args, **kwargs)
        return
    q_options = {"task_name": task_name} if task_name else {}

    def send() -> None:
        # Inside a transaction, django-q2's ORM broker does not close (and so reconnect) the
        # request's database connection; with the Redis broker this costs nothing.
        with schema_context(get_public_schema_name()), transaction.atomic():
            async_task(run_in_schema, schema, path, *args, q_options=q_options, **kwargs)

    if after_commit and connection.in_atomic_block and not uses_redis_broker():
        send()
    elif after_commit:
        transaction.on_commit(send)
    else:
        send()


def uses_redis_broker() -> bool:
    from django.conf import settings

    return bool(settings.Q_CLUSTER.get("redis"))
