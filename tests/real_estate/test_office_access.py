"""Every office page and action of the module, tried by people who may not use them: anonymous
visitors, a signed-in client of the same office, and the staff of another office (on this office's
host, and on their own with this office's ids). They are sent to the sign-in page or get a 404, see
nothing of the office's data, and change nothing."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_context, tenant_context

from modules.real_estate.models import AgentMessage, Deal, OfferedProperty, Property, PropertyPhoto, Viewing
from modules.real_estate.services import (
    agent_contact,
    property_photo_add,
    viewing_confirm,
    viewing_request,
)
from portal_core.models import ActivityEntry
from portal_core.services import module_enable

from .conftest import future, make_property, photo_upload, visited_viewing

BASE = "/office/real-estate"
SECRET = "Secret-villa-7731"

PAGES = [
    "/",
    "/properties/",
    "/properties/new/",
    "/properties/{property}/",
    "/properties/{property}/edit/",
    "/deals/",
    "/deals/new/",
    "/deals/new/?contact={contact}",
    "/deals/{deal}/",
    "/deals/{deal}/edit/",
    "/deals/{deal}/offer/",
    "/viewings/",
    "/viewings/{viewing}/",
    "/messages/",
    "/messages/{message}/",
]
ACTIONS = [
    (
        "/properties/new/",
        {"title": "Intruder", "property_type": "house", "status": "available", "currency": "EUR"},
    ),
    (
        "/properties/{property}/edit/",
        {"title": "Hijacked", "property_type": "house", "status": "sold", "currency": "EUR"},
    ),
    ("/properties/{property}/status/", {"status": "sold"}),
    ("/properties/{spare}/delete/", {}),
    ("/properties/{property}/photos/", {"photos": "upload"}),
    ("/properties/{property}/photos/order/", {"order": "{photo}"}),
    ("/properties/{property}/photos/{photo}/caption/", {"caption": "Hijacked"}),
    ("/properties/{property}/photos/{photo}/move/", {"direction": "down"}),
    ("/properties/{property}/photos/{photo}/delete/", {}),
    ("/deals/new/", {"contact": "{contact}", "title": "Hijacked"}),
    ("/deals/{deal}/edit/", {"title": "Hijacked", "status": "lost"}),
    ("/deals/{deal}/status/", {"status": "lost"}),
    ("/deals/{deal}/offer/", {"properties": "{spare}"}),
    ("/offers/{visited_offer}/approve/", {}),
    ("/viewings/{viewing}/confirm/", {"slot": "{slot}"}),
    ("/viewings/{viewing}/propose/", {"start": "{later}"}),
    ("/viewings/{confirmed}/reschedule/", {"start": "{later}"}),
    ("/viewings/{viewing}/cancel/", {"reason": "Hijacked"}),
    ("/viewings/{past}/visited/", {}),
    ("/messages/{message}/", {"body": "Hijacked reply"}),
]


@pytest.fixture
def world(
    office_b, office, account, contact, deal, offer, house, isolated_media, django_capture_on_commit_callbacks
):
    """Office A's data, with the module also on at office B (so B's 404s are not the module gate's)."""
    with tenant_context(office_b.tenant), django_capture_on_commit_callbacks(execute=True):
        module_enable(key="real_estate")
    Property.objects.filter(pk=house.pk).update(title=SECRET)
    photo = property_photo_add(property=house, upload=photo_upload())
    viewing = viewing_request(offer=offer, account=account, slots=[future(2), future(3)])
    confirmed_offer = OfferedProperty.objects.create(deal=deal, property=make_property("Confirmed one"))
    slot = future(4)
    confirmed = viewing_confirm(
        viewing=viewing_request(offer=confirmed_offer, account=account, slots=[slot]), start=slot
    )
    past_offer = OfferedProperty.objects.create(deal=deal, property=make_property("Past one"))
    past_slot = future(1)
    past = viewing_confirm(
        viewing=viewing_request(offer=past_offer, account=account, slots=[past_slot]), start=past_slot
    )
    Viewing.objects.filter(pk=past.pk).update(start=past_slot.replace(year=past_slot.year - 1))
    visited_offer = OfferedProperty.objects.create(deal=deal, property=make_property("Visited one"))
    visited_viewing(visited_offer, account)
    message = agent_contact(account=account, body="A private question", offer=offer)
    ids = {
        "property": house.pk,
        "photo": photo.pk,
        "contact": contact.pk,
        "deal": deal.pk,
        "spare": make_property("Spare one").pk,
        "visited_offer": visited_offer.pk,
        "viewing": viewing.pk,
        "slot": viewing.slots.first().pk,
        "confirmed": confirmed.pk,
        "past": past.pk,
        "message": message.pk,
        "later": future(9).strftime("%Y-%m-%dT%H:%M"),
    }
    mail.outbox.clear()
    return office, office_b, ids


