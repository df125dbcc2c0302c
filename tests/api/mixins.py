"""Generic suites for the resource API (after NetBox's ``utilities/testing``): a resource's test class
declares its URL and how to make its rows, and the mixins bring the tests. Every class gets the
isolation and permission suite: another tenant's key and JWT, the platform host, read-only keys and
client JWTs are tried on every endpoint it has.

Rows are made straight in the tenant's schema (``in_schema``); calls go through the HTTP API. The
rate limit is 60 calls a minute per token, so each test uses fresh tokens and stays well below it."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import timedelta
from urllib.parse import urlencode

from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context

from portal_core.api.auth import jwt_pair
from tenants.services import api_key_create

from ..conftest import PLATFORM_HOST
from .conftest import api

READ_ONLY = "This API key may only read."
CLIENT_REFUSED = "A client token cannot use the office API."


@contextmanager
def in_schema(office):
    with schema_context(office.schema_name):
        yield
    connection.set_schema_to_public()


def staff_jwt(office) -> str:
    return jwt_pair(tenant=office.tenant, kind="staff", subject_id=office.owner_id)["access"]


def client_jwt(office, *, email: str = "kim@example.com", company: bool = False) -> str:
    """A JWT for a portal account of this office (a contact's, or a company's)."""
    from portal_core.access import portal_account_for
    from portal_core.models import Company, Contact

    with in_schema(office):
        if company:
            account = portal_account_for(company=Company.objects.create(name="Kim & Co", email=email))
        else:
            account = portal_account_for(contact=Contact.objects.create(first_name="Kim", email=email))
    return jwt_pair(tenant=office.tenant, kind="client", subject_id=account.pk)["access"]


def call(client, method: str, path: str, body: dict | None = None):
    if method == "get":
        return client.get(path, body or {})
    return getattr(client, method)(path, body or {}, content_type="application/json")


def assert_field_errors(response, *fields: str) -> None:
    assert response.status_code == 400, response.content
    body = response.json()
    assert set(body) == {"message", "errors"} and body["message"]
    for name in fields:
        assert name in body["errors"], body
        assert all(isinstance(m, str) and m for m in body["errors"][name])


class ResourceSpec:
    """What a resource's test class declares.

    ``url``: the list URL; ``model``: what its rows are; ``detail_methods``: those of
    ``<url><id>/`` (none: there is no such URL); ``actions``: POST-only URLs under a row
    (``<url><id>/<action>``). ``make(label)`` makes one row in the current schema and returns it;
    ``make_many(created)`` bulk-creates one row per timestamp and returns their ids."""

    url: str
    model: type
    list_methods: tuple[str, ...] = ("get", "post")
    detail_methods: tuple[str, ...] = ("get", "put", "patch", "delete")
    actions: tuple[str, ...] = ()
    ordering: tuple[str, ...] = ("-created", "id")

    def make(self, label: str):
        raise NotImplementedError

    def make_many(self, created: list) -> list[int]:
        raise NotImplementedError

    def detail_url(self, pk: int) -> str:
        return f"{self.url}{pk}/"

    def endpoints(self, pk: int) -> list[tuple[str, str]]:
        """Every (method, path) of this resource, the detail ones about row ``pk``."""
        found = [(method, self.url) for method in self.list_methods]
        if self.detail_methods:
            found += [(method, self.detail_url(pk)) for method in self.detail_methods]
        found += [("post", f"{self.url}{pk}/{action}") for action in self.actions]
        return found


class ListTests(ResourceSpec):
    """``filter_cases()`` returns ``[(query, expected ids)]`` after making the rows it needs;
    ``bad_filter`` is a query the list refuses with field errors."""

    bad_filter: dict = {}

    def filter_cases(self) -> list[tuple[dict, set[int]]]:
        raise NotImplementedError

    def test_it_lists_with_rate_limit_fields(self, office_a, api_key_a):
        with in_schema(office_a):
            row = self.make("listed")
        response = api(office_a.host, api_key_a).get(self.url)
        assert response.status_code == 200
        body = response.json()
        assert set(body) == {"next", "previous", "results"}
        assert row.pk in [r["id"] for r in body["results"]]
        assert response["RateLimit-Policy"] == '"default";q=60;w=60'

    def test_it_walks_every_page_with_the_cursor(self, office_a, api_key_a):
        # 120 rows in groups of 7 sharing a timestamp, so ties straddle the page boundaries.
        start = timezone.now() - timedelta(days=1)
        created = [start + timedelta(seconds=i // 7) for i in range(120)]
        with in_schema(office_a):
            made = self.make_many(created)
            expected = list(self.model.objects.order_by(*self.ordering).values_list("id", flat=True))
        assert len(made) == 120 and set(made) <= set(expected)
        client = api(office_a.host, api_key_a)
        seen, url, pages = [], self.url, 0
        while url:
            response = client.get(url)
            assert response.status_code == 200, response.content
            body = response.json()
            assert len(body["results"]) <= 50
            seen += [row["id"] for row in body["results"]]
            url, pages = body["next"], pages + 1
        assert pages == -(-len(expected) // 50)
        assert len(seen) == len(set(seen)), "a row came twice"
        assert seen == expected, "rows were missed or out of order"

    def test_it_lists_in_a_constant_number_of_queries(self, office_a, api_key_a):
        from django.test.utils import CaptureQueriesContext

        client = api(office_a.host, api_key_a)
        client.get(self.url)  # the key's first use is recorded once
        counts = []
        for batch in (2, 20):
            with in_schema(office_a):
                for n in range(batch):
                    self.make(f"counted {batch} {n}")
            with CaptureQueriesContext(connection) as queries:
                assert client.get(self.url).status_code == 200
            counts.append(len(queries))
        assert counts[0] == counts[1], counts

    def test_it_takes_a_smaller_page_size(self, office_a, api_key_a):
        with in_schema(office_a):
            for n in range(3):
                self.make(f"paged {n}")
        body = api(office_a.host, api_key_a).get(self.url, {"page_size": 2}).json()
        assert len(body["results"]) == 2 and body["next"]

    def test_it_filters(self, office_a, api_key_a):
        with in_schema(office_a):
            cases = self.filter_cases()
        client = api(office_a.host, api_key_a)
        for query, expected in cases:
            response = client.get(self.url, query)
            assert response.status_code == 200, (query, response.content)
            assert {row["id"] for row in response.json()["results"]} == expected, query

    def test_it_refuses_a_bad_filter_or_cursor(self, office_a, api_key_a):
        client = api(office_a.host, api_key_a)
        assert_field_errors(client.get(f"{self.url}?{urlencode(self.bad_filter)}"), *self.bad_filter)
        assert_field_errors(client.get(self.url, {"cursor": "not-a-cursor"}), "cursor")


class CreateTests(ResourceSpec):
    """``create_body()`` (made in the tenant's schema) and ``check_created(row, body)``;
    ``invalid_body`` and the fields it gets wrong."""

    invalid_body: dict = {}

    def create_body(self) -> dict:
        raise NotImplementedError

    def check_created(self, row, body: dict) -> None:
        pass

    def test_it_creates(self, office_a, api_key_a):
        with in_schema(office_a):
            payload = self.create_body()
        response = api(office_a.host, api_key_a).post(self.url, payload, content_type="application/json")
        assert response.status_code == 201, response.content
        body = response.json()
        with in_schema(office_a):
            row = self.model.objects.get(pk=body["id"])
            self.check_created(row, body)

    def test_it_reports_field_errors(self, office_a, api_key_a):
        response = api(office_a.host, api_key_a).post(
            self.url, self.invalid_body, content_type="application/json"
        )
        assert_field_errors(response, *self.invalid_body)


class RetrieveTests(ResourceSpec):
    def test_it_retrieves(self, office_a, api_key_a):
        with in_schema(office_a):
            row = self.make("retrieved")
        client = api(office_a.host, api_key_a)
        response = client.get(self.detail_url(row.pk))
        assert response.status_code == 200 and response.json()["id"] == row.pk
        listed = client.get(self.url).json()["results"]
        assert response.json() == next(r for r in listed if r["id"] == row.pk)

    def test_it_answers_404_as_a_message(self, office_a, api_key_a):
        response = api(office_a.host, api_key_a).get(self.detail_url(2_000_000_000))
        assert response.status_code == 404
        assert set(response.json()) == {"message"} and response.json()["message"].endswith("not found.")


class UpdateTests(ResourceSpec):
    """``patch_body`` changes some fields; ``put_body`` replaces the row (fields left out reset);
    ``check_patched`` / ``check_put`` look at the row afterwards."""

    patch_body: dict = {}
    put_body: dict = {}
    invalid_body: dict = {}

    def check_patched(self, before, after) -> None:
        raise NotImplementedError

    def check_put(self, before, after) -> None:
        raise NotImplementedError

    def _change(self, office, key, method, body, check):
        with in_schema(office):
            before = self.make("updated")
        client = api(office.host, key)
        response = call(client, method, self.detail_url(before.pk), body)
        assert response.status_code == 200, response.content
        assert response.json() == client.get(self.detail_url(before.pk)).json()
        with in_schema(office):
            check(before, self.model.objects.get(pk=before.pk))

    def test_it_patches(self, office_a, api_key_a):
        self._change(office_a, api_key_a, "patch", self.patch_body, self.check_patched)

    def test_it_puts(self, office_a, api_key_a):
        self._change(office_a, api_key_a, "put", self.put_body, self.check_put)

    def test_it_reports_field_errors_on_update(self, office_a, api_key_a):
        with in_schema(office_a):
            row = self.make("invalid")
        client = api(office_a.host, api_key_a)
        for method in ("patch", "put"):
            response = call(client, method, self.detail_url(row.pk), self.invalid_body)
            assert_field_errors(response, *self.invalid_body)


class DeleteTests(ResourceSpec):
    def test_it_deletes(self, office_a, api_key_a):
        with in_schema(office_a):
            row = self.make("deleted")
        client = api(office_a.host, api_key_a)
        response = client.delete(self.detail_url(row.pk))
        assert response.status_code == 204 and not response.content
        with in_schema(office_a):
            assert not type(row).objects.filter(pk=row.pk).exists()
        assert client.delete(self.detail_url(row.pk)).status_code == 404


class AccessTests(ResourceSpec):
    """The isolation and permission suite, for every endpoint of the resource."""

    def test_it_refuses_another_tenants_key_and_jwt_on_this_host(self, office_a, office_b, api_key_b):
        with in_schema(office_a):
            row = self.make("a's")
        for token in (api_key_b, staff_jwt(office_b)):
            client = api(office_a.host, token)
            for method, path in self.endpoints(row.pk):
                response = call(client, method, path)
                assert response.status_code == 401, (method, path, response.content)
                assert response.json() == {"message": "This token belongs to another portal."}
        with in_schema(office_a):
            assert type(row).objects.filter(pk=row.pk).exists()

    def test_it_shows_only_the_tokens_tenant_on_the_platform_host(self, office_a, office_b, api_key_b):
        with in_schema(office_a):
            a_rows = [self.make("a's first"), self.make("a's second")]
        with in_schema(office_b):
            b_rows = [self.make("b's")]
        b_ids = {row.pk for row in b_rows}
        foreign = [row for row in a_rows if row.pk not in b_ids]
        assert foreign, "two rows of a's cannot both share b's one id"
        for token in (api_key_b, staff_jwt(office_b)):
            client = api(PLATFORM_HOST, token)
            listed = client.get(self.url)
            assert listed.status_code == 200
            assert {r["id"] for r in listed.json()["results"]} == b_ids
            for row in foreign:
                for method, path in self.endpoints(row.pk):
                    if path == self.url:
                        continue
                    response = call(client, method, path)
                    assert response.status_code == 404, (method, path, response.content)
                    assert set(response.json()) == {"message"}
        with in_schema(office_a):
            for row in a_rows:
                assert type(row).objects.filter(pk=row.pk).exists()

    def test_it_refuses_writes_to_a_read_only_key(self, office_a):
        key = api_key_create(tenant=office_a.tenant, name="Reader", scopes=["read"]).secret
        with in_schema(office_a):
            row = self.make("read only")
        client = api(office_a.host, key)
        for method, path in self.endpoints(row.pk):
            response = call(client, method, path)
            if method == "get":
                assert response.status_code == 200, (path, response.content)
            else:
                assert response.status_code == 403, (method, path, response.content)
                assert response.json() == {"message": READ_ONLY}
        with in_schema(office_a):
            assert type(row).objects.filter(pk=row.pk).exists()

    def test_it_refuses_a_client_jwt_everywhere(self, office_a):
        token = client_jwt(office_a)
        with in_schema(office_a):
            row = self.make("client")
        client = api(office_a.host, token)
        for method, path in self.endpoints(row.pk):
            response = call(client, method, path)
            assert response.status_code == 403, (method, path, response.content)
            assert response.json() == {"message": CLIENT_REFUSED}

    def test_it_refuses_no_token_and_serves_a_staff_jwt(self, office_a):
        with in_schema(office_a):
            row = self.make("anonymous")
        for method, path in self.endpoints(row.pk):
            response = call(api(office_a.host), method, path)
            assert response.status_code == 401, (method, path)
            assert set(response.json()) == {"message"}
        listed = api(office_a.host, staff_jwt(office_a)).get(self.url)
        assert listed.status_code == 200 and row.pk in {r["id"] for r in listed.json()["results"]}


class PlatformCreateTests(ResourceSpec):
    """``plain_body`` creates a row that names no other row: on the platform host it must land in
    the key's tenant."""

    plain_body: dict = {}

    def test_it_creates_in_the_tokens_tenant_on_the_platform_host(self, office_a, office_b, api_key_b):
        response = api(PLATFORM_HOST, api_key_b).post(
            self.url, self.plain_body, content_type="application/json"
        )
        assert response.status_code == 201, response.content
        name, value = next(iter(self.plain_body.items()))
        with in_schema(office_b):
            assert self.model.objects.filter(pk=response.json()["id"], **{name: value}).exists()
        with in_schema(office_a):
            assert not self.model.objects.filter(**{name: value}).exists()


# --- the module gate ------------------------------------------------------------------------------

MODULE_OFF = "This module is not enabled."


def resource_module(path: str) -> str | None:
    """The key of the module whose API ``path`` belongs to (by its URL namespace), if any."""
    from django.conf import settings
    from django.urls import resolve

    from modules.registry import registry

    match = resolve(path.split("?")[0], urlconf=settings.ROOT_URLCONF)
    return next(filter(None, map(registry.module_for_namespace, match.namespaces)), None)


def modules_switched(office, capture, keys, *, on: bool) -> None:
    from django_tenants.utils import tenant_context

    from portal_core.services import module_disable, module_enable

    with tenant_context(office.tenant), capture(execute=True):
        for key in keys:
            (module_enable if on else module_disable)(key=key)
    connection.set_schema_to_public()


class ModuleGateTests(ResourceSpec):
    """A module's resource answers ``{"message": "This module is not enabled."}`` (404) to every
    credential of an office that has the module off, on the office's host and on the platform host
    alike, and its rows stay; switched on again, it serves them. A core resource (no module's URL
    namespace) is served whatever modules the office has off."""

    def office_tokens(self, office) -> list[str]:
        """The credentials of the office that may use this resource."""
        return [api_key_create(tenant=office.tenant, name="Gate").secret, staff_jwt(office)]

    def test_it_answers_404_json_on_every_host_while_its_module_is_off(
        self, office_a, django_capture_on_commit_callbacks
    ):
        from modules.registry import registry

        with in_schema(office_a):
            row = self.make("gated")
        key = resource_module(self.url)
        tokens = self.office_tokens(office_a)
        modules_switched(
            office_a, django_capture_on_commit_callbacks, [key] if key else registry.keys(), on=False
        )
        for host in (office_a.host, PLATFORM_HOST):
            for token in tokens:
                for method, path in self.endpoints(row.pk) if key else [("get", self.url)]:
                    response = call(api(host, token), method, path)
                    if key:
                        assert (response.status_code, response.json()) == (404, {"message": MODULE_OFF}), (
                            host,
                            method,
                            path,
                        )
                    else:
                        assert response.status_code == 200, (host, path, response.content)
                        assert row.pk in {r["id"] for r in response.json()["results"]}
        with in_schema(office_a):
            assert type(row).objects.filter(pk=row.pk).exists()
        if key:
            modules_switched(office_a, django_capture_on_commit_callbacks, [key], on=True)
            assert api(PLATFORM_HOST, tokens[0]).get(self.url).status_code == 200


# --- clients' own rows ----------------------------------------------------------------------------


class ClientRowsTests(ResourceSpec):
    """A client resource (a portal account's JWT reads the rows that are that client's): each client
    of the office sees only their own rows (another's answer 404), office credentials are refused
    (403), and so is every token of another office (401 on this office's host).

    ``make_for(account, label)`` makes a row of ``account``'s in the current schema and returns it;
    ``make_account(label)`` makes a portal account of the office."""

    list_methods = ("get",)
    detail_methods = ("get",)

    def make_account(self, label: str):
        from portal_core.access import portal_account_for
        from portal_core.models import Contact

        slug = label.lower().replace(" ", "-")
        return portal_account_for(
            contact=Contact.objects.create(first_name=label, email=f"{slug}@example.com")
        )

    def make_for(self, account, label: str):
        raise NotImplementedError

    def make(self, label: str):
        return self.make_for(self.make_account(label), label)

    @staticmethod
    def account_jwt(office, account) -> str:
        return jwt_pair(tenant=office.tenant, kind="client", subject_id=account.pk)["access"]

    def office_tokens(self, office) -> list[str]:
        from portal_core.models import PortalAccount

        with in_schema(office):
            account = PortalAccount.objects.order_by("pk").first() or self.make_account("Gate")
        return [self.account_jwt(office, account)]

    def test_it_shows_each_client_only_their_own_rows(self, office_a):
        with in_schema(office_a):
            chris, olga = self.make_account("Chris"), self.make_account("Olga")
            his = [self.make_for(chris, "Chris's first"), self.make_for(chris, "Chris's second")]
            hers = self.make_for(olga, "Olga's")
        for account, own, foreign in ((chris, his, [hers]), (olga, [hers], his)):
            client = api(office_a.host, self.account_jwt(office_a, account))
            listed = client.get(self.url)
            assert listed.status_code == 200, listed.content
            assert {r["id"] for r in listed.json()["results"]} == {row.pk for row in own}
            for row in own:
                assert client.get(self.detail_url(row.pk)).status_code == 200
            for row in foreign:
                response = client.get(self.detail_url(row.pk))
                assert response.status_code == 404 and set(response.json()) == {"message"}

    def test_it_refuses_office_credentials(self, office_a):
        with in_schema(office_a):
            row = self.make("Chris")
        for token in (api_key_create(tenant=office_a.tenant, name="Office").secret, staff_jwt(office_a)):
            for method, path in self.endpoints(row.pk):
                response = call(api(office_a.host, token), method, path)
                assert response.status_code == 403 and "client" in response.json()["message"], (method, path)

    def test_it_refuses_another_offices_tokens(self, office_a, office_b, api_key_b):
        with in_schema(office_a):
            row = self.make("Chris")
        with in_schema(office_b):
            theirs = self.account_jwt(office_b, self.make_account("Bea"))
        for token in (theirs, api_key_b, staff_jwt(office_b)):
            for method, path in self.endpoints(row.pk):
                response = call(api(office_a.host, token), method, path)
                assert response.status_code == 401, (method, path, response.content)
                assert response.json() == {"message": "This token belongs to another portal."}
        for method, path in self.endpoints(row.pk):
            assert call(api(office_a.host), method, path).status_code == 401


class IsolationTests(AccessTests, ModuleGateTests):
    """The whole isolation suite of an office resource: other offices' keys and JWTs (401 on this
    office's host, only their own rows on the platform host), read-only keys, client JWTs, no
    token, and the module gate. A client resource takes ``ClientRowsTests`` and
    ``ModuleGateTests`` instead."""
