"""Background tasks of the platform (run by django-q2 in the public schema)."""

from django.db import connection

from .services import office_links_send, pool_top_up

POOL_LOCK = 7_311_001


def pool_top_up_task() -> int:
    """Keep the pool of ready schemas full; one runner at a time across workers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [POOL_LOCK])
        if not cursor.fetchone()[0]:
            return 0
        try:
            return pool_top_up()
        finally:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [POOL_LOCK])


def office_links_send_task(email: str) -> int:
    """Email ``email`` the sign-in links of the offices where it is a staff member (none: nothing)."""
    return office_links_send(email=email)
