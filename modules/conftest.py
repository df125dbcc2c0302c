"""A module's own tests (``modules/<key>/tests/``) get the suite's actors: offices with their owners,
clients on their hosts, API keys, an operator (from ``tests/conftest.py`` and ``tests/api/``)."""

from tests.api.conftest import api_key_a, api_key_b  # noqa: F401
from tests.conftest import (  # noqa: F401
    _fresh_platform_state,
    _platform_rows_for_committing_tests,
    django_db_setup,
    in_ci,
    make_office,
    office_a,
    office_b,
    operator_client,
    platform_client,
    redis_queue,
)
