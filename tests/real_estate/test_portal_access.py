"""Every page and action of the client's real-estate portal, tried by everyone who is not the
client: another client of the same office, office B's client and staff (on their own host, and with
their session cookie carried to office A's host), office A's staff without a client session, and
anonymous visitors. They get a 404 or the sign-in page, see nothing of the client's, and change
nothing."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from modules.real_estate.models import AgentMessage, Feedback, OfferedProperty, Viewing
from modules.real_estate.services import viewing_confirm, viewing_request

from .conftest import future
from .portal_support import outsiders, refused, signed_in

SECRET_TITLE = "Family home"  # make_property's default title, offered to the client only


@pytest.fixture
def setting(office, account, offer):
    viewing = viewing_request(offer=offer, account=account, slots=[future(2)])
    viewing_confirm(viewing=viewing, start=future(5))  # a proposal the client could accept
    return {"offer": offer.pk, "viewing": viewing.pk}


def _object_pages(ids) -> list[str]:
    return [
        reverse("real_estate:property", args=[ids["offer"]]),
        reverse("real_estate:contact") + f"?offer={ids['offer']}",
    ]


def _list_pages() -> list[str]:
    return [
        reverse("real_estate:home"),
        reverse("real_estate:new"),
        reverse("real_estate:properties"),
        reverse("real_estate:properties") + "?group=to_rate",
        reverse("real_estate:viewings") + "?tab=unconfirmed",
        reverse("real_estate:contact"),
    ]


def _actions(ids) -> list[tuple[str, dict]]:
    offer, viewing = ids["offer"], ids["viewing"]
    return [
        (reverse("real_estate:interest", args=[offer]), {"interest": "rejected", "reasons": ["price"]}),
        (reverse("real_estate:favourite", args=[offer]), {"favourite": "1"}),
        (reverse("real_estate:viewing-request", args=[offer]), {"slots": ["2030-01-01T10:00"]}),
        (reverse("real_estate:feedback", args=[offer]), {"rating": "5", "notes": "Mine now"}),
        (reverse("real_estate:contact"), {"offer": offer, "body": "Hello"}),
        (reverse("real_estate:viewing-accept", args=[viewing]), {}),
        (reverse("real_estate:viewing-cancel", args=[viewing]), {"reason": "Not mine"}),
    ]


def _state() -> tuple:
    offer = OfferedProperty.objects.get()
    viewing = Viewing.objects.get()
    return (
        offer.interest,
        offer.favourite,
        offer.seen_at,
        viewing.status,
        Viewing.objects.count(),
        Feedback.objects.count(),
        AgentMessage.objects.count(),
    )


def test_the_client_reaches_every_page(office, account, setting):
    browser = signed_in(office, account)
    for url in _object_pages(setting) + _list_pages():
        response = browser.get(url)
        assert response.status_code == 200, url


def test_it_refuses_everyone_else_every_page_and_action(office_b, office, account, setting):
    before = _state()
    browsers = outsiders(office, office_b)
    browsers["office A's staff"] = office.staff_client()
    for label, browser in browsers.items():
        for url in _object_pages(setting):
            response = browser.get(url)
            assert refused(response), (label, url, response.status_code)
        for url in _list_pages():
            response = browser.get(url)
            assert refused(response) or response.status_code == 200, (label, url, response.status_code)
            assert SECRET_TITLE not in response.content.decode(), (label, url)
        for url, data in _actions(setting):
            response = browser.post(url, data)
            assert refused(response), (label, url, response.status_code)
            response = browser.post(url, data, HTTP_HX_REQUEST="true")
            assert refused(response), (label, url, "htmx", response.status_code)
    connection.set_tenant(office.tenant)
    assert _state() == before


def test_another_clients_offer_and_viewing_ids_are_not_found(office, account, setting):
    from .conftest import make_client

    other = signed_in(office, make_client("Olga", "olga@example.com"))
    assert other.get(reverse("real_estate:property", args=[setting["offer"]])).status_code == 404
    assert other.post(reverse("real_estate:viewing-cancel", args=[setting["viewing"]])).status_code == 404
    assert other.get(reverse("real_estate:contact") + "?offer=abc").status_code == 404
    assert other.get(reverse("real_estate:property", args=[999999])).status_code == 404


def test_actions_need_the_csrf_token(office, account, setting):
    browser = signed_in(office, account)
    guarded = Client(HTTP_HOST=office.host, enforce_csrf_checks=True)
    guarded.cookies = browser.cookies
    for url, data in _actions(setting):
        assert guarded.post(url, data).status_code == 403, url


def test_a_disabled_account_is_signed_out_of_the_pages(office, account, setting):
    from portal_core.models import PortalAccount

    browser = signed_in(office, account)
    PortalAccount.objects.filter(pk=account.pk).update(status=PortalAccount.Status.DISABLED)
    assert refused(browser.get(reverse("real_estate:property", args=[setting["offer"]])))


def test_the_module_switched_off_answers_404_and_keeps_the_data(office, account, setting):
    from portal_core.services import module_disable

    browser = signed_in(office, account)
    module_disable(key="real_estate")
    for url in _object_pages(setting) + _list_pages():
        assert browser.get(url).status_code == 404, url
    for url, data in _actions(setting):
        assert browser.post(url, data).status_code == 404, url
    assert OfferedProperty.objects.filter(pk=setting["offer"]).exists()


def test_a_staff_preview_changes_nothing(office, account, setting):
    from portal_core.client_auth import SESSION_PREVIEW

    staff = office.staff_client()
    session = staff.session
    session[SESSION_PREVIEW] = account.pk
    session.save()
    before = _state()
    page = staff.get(reverse("real_estate:property", args=[setting["offer"]]))
    assert page.status_code == 200 and SECRET_TITLE in page.content.decode()
    for url, data in _actions(setting):
        staff.post(url, data)
    assert _state() == before  # not even “seen”
