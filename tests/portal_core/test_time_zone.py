"""The office's time zone: chosen in the portal settings, it is the zone times are entered and shown
in on the office's pages, its clients' pages and its emails (sent by the worker too); another office
keeps its own, and the API keeps UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone, translation
from django_tenants.utils import schema_context

from modules.real_estate.models import Viewing
from modules.real_estate.notifications import viewing_email_send
from modules.real_estate.services import deal_create, property_offer, viewing_confirm, viewing_request
from portal_core.formatting import format_datetime
from portal_core.models import PortalConfig
from portal_core.selectors import portal_config_get
from portal_core.services import module_enable, portal_config_update
from portal_core.time_zones import office_localtime, time_zone_choices
from tenants.services import api_key_create
from tests.api.conftest import api
from tests.real_estate.conftest import make_client, make_property
from tests.real_estate.portal_support import signed_in

from ..conftest import PLATFORM_HOST

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
SETTINGS = {
    "is_active": "on",
    "company_name": "Alpha Realty",
    "portal_name": "Alpha",
    "welcome_message": "Welcome",
    "primary_color": "#112233",
    "secondary_color": "#445566",
}


def winter_day() -> date:
    """A day at least two days ahead on which Amsterdam keeps winter time (UTC+1)."""
    day = timezone.now().date() + timedelta(days=2)
    while datetime.combine(day, time(14, 30), AMSTERDAM).utcoffset() != timedelta(hours=1):
        day += timedelta(days=1)
    return day


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), UTC)


def dutch(day: date, hour: int, minute: int = 0) -> str:
    """A date and time as a Dutch email writes it (“vr 15 jan 2027, 14:30”)."""
    with translation.override("nl"):
        return format_datetime(datetime.combine(day, time(hour, minute)), weekday=True)


def _zone_of(office) -> str:
    with schema_context(office.schema_name):
        return PortalConfig.objects.get().time_zone


def _html(response) -> str:
    return response.content.decode()


def _offer(office, *, language="nl", email="daan@example.com"):
    """In ``office``'s schema (left current): the module on, a client with a house offered."""
    connection.set_tenant(office.tenant)
    module_enable(key="real_estate")
    account = make_client(first_name="Daan", email=email, language=language)
    deal = deal_create(contact=account.contact, title="A home in Haarlem")
    return account, property_offer(deal=deal, property=make_property("Canal house"))


@pytest.fixture
def amsterdam(office_a, django_capture_on_commit_callbacks):
    """Office A, in Amsterdam, with a Dutch client offered a house: ``(account, offer)``."""
    with schema_context(office_a.schema_name):
        portal_config_update(config=portal_config_get(), time_zone="Europe/Amsterdam")
    with django_capture_on_commit_callbacks(execute=True):
        account, offer = _offer(office_a)
    return account, offer


# --- the setting ----------------------------------------------------------------------------------


def test_an_office_starts_in_the_servers_zone_and_chooses_its_own(office_a):
    assert _zone_of(office_a) == "UTC"
    staff = office_a.staff_client()
    page = _html(staff.get("/office/settings/"))
    assert '<select name="time_zone"' in page and '<optgroup label="Common time zones">' in page
    assert '<option value="UTC" selected>UTC</option>' in page
    assert '<option value="America/New_York">America/New York</option>' in page

    response = staff.post("/office/settings/", {**SETTINGS, "time_zone": "Europe/Amsterdam"})
    assert response.status_code == 302 and _zone_of(office_a) == "Europe/Amsterdam"
    assert '<option value="Europe/Amsterdam" selected>' in _html(staff.get("/office/settings/"))

    # A form that does not send the zone (an older page, a script) keeps it.
    assert staff.post("/office/settings/", SETTINGS).status_code == 302
    assert _zone_of(office_a) == "Europe/Amsterdam"


def test_an_unknown_time_zone_is_refused_with_a_field_error(office_a):
    staff = office_a.staff_client()
    response = staff.post("/office/settings/", {**SETTINGS, "time_zone": "Mars/Olympus_Mons"})
    assert response.status_code == 200
    assert response.context["form"].errors["time_zone"] == [
        "“Mars/Olympus_Mons” is not a time zone: choose one from the list."
    ]
    assert "Nothing was saved" in _html(response) and _zone_of(office_a) == "UTC"
    with schema_context(office_a.schema_name), pytest.raises(ValidationError) as refused:
        portal_config_update(config=portal_config_get(), time_zone="Europe/Atlantis")
    assert list(refused.value.message_dict) == ["time_zone"]


def test_the_list_offers_common_zones_first_and_keeps_an_old_alias_in_use():
    (common_label, common), (all_label, every) = time_zone_choices("US/Eastern")
    assert (common_label, all_label) == ("Common time zones", "All time zones")
    assert common[0] == ("Europe/Amsterdam", "Europe/Amsterdam") and ("UTC", "UTC") in common
    names = [name for name, _label in every]
    assert names == sorted(names) and "Europe/Amsterdam" not in names and "Asia/Tokyo" in names
    assert "US/Eastern" in names and "US/Pacific" not in names  # aliases only when in use


# --- a viewing in Amsterdam -------------------------------------------------------------------------


