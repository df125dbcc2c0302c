"""Refuse to start behind a connection pooler in transaction (or statement) mode.

Every office has its own schema, chosen per connection with ``SET search_path`` (django-tenants),
outside any transaction. A pooler in transaction mode (PgBouncer's ``pool_mode = transaction``)
hands each transaction whichever server connection is free, so a query could run with the
``search_path`` another office's request set: one office reading another's data. Session mode keeps
one server connection per client connection for its whole life and resets it
(``server_reset_query = DISCARD ALL``) before another client gets it, which is safe.

The probe opens two client connections. Behind a session-mode pooler (or none) each keeps its own
server backend; behind a transaction-mode pooler, one of them is seen on the other's backend, or on
a different backend from one statement to the next.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

logger = logging.getLogger(__name__)

REFUSAL = (
    "Portico's database connections go through a pooler in transaction or statement mode "
    "(PgBouncer pool_mode = transaction). Offices' schemas are chosen per connection "
    "(SET search_path), so a transaction could run in another office's schema. Use "
    "pool_mode = session for Portico's database, or connect to PostgreSQL directly."
)


def _connect(**options):
    import psycopg

    database = settings.DATABASES["default"]
    params = {
        "dbname": database["NAME"],
        "host": database.get("HOST") or None,
        "port": database.get("PORT") or None,
        "user": database.get("USER") or None,
        "password": database.get("PASSWORD") or None,
        "connect_timeout": 5,
        **options,
    }
    return psycopg.connect(**{key: value for key, value in params.items() if value is not None})


def shared_server_connections() -> bool:
    """Whether client connections share server backends between transactions (a pooler in
    transaction or statement mode is in between)."""
    pid = "SELECT pg_backend_pid()"
    with _connect(autocommit=True) as other, _connect() as holder:
        other_first = other.execute(pid).fetchone()[0]
        held = holder.execute(pid).fetchone()[0]  # a transaction: its backend is held until commit
        other_second = other.execute(pid).fetchone()[0]
        holder.rollback()
    return held == other_first or other_second != other_first


def refuse_transaction_pooling() -> None:
    """At start (web and worker): stop with :data:`REFUSAL` behind a transaction-mode pooler."""
    import psycopg

    if not settings.PORTICO_CHECK_POOLING:
        return
    try:
        shared = shared_server_connections()
    except psycopg.Error as exc:  # the database is down (requests answer 503 until it is up), or a
        # pooler with a single server connection made the second one wait
        logger.warning("could not check how the database connections are pooled: %s", exc)
        return
    if shared:
        logger.critical(REFUSAL)
        raise ImproperlyConfigured(REFUSAL)
