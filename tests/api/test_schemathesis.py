"""Property-based API tests with schemathesis and every check it has: the Python API's equivalent of
``schemathesis run --checks all`` over every operation of the served OpenAPI schema. No server
error, no answer outside the schema (status, content type, documented headers, body), no
schema-violating request accepted, no schema-valid one refused (but see ``BEYOND_THE_SCHEMA``),
credentials enforced, unsupported methods answered 405 with ``Allow``.

The schema is the one the office's host serves (``/api/v1/schema/``); requests go in-process to
Django's WSGI application (no network, one test transaction that is rolled back), with the office's
host and an API key of a plan whose limit the run cannot reach (``/api/v1/me/``, for portal
accounts, gets a client's JWT). Each operation gets:

* the coverage phase's cases: schemathesis's own list of edge cases (each boundary, each missing or
  wrongly typed field and parameter, methods the path does not have), ``COVERAGE_CASES`` at most;
* ``MAX_EXAMPLES`` schema-valid and ``NEGATIVE_EXAMPLES`` schema-invalid fuzzed requests;
* ``REAL_ID_EXAMPLES`` naming a real object (so success answers are checked too, not only 404s);
* ``UNAUTHENTICATED_EXAMPLES`` with an unknown API key (the 401 must be documented too).

Generation is deterministic (``derandomize``) and never shrinks. Two checks judge sequences of
calls and have nothing to judge in single requests: ``use_after_free`` (a deleted row read again)
and ``ensure_resource_availability`` (a created row not found); ``test_a_stateful_run_…`` gives
them sequences. ``object_level_authorization`` replays one identity's reads as another configured
identity; schemathesis is given one caller per operation, since which office and client may see
which rows is proven for every resource by the isolation suites of ``tests/api/mixins``.

The invitation endpoints document a 500 for a failed send; mail goes to locmem here, so it cannot
happen and any 500 is a bug. Product bugs found this way and not fixed yet are listed in
``KNOWN_PRODUCT_BUGS`` by operation, failure code and status: a test whose only failures are listed
there is reported as xfailed (with what it saw); any other failure fails it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import islice

import pytest
import schemathesis
from django.contrib.auth.hashers import make_password
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connection
from django.test import Client
from django_tenants.utils import schema_context
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.core.parameters import ParameterLocation
from schemathesis.generation.drivers import CoverageGenerator
from schemathesis.generation.feedback import FeedbackSources
from schemathesis.generation.hypothesis.builder import content_type_probes_first
from schemathesis.generation.overrides import Override

MAX_EXAMPLES = 25  # schema-valid requests per operation
NEGATIVE_EXAMPLES = 12  # schema-invalid ones
REAL_ID_EXAMPLES = 6  # schema-valid ones naming a real object
UNAUTHENTICATED_EXAMPLES = 2  # schema-valid ones with an unknown API key: the 401 must be documented too
COVERAGE_CASES = 150  # the coverage phase's cases per operation, at most
OFF_MODULE_EXAMPLES = 5  # a module's operations here, where the office has it off: each is a 404
STATEFUL_SCENARIOS = 40  # sequences of calls along the links schemathesis infers (create, read, delete…)
STATEFUL_STEPS = 6
# The schema view (when the schema lists it) takes only ``format`` and ``lang`` (enums) and is slow
# to answer: a few suffice.
FEW_EXAMPLES = {"GET /api/v1/schema/": 5}
HTTP_METHODS = ("get", "put", "post", "patch", "delete")
HYPOTHESIS = settings(
    derandomize=True,
    database=None,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],  # no shrinking, no replay of earlier runs
    suppress_health_check=list(HealthCheck),
    print_blob=False,
)

# Product bugs found and not fixed yet, by operation: {(failure code, status): what is wrong}, e.g.
# {"POST /api/v1/auth/token": {("ST103", 401): "documents no 401 but answers it to wrong credentials"}}.
# Failure codes: ST101 server error, ST103 undocumented status code, ST105 undocumented content
# type, ST108 body does not match the response schema, ST201 schema-invalid request accepted,
# ST202 schema-valid request refused, ST401 credentials not enforced. None is known now.
KNOWN_PRODUCT_BUGS: dict[str, dict[tuple[str, int], str]] = {}

RELATED = "names a row by its id; one that is not there is a 400 naming the field, as documented"
# ``positive_data_acceptance`` takes every schema-valid request for one the server must accept.
# These fields hold values whose validity depends on what the office has (rows, states) or on the
# world (a webhook URL's address), which no schema can state: a 400 that names only fields listed
# here for its operation (``*``: every operation; ``""``: a 400 that names no field, only a message)
# is the documented answer, not a failure. Any other 400 on a schema-valid request fails the test.
BEYOND_THE_SCHEMA: dict[str, dict[str, str]] = {
    "*": {"cursor": "only a cursor from a next or previous link is valid (they are signed)"},
    "POST /api/v1/contacts/": {"company": RELATED, "owner": RELATED},
    "PUT /api/v1/contacts/{id}/": {"company": RELATED, "owner": RELATED},
    "PATCH /api/v1/contacts/{id}/": {"company": RELATED, "owner": RELATED},
    "POST /api/v1/portal-accounts/": {
        "contact": RELATED,
        "company": RELATED,
        "non_field_errors": "exactly one of contact and company: a rule between two optional fields",
    },
    "POST /api/v1/webhooks/endpoints/": {
        "url": "the URL's host must resolve to a public address, which only asking DNS can tell",
    },
    "POST /api/v1/client-portal/contacts/{contact_id}/invite/": {"": "seed 002: the contact has no email"},
    "POST /api/v1/client-portal/companies/{company_id}/invite/": {"": "seed 002: the company has no email"},
}


# --- which operations: the schema as drf-spectacular generates it, at collection -----------------


def served_operations() -> list[str]:
    from drf_spectacular.drainage import GENERATOR_STATS
    from drf_spectacular.generators import SchemaGenerator

    with GENERATOR_STATS.silence():
        raw = SchemaGenerator().get_schema(request=None, public=True)
    return [
        f"{method.upper()} {path}"
        for path, item in raw["paths"].items()
        for method in item
        if method in HTTP_METHODS
    ]


def pytest_generate_tests(metafunc):
    if "operation_label" in metafunc.fixturenames:
        metafunc.parametrize("operation_label", served_operations())


# --- the office, its objects and credentials, and the application ------------------------------


@dataclass
class Target:
    app: Callable
    base_url: str
    schema: object
    api_key: str
    client_jwt: str
    ids: dict[str, int] = field(default_factory=dict)  # resource → id of a real one
    beyond_the_schema: dict[str, dict[str, str]] = field(default_factory=lambda: BEYOND_THE_SCHEMA)

    def credentials(self, path: str) -> dict[str, str]:
        token = self.client_jwt if path.startswith("/api/v1/me/") else self.api_key
        return {"Authorization": f"Bearer {token}"}

    def real_path_parameters(self, path: str, names: list[str]) -> dict[str, str] | None:
        """Path parameters naming real objects (``contact_id``, or ``id`` under a resource's path)."""
        resource = path.removeprefix("/api/v1/").split("/")[0]
        values = {}
        for name in names:
            kind = name.removesuffix("_id") if name != "id" else resource
            kind = {"contact": "contacts", "company": "companies"}.get(kind, kind)
            if kind not in self.ids:
                return None
            values[name] = str(self.ids[kind])
        return values

    def covers(self, operation) -> bool:
        """Whether the coverage phase runs here: the core's operations (a module's run with the
        module on, in the module's own tests; here they only answer 404)."""
        from modules.registry import registry

        return not any(
            operation.definition.raw.get("operationId", "").startswith(f"{key}_") for key in registry.keys()
        )

    def excused(self, case, response, failure) -> bool:
        """A schema-valid request refused by a rule the schema cannot state (``beyond_the_schema``)."""
        if failure.code != "ST202" or response.status_code != 400:
            return False
        try:
            named = set(response.json().get("errors", {})) or {""}
        except (ValueError, AttributeError):
            return False
        allowed = {
            **self.beyond_the_schema.get("*", {}),
            **self.beyond_the_schema.get(case.operation.label, {}),
        }
        return named <= set(allowed)


_served: dict[str, bytes] = {}  # the schema, asked for once a run (it is the same on every host)


def load_schema(app, base_url: str):
    """The schema the office's host serves, set to send every request (the checks' own too) to
    ``app`` on that host."""
    from werkzeug import Client as WerkzeugClient

    if "schema" not in _served:
        served = WerkzeugClient(app).get("/api/v1/schema/?format=json", base_url=base_url)
        assert served.status_code == 200, served.get_data(as_text=True)[:500]
        _served["schema"] = served.get_data()
    # from_dict, with the application set as from_wsgi does: from_wsgi would ask the platform host.
    schema = schemathesis.openapi.from_dict(json.loads(_served["schema"]))
    schema.app = app
    schema.config.update(base_url=base_url)
    schema.config.checks.update(included_check_names=["all"])
    return schema


@pytest.fixture
def wsgi_app(db):
    """Django's WSGI handler inside the test transaction: like Django's test client, it must not
    close the connection at the start and end of each request."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def target(office_a, wsgi_app) -> Target:
    from portal_core.access import portal_account_for
    from portal_core.api.auth import jwt_pair
    from portal_core.models import Company, Contact
    from tenants.models import Plan
    from tenants.services import api_key_create

    plan = Plan.objects.create(name="Schemathesis", code="schemathesis", api_requests_per_minute=10_000_000)
    office_a.tenant.plan = plan
    office_a.tenant.save(update_fields=["plan"])
    with schema_context(office_a.schema_name):
        company = Company.objects.create(name="Acme", email="desk@acme.example")
        contact = Contact.objects.create(first_name="Ada", email="ada@example.com", company=company)
        account = portal_account_for(contact=contact)
        account.password = make_password("Client-pass-2026!")
        account.save()
    connection.set_schema_to_public()
    base_url = f"http://{office_a.host}"
    return Target(
        app=wsgi_app,
        base_url=base_url,
        schema=load_schema(wsgi_app, base_url),
        api_key=api_key_create(tenant=office_a.tenant, name="Schemathesis").secret,
        client_jwt=jwt_pair(tenant=office_a.tenant, kind="client", subject_id=account.pk)["access"],
        ids={"contacts": contact.pk, "companies": company.pk, "portal-accounts": account.pk},
    )


# --- running one operation ------------------------------------------------------------------------


@dataclass
class Seen:
    statuses: dict[int, int] = field(default_factory=dict)
    failures: dict[tuple[str, int], str] = field(default_factory=dict)  # (code, status) → first report

    def record(self, status: int, failures: list, report: str = "") -> None:
        self.statuses[status] = self.statuses.get(status, 0) + 1
        for failure in failures:
            self.failures.setdefault((failure.code, status), report)


def check(target: Target, case, seen: Seen, headers: dict | None = None) -> None:
    """Send ``case`` and run every check on the answer, with the operation's credentials unless
    the case is about leaving them out or getting them wrong."""
    if headers is None:
        negated = case.meta is not None and case.meta.is_negative_at(ParameterLocation.HEADER)
        headers = {} if negated else target.credentials(case.path)
    response = case.call(base_url=target.base_url, headers=headers)
    try:
        case.validate_response(response, headers=headers, transport_kwargs={"base_url": target.base_url})
    except BaseExceptionGroup as group:
        failures = [f for f in group.exceptions if not target.excused(case, response, f)]
        seen.record(response.status_code, failures, str(group))
    else:
        seen.record(response.status_code, [])


def exercise(
    target: Target, operation, strategy, examples: int, seen: Seen, headers: dict | None = None
) -> None:
    @settings(HYPOTHESIS, max_examples=examples)
    @given(case=strategy)
    def run(case) -> None:
        check(target, case, seen, headers)

    run()


def coverage_cases(target: Target, operation) -> list:
    """The coverage phase's cases for ``operation``, schema-valid and schema-invalid."""
    generator = CoverageGenerator(
        operation=operation,
        generation_modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
        generation_config=target.schema.config.generation_for(operation=operation, phase="coverage"),
        auth_storage=None,
        override=Override(),
        feedback=FeedbackSources(),
    )
    return list(islice(content_type_probes_first(generator), COVERAGE_CASES))


def test_operation_conforms_to_the_schema(operation_label, target):
    method, path = operation_label.split(" ", 1)
    operation = target.schema[path][method]
    seen = Seen()
    covered = target.covers(operation)
    for case in coverage_cases(target, operation) if covered else ():
        check(target, case, seen)
    for mode, examples in (
        (GenerationMode.POSITIVE, MAX_EXAMPLES if covered else OFF_MODULE_EXAMPLES),
        (GenerationMode.NEGATIVE, NEGATIVE_EXAMPLES if covered else OFF_MODULE_EXAMPLES),
    ):
        examples = FEW_EXAMPLES.get(operation_label, examples)
        exercise(target, operation, operation.as_strategy(generation_mode=mode), examples, seen)
    names = [p.name for p in operation.path_parameters]
    real = target.real_path_parameters(path, names) if names else None
    if real:
        strategy = operation.as_strategy(path_parameters=real)
        exercise(target, operation, strategy, REAL_ID_EXAMPLES, seen)
    unknown_key = {"Authorization": "Bearer pk_unknown.0000000000000000000000000000000000000000000"}
    exercise(target, operation, operation.as_strategy(), UNAUTHENTICATED_EXAMPLES, seen, unknown_key)
    if operation_label == "POST /api/v1/client-portal/token/":
        bodies = st.sampled_from(
            [
                {"type": "contact", "id": target.ids["contacts"]},
                {"type": "company", "id": target.ids["companies"]},
            ]
        )
        exercise(
            target,
            operation,
            bodies.flatmap(lambda b: operation.as_strategy(body=b, media_type="application/json")),
            4,
            seen,
        )

    known = KNOWN_PRODUCT_BUGS.get(operation_label, {})
    unexpected = {sig: report for sig, report in seen.failures.items() if sig not in known}
    assert not unexpected, f"{operation_label} answered {seen.statuses}:\n\n" + "\n\n".join(
        unexpected.values()
    )
    least = MAX_EXAMPLES if covered else OFF_MODULE_EXAMPLES
    assert sum(seen.statuses.values()) >= FEW_EXAMPLES.get(operation_label, least)  # it really ran
    if seen.failures:
        found = ", ".join(f"{code} on {status}" for code, status in sorted(seen.failures))
        pytest.xfail(f"known product bug(s), see KNOWN_PRODUCT_BUGS: {found}")


# --- sequences of calls ---------------------------------------------------------------------------


def run_stateful(target: Target) -> Seen:
    """Sequences of calls along the links schemathesis infers between operations (a row created,
    then read, changed, deleted and read again), every check on every answer: the two checks that
    judge sequences (``use_after_free``, ``ensure_resource_availability``) see them here."""
    seen = Seen()

    class Workflow(target.schema.as_state_machine()):
        def get_call_kwargs(self, case):
            return {"base_url": target.base_url, "headers": target.credentials(case.path)}

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            try:
                case.validate_response(
                    response,
                    headers=kwargs["headers"],
                    transport_kwargs={"base_url": target.base_url},
                    recorder=self.recorder,
                )
            except BaseExceptionGroup as group:
                failures = [f for f in group.exceptions if not target.excused(case, response, f)]
                seen.record(response.status_code, failures, str(group))
            else:
                seen.record(response.status_code, [])

    Workflow.run(
        settings=settings(HYPOTHESIS, max_examples=STATEFUL_SCENARIOS, stateful_step_count=STATEFUL_STEPS)
    )
    return seen


def test_a_stateful_run_reads_no_deleted_row_and_finds_every_created_one(target):
    seen = run_stateful(target)
    assert not seen.failures, f"answered {seen.statuses}:\n\n" + "\n\n".join(seen.failures.values())
    assert sum(seen.statuses.values()) >= STATEFUL_SCENARIOS  # it really ran


# --- odd path ids: "²" once answered 500 (str.isdigit() then int()); found by fuzzing ----------


@pytest.mark.parametrize("resource", ["contacts", "companies"])
@pytest.mark.parametrize(
    "raw_id",
    [
        "abc",
        "0",
        "-1",
        "1.0",
        "99999999999999999999",
        "١",  # ARABIC-INDIC DIGIT ONE: int() reads it as 1
        "²",  # SUPERSCRIPT TWO: str.isdigit() says yes, int() says no
    ],
)
def test_invitations_answer_any_path_id_with_json(office_a, api_key_a, resource, raw_id):
    client = Client(
        HTTP_HOST=office_a.host, HTTP_AUTHORIZATION=f"Bearer {api_key_a}", raise_request_exception=False
    )
    response = client.post(
        f"/api/v1/client-portal/{resource}/{raw_id}/invite", {}, content_type="application/json"
    )
    label = "Contact" if resource == "contacts" else "Company"
    assert (response.status_code, response.json()) == (404, {"message": f"{label} not found"})