def snapshot() -> tuple:
    """Everything an action could change in office A."""
    return (
        list(Property.objects.order_by("pk").values_list("pk", "title", "status")),
        list(PropertyPhoto.objects.order_by("pk").values_list("pk", "caption", "position")),
        list(Deal.objects.order_by("pk").values_list("pk", "title", "status")),
        list(OfferedProperty.objects.order_by("pk").values_list("pk", "deal_id", "approved_at")),
        list(Viewing.objects.order_by("pk").values_list("pk", "status", "start", "proposed_start")),
        list(AgentMessage.objects.order_by("pk").values_list("pk", "read_at", "replied_at")),
        ActivityEntry.objects.count(),
    )


def fill(template: str, ids: dict) -> str:
    return template.format(**ids)


def post_data(data: dict, ids: dict) -> dict:
    filled = {key: fill(value, ids) for key, value in data.items()}
    if filled.get("photos") == "upload":
        filled["photos"] = photo_upload()
    return filled


def assert_sent_to_sign_in(response) -> None:
    assert response.status_code == 302
    assert response["Location"].startswith("/office/login/")
    assert SECRET.encode() not in response.content


def try_everything(browser, ids: dict, check) -> None:
    for page in PAGES:
        check(browser.get(BASE + fill(page, ids)))
    for action, data in ACTIONS:
        check(browser.post(BASE + fill(action, ids), post_data(data, ids)))


def outsider(persona: str, office, office_b) -> Client:
    """A browser on office A's host: nobody signed in, a client of A signed in to the portal, or
    office B's owner with the session of B's host."""
    if persona == "anonymous":
        return office.client()
    if persona == "client":
        browser, _account = office.portal_client("visitor@example.com")
        assert browser.get("/").status_code == 200  # signed in to the portal
        return browser
    browser = office_b.staff_client()
    browser.defaults["HTTP_HOST"] = office.host
    return browser


@pytest.mark.parametrize("persona", ["anonymous", "client", "another_offices_staff"])
def test_it_sends_outsiders_to_the_sign_in_page(world, persona):
    office, office_b, ids = world
    browser = outsider(persona, office, office_b)
    connection.set_tenant(office.tenant)
    before = snapshot()
    try_everything(browser, ids, assert_sent_to_sign_in)
    connection.set_tenant(office.tenant)
    assert snapshot() == before and mail.outbox == []


def test_it_knows_none_of_this_offices_rows_on_another_offices_host(world):
    office, office_b, ids = world
    stranger = office_b.staff_client()
    connection.set_tenant(office.tenant)
    before = snapshot()

    def not_found(response):
        assert response.status_code == 404
        assert SECRET.encode() not in response.content

    for page in PAGES:
        if "{" in page:
            not_found(stranger.get(BASE + fill(page, ids)))
        else:  # office B's own (empty) lists
            response = stranger.get(BASE + page, follow=True)
            assert response.status_code == 200 and SECRET.encode() not in response.content
    for action, data in ACTIONS:
        if "{" in action:
            not_found(stranger.post(BASE + fill(action, ids), post_data(data, ids)))
    refused = stranger.post(f"{BASE}/deals/new/", post_data(dict(ACTIONS)["/deals/new/"], ids))
    assert refused.status_code == 200 and "Select a valid choice" in refused.content.decode()
    connection.set_tenant(office.tenant)
    assert snapshot() == before and mail.outbox == []
    with schema_context(office_b.schema_name):
        assert not Deal.objects.exists() and not Property.objects.exists()


def test_it_answers_404_everywhere_once_the_module_is_off(world, django_capture_on_commit_callbacks):
    from portal_core.services import module_disable

    office, _, ids = world
    with django_capture_on_commit_callbacks(execute=True):
        module_disable(key="real_estate")
    staff = office.staff_client()
    connection.set_tenant(office.tenant)
    before = snapshot()
    for page in PAGES:
        assert staff.get(BASE + fill(page, ids)).status_code == 404, page
    for action, data in ACTIONS:
        assert staff.post(BASE + fill(action, ids), post_data(data, ids)).status_code == 404, action
    contact_page = staff.get(f"/office/contacts/{ids['contact']}/").content.decode()
    assert "data-real-estate-panel" not in contact_page
    connection.set_tenant(office.tenant)
    assert snapshot() == before and mail.outbox == []


def test_it_refuses_an_action_without_its_csrf_token(world):
    office, _, ids = world
    browser = Client(HTTP_HOST=office.host, enforce_csrf_checks=True)
    browser.force_login(get_user_model().objects.get(pk=office.owner_id))
    connection.set_tenant(office.tenant)
    before = snapshot()
    for action, data in ACTIONS:
        response = browser.post(BASE + fill(action, ids), post_data(data, ids))
        assert response.status_code == 403, action
    connection.set_tenant(office.tenant)
    assert snapshot() == before and mail.outbox == []
    page = browser.get(f"{BASE}/deals/{ids['deal']}/")
    assert page.status_code == 200 and 'name="csrfmiddlewaretoken"' in page.content.decode()
