"""While the database cannot be reached every host answers 503 with Retry-After (a page, or JSON
under /api/), never a 500; once it is back the next request is served, with no restart."""

import contextlib

import pytest
from django.db import connection
from django.test import Client

from tests.caddy_proxy import free_port

pytestmark = pytest.mark.django_db(transaction=True)  # the connection is closed and opened again


@contextlib.contextmanager
def database_down():
    """The database's port points at nothing for the block: every new connection is refused."""
    port = connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["PORT"] = str(free_port())
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict["PORT"] = port


def test_every_host_answers_503_with_retry_after_while_the_database_is_down(office_a, platform_client):
    staff = office_a.staff_client()
    assert staff.get("/office/").status_code == 200  # warm: routed, signed in
    portal, _ = office_a.portal_client()
    assert portal.get("/").status_code == 200
    visitor = Client(HTTP_HOST=office_a.host)
    assert visitor.get("/auth/signin").status_code == 200

    for client in (staff, portal, visitor, platform_client):
        client.raise_request_exception = False  # what the browser gets, not the exception
    with database_down():
        pages = {
            "office": staff.get("/office/"),
            "portal": portal.get("/"),
            "platform": platform_client.get("/"),
            "api": visitor.get("/api/v1/contacts/", HTTP_AUTHORIZATION="Bearer pk_live_unknown"),
        }
        ready = platform_client.get("/readyz")
        needs_no_database = visitor.get("/auth/signin")  # routed from memory, nothing to read

    for name, response in pages.items():
        assert response.status_code == 503, name
        assert response["Retry-After"] == "5", name
        assert response["Cache-Control"] == "no-store", name
    assert "A moment, please" in pages["office"].content.decode()
    assert "try again in a few seconds" in pages["portal"].content.decode()
    assert pages["api"].json()["code"] == "service_unavailable"
    assert ready.status_code == 503 and ready.json()["checks"]["database"].startswith("error")
    assert needs_no_database.status_code == 200

    # Back: the same processes answer again on their next request.
    assert staff.get("/office/").status_code == 200
    assert portal.get("/").status_code == 200
    assert platform_client.get("/").status_code == 200


def _answer(exc: Exception, path: str = "/office/"):
    from django.test import RequestFactory

    from tenants.errors import server_error

    try:
        raise exc
    except Exception:  # noqa: BLE001 - Django calls handler500 inside its handling of the exception
        return server_error(RequestFactory().get(path))


def test_any_other_error_is_still_a_plain_500():
    response = _answer(RuntimeError("a bug, not the database"))
    assert response.status_code == 500 and "Retry-After" not in response


def test_an_error_caused_by_the_database_going_away_is_a_503():
    from django.db import InterfaceError

    try:
        raise InterfaceError("connection already closed")
    except InterfaceError as cause:
        wrapped = RuntimeError("while rendering")
        wrapped.__cause__ = cause
    response = _answer(wrapped, path="/api/v1/contacts/")
    assert response.status_code == 503 and response["Retry-After"] == "5"
    assert response["Content-Type"] == "application/json"