def test_a_viewing_asked_for_at_half_past_two_in_amsterdam_is_stored_in_utc_and_shown_locally(
    office_a, amsterdam
):
    account, offer = amsterdam
    day = winter_day()
    browser = signed_in(office_a, account)
    page = _html(browser.get(reverse("real_estate:property", args=[offer.pk])))
    assert "Europe/Amsterdam" in page and "UTC" not in page

    mail.outbox.clear()
    response = browser.post(
        reverse("real_estate:viewing-request", args=[offer.pk]), {"slots": [f"{day:%Y-%m-%d}T14:30"]}
    )
    assert response.status_code == 302
    viewing = Viewing.objects.get(offered=offer)
    assert [slot.start for slot in viewing.slots.all()] == [at(day, 13, 30)]
    assert timezone.get_current_timezone_name() == "UTC"  # the request's zone ended with it

    mine = _html(browser.get(reverse("real_estate:viewings") + "?tab=unconfirmed"))
    assert f'datetime="{day:%Y-%m-%d}T14:30:00+01:00"' in mine and ", 14:30</time>" in mine
    assert "Europe/Amsterdam" in mine
    [to_client] = [m for m in mail.outbox if m.to == ["daan@example.com"]]
    assert f"{dutch(day, 14, 30)} (Europe/Amsterdam)" in to_client.body
    [to_office] = [m for m in mail.outbox if m.subject.startswith("Viewing requested")]
    assert f"{day:%Y-%m-%d} 14:30 (Europe/Amsterdam)" in to_office.body

    staff = office_a.staff_client()
    detail = _html(staff.get(f"/office/real-estate/viewings/{viewing.pk}/"))
    assert "Times in Europe/Amsterdam." in detail and ", 14:30</label>" in detail
    assert "In your office&#x27;s time zone (Europe/Amsterdam)." in detail
    assert "Times in Europe/Amsterdam." in _html(staff.get("/office/real-estate/viewings/"))

    mail.outbox.clear()
    slot = viewing.slots.get()
    assert (
        staff.post(f"/office/real-estate/viewings/{viewing.pk}/confirm/", {"slot": slot.pk}).status_code
        == 302
    )
    [confirmation] = mail.outbox
    assert f"{dutch(day, 14, 30)} (Europe/Amsterdam)" in confirmation.body

    moved = staff.post(
        f"/office/real-estate/viewings/{viewing.pk}/reschedule/", {"start": f"{day:%Y-%m-%d}T16:00"}
    )
    assert moved.status_code == 302
    viewing.refresh_from_db()
    assert viewing.start == at(day, 15)
    upcoming = _html(browser.get(reverse("real_estate:viewings")))
    assert f'datetime="{day:%Y-%m-%d}T16:00:00+01:00"' in upcoming


def test_the_worker_writes_the_offices_time_in_the_email(amsterdam):
    account, offer = amsterdam
    day = winter_day()
    viewing = viewing_request(offer=offer, account=account, slots=[at(day, 13, 30)])
    viewing = viewing_confirm(viewing=viewing, start=at(day, 13, 30))
    mail.outbox.clear()
    assert timezone.get_current_timezone_name() == "UTC"  # as in the worker: no request activated it
    assert viewing_email_send(viewing.pk, "real_estate.viewing_confirmed")
    [email] = mail.outbox
    assert f"{dutch(day, 14, 30)} (Europe/Amsterdam)" in email.body and "13:30" not in email.body
    assert office_localtime(viewing.start).hour == 14


def test_another_office_keeps_the_servers_zone(
    office_a, office_b, amsterdam, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        account, offer = _offer(office_b, language="en", email="bea@example.com")
    day = winter_day()
    browser = signed_in(office_b, account)
    assert "Times are in UTC." in _html(browser.get(reverse("real_estate:property", args=[offer.pk])))
    browser.post(
        reverse("real_estate:viewing-request", args=[offer.pk]), {"slots": [f"{day:%Y-%m-%d}T14:30"]}
    )
    connection.set_tenant(office_b.tenant)
    viewing = Viewing.objects.get(offered=offer)
    assert [slot.start for slot in viewing.slots.all()] == [at(day, 14, 30)]
    detail = _html(office_b.staff_client().get(f"/office/real-estate/viewings/{viewing.pk}/"))
    assert "Times in UTC." in detail and "Europe/Amsterdam" not in detail


def test_the_api_still_answers_and_reads_in_utc(office_a, amsterdam):
    account, offer = amsterdam
    day = winter_day()
    viewing = viewing_request(offer=offer, account=account, slots=[at(day, 13, 30)])
    connection.set_schema_to_public()
    key = api_key_create(tenant=office_a.tenant, name="Integration").secret
    url = f"/api/v1/real-estate/viewings/{viewing.pk}/"
    for host in (office_a.host, PLATFORM_HOST):
        body = api(host, key).get(url).json()
        assert body["preferred_slots"] == [f"{day:%Y-%m-%d}T13:30:00Z"], host

    mail.outbox.clear()
    proposed = api(office_a.host, key).post(
        f"{url}propose", {"start": f"{day:%Y-%m-%d}T16:00:00"}, content_type="application/json"
    )
    assert proposed.status_code == 200, proposed.content
    assert proposed.json()["proposed_start"] == f"{day:%Y-%m-%d}T16:00:00Z"  # a naive time is UTC
    [email] = mail.outbox  # but the client reads it in the office's time
    assert f"{dutch(day, 17)} (Europe/Amsterdam)" in email.body
