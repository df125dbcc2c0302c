"""Browsers for the client's pages: the client signed in on office A's host, and the outsiders who
must get nothing (anonymous, another client of office A, office B's client and staff, on either
host, office B's session cookie carried over to office A's host)."""

from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.test import Client
from django_tenants.utils import tenant_context

from portal_core.models import PortalConfig
from portal_core.services import module_enable

from .conftest import make_client

PASSWORD = "Client-pass-2026!"


def portal_on() -> None:
    """Switch the current office's portal on (through save(), so the cached config is dropped)."""
    config = PortalConfig.objects.get()
    if not config.is_active:
        config.is_active = True
        config.save()


def signed_in(office, account) -> Client:
    """A browser on ``office``'s host, signed in as ``account`` (password ``PASSWORD``)."""
    portal_on()
    browser = Client(HTTP_HOST=office.host)
    response = browser.post("/auth/signin", {"email": account.email, "password": PASSWORD})
    assert response.status_code == 302, "the client could not sign in"
    return browser


def outsiders(office_a, office_b) -> dict[str, Client]:
    """Everyone who must not see office A's client's pages, actions or files. Leaves the connection
    in office A's schema, as the test body expects."""
    connection.set_tenant(office_a.tenant)
    other = make_client("Olga", "olga@example.com")
    browsers = {"anonymous": Client(HTTP_HOST=office_a.host), "another client": signed_in(office_a, other)}
    with tenant_context(office_b.tenant):
        module_enable(key="real_estate")  # so that only the scoping, not the module gate, refuses
    b_client, _account = office_b.portal_client(email="bea@example.com", first_name="Bea")
    b_staff = office_b.staff_client()
    browsers["office B's client"] = b_client
    browsers["office B's staff"] = b_staff
    for label, source in (("office B's client", b_client), ("office B's staff", b_staff)):
        carried = Client(HTTP_HOST=office_a.host)
        carried.cookies[settings.SESSION_COOKIE_NAME] = source.cookies[settings.SESSION_COOKIE_NAME].value
        browsers[f"{label}, cookie on office A's host"] = carried
    connection.set_tenant(office_a.tenant)
    return browsers


def refused(response) -> bool:
    """Refused without a trace: a 404, or a redirect to a sign-in page."""
    if response.status_code == 404:
        return True
    return response.status_code == 302 and "/signin" in response["Location"]
