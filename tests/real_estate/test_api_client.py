"""``/api/v1/real-estate/me/``: a portal account's JWT reads its own offered properties and viewings,
nothing of anyone else's, and nothing of the office API."""

from __future__ import annotations

from modules.real_estate import services
from modules.real_estate.models import PropertyPhoto
from portal_core.access import portal_account_disable, portal_account_for
from portal_core.models import Company
from tests.api.conftest import api
from tests.api.mixins import (
    CLIENT_REFUSED,
    ClientRowsTests,
    ModuleGateTests,
    assert_field_errors,
    client_jwt,
    in_schema,
)

from . import api_support
from .api_support import BASE, account_jwt, assert_outsiders_refused, client_account, offer_made
from .conftest import future, visited_viewing

office_a, office_b = api_support.office_a, api_support.office_b
api_key_a, api_key_b = api_support.api_key_a, api_support.api_key_b

OFFERS, VIEWINGS = f"{BASE}me/offers/", f"{BASE}me/viewings/"


class TestClientOffers(ClientRowsTests, ModuleGateTests):
    url = OFFERS

    def make_for(self, account, label):
        return offer_made(account, label)


class TestClientViewings(ClientRowsTests, ModuleGateTests):
    url = VIEWINGS

    def make_for(self, account, label):
        return services.viewing_request(offer=offer_made(account, label), account=account, slots=[future(2)])


def _ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def _two_clients(office):
    """Chris with four offers (new, rejected, visited, a viewing booked) and Olga with one."""
    with in_schema(office):
        chris, olga = client_account("chris"), client_account("olga")
        new = offer_made(chris, "New one")
        rejected = offer_made(chris, "Rejected", deal=new.deal)
        services.interest_set(offer=rejected, account=chris, interest="rejected", reasons=["size"])
        viewed = offer_made(chris, "Viewed")
        PropertyPhoto.objects.create(property=viewed.property, image="real-estate/p/1.jpg", width=8, height=6)
        past = visited_viewing(viewed, chris)
        booked = offer_made(chris, "Booked", deal=new.deal)
        upcoming = services.viewing_request(offer=booked, account=chris, slots=[future(2)])
        services.viewing_confirm(viewing=upcoming, start=upcoming.slots.get().start)
        theirs = offer_made(olga, "Olga's")
        olgas_viewing = services.viewing_request(offer=theirs, account=olga, slots=[future(4)])
    return {
        "chris": chris,
        "olga": olga,
        "offers": [new, rejected, viewed, booked],
        "theirs": theirs,
        "viewings": {"past": past, "upcoming": upcoming},
        "olgas_viewing": olgas_viewing,
    }


def test_it_lists_only_the_clients_own_offers_with_details_and_photos(office_a):
    rows = _two_clients(office_a)
    client = api(office_a.host, account_jwt(office_a, rows["chris"]))
    response = client.get(OFFERS)
    new, rejected, viewed, booked = rows["offers"]
    assert _ids(response) == [booked.pk, viewed.pk, rejected.pk, new.pk]
    assert response["RateLimit-Policy"] == '"default";q=60;w=60'
    by_id = {row["id"]: row for row in response.json()["results"]}
    assert by_id[new.pk]["is_new"] and by_id[new.pk]["client_group"] == "to_rate"
    assert (by_id[booked.pk]["is_new"], by_id[booked.pk]["latest_viewing_status"]) == (False, "confirmed")
    assert by_id[rejected.pk]["rejection_reasons"] == ["size"]
    shown = by_id[viewed.pk]
    assert (shown["client_group"], shown["latest_viewing_status"]) == ("visited", "visited")
    assert shown["property"]["title"] == "Viewed" and shown["property"]["address"] == "Haarlem, Netherlands"
    assert [set(p) for p in shown["property"]["photos"]] == [
        {"id", "property", "caption", "width", "height", "position", "url", "created"}
    ]
    assert "offer_count" not in shown["property"] and "deal" not in shown and "contact" not in shown
    assert _ids(client.get(OFFERS, {"group": "rejected"})) == [rejected.pk]
    assert _ids(client.get(OFFERS, {"group": "new"})) == [new.pk]
    assert_field_errors(client.get(OFFERS, {"group": "everything"}), "group")
    detail = client.get(f"{OFFERS}{viewed.pk}/")
    assert detail.status_code == 200 and _unsigned(detail.json()) == _unsigned(shown)
    theirs = client.get(f"{OFFERS}{rows['theirs'].pk}/")
    assert (theirs.status_code, theirs.json()) == (404, {"message": "Offered property not found."})


def test_it_lists_the_clients_viewings_by_tab(office_a):
    rows = _two_clients(office_a)
    with in_schema(office_a):
        chris = rows["chris"]
        later = offer_made(chris, "Later")
        waiting = services.viewing_request(offer=later, account=chris, slots=[future(7), future(6)])
    client = api(office_a.host, account_jwt(office_a, chris))
    past, upcoming = rows["viewings"]["past"], rows["viewings"]["upcoming"]
    assert set(_ids(client.get(VIEWINGS))) == {past.pk, upcoming.pk, waiting.pk}
    assert _ids(client.get(VIEWINGS, {"tab": "upcoming"})) == [upcoming.pk]
    assert _ids(client.get(VIEWINGS, {"tab": "recent"})) == [past.pk]
    assert _ids(client.get(VIEWINGS, {"tab": "unconfirmed"})) == [waiting.pk]
    assert_field_errors(client.get(VIEWINGS, {"tab": "someday"}), "tab")
    shown = client.get(f"{VIEWINGS}{waiting.pk}/").json()
    assert (shown["status"], shown["offer"], shown["property"]["title"]) == ("requested", later.pk, "Later")
    assert len(shown["preferred_slots"]) == 2 and shown["when"] == shown["preferred_slots"][0]
    assert not {"contact", "requested_by"} & set(shown)
    olgas = client.get(f"{VIEWINGS}{rows['olgas_viewing'].pk}/")
    assert (olgas.status_code, olgas.json()) == (404, {"message": "Viewing not found."})


def test_it_pages_upcoming_viewings_soonest_first(office_a):
    with in_schema(office_a):
        chris = client_account("chris")
        expected = []
        for n in range(5):
            viewing = services.viewing_request(
                offer=offer_made(chris, f"P{n}"), account=chris, slots=[future(9 - n)]
            )
            services.viewing_confirm(viewing=viewing, start=viewing.slots.get().start)
            expected.insert(0, viewing.pk)
    client = api(office_a.host, account_jwt(office_a, chris))
    seen, url, query = [], VIEWINGS, {"tab": "upcoming", "page_size": 2}
    while url:
        body = client.get(url, query).json()
        seen += [row["id"] for row in body["results"]]
        url, query = body["next"], {}
    assert seen == expected


def test_a_company_account_sees_empty_lists(office_a):
    with in_schema(office_a):
        offer_made(client_account("chris"))
        account = portal_account_for(company=Company.objects.create(name="Acme", email="desk@acme.example"))
    client = api(office_a.host, account_jwt(office_a, account))
    assert _ids(client.get(OFFERS)) == [] and _ids(client.get(VIEWINGS)) == []


def test_the_client_token_only_reads(office_a):
    rows = _two_clients(office_a)
    client = api(office_a.host, account_jwt(office_a, rows["chris"]))
    for path in (OFFERS, f"{OFFERS}{rows['offers'][0].pk}/", VIEWINGS):
        for method in ("post", "patch", "delete"):
            response = getattr(client, method)(path, {}, content_type="application/json")
            assert response.status_code == 405, (method, path)
            assert set(response.json()) == {"message"}
    office = client.get(f"{BASE}offers/")
    assert (office.status_code, office.json()) == (403, {"message": CLIENT_REFUSED})


def test_it_is_refused_to_every_outsider(office_a, office_b):
    rows = _two_clients(office_a)
    viewing = rows["viewings"]["upcoming"]
    endpoints = [
        ("get", OFFERS),
        ("get", f"{OFFERS}{viewing.offered_id}/"),
        ("get", VIEWINGS),
        ("get", f"{VIEWINGS}{viewing.pk}/"),
    ]
    assert_outsiders_refused(office_a, office_b, endpoints, client_endpoints=True)
    # A client of office A who is not Chris: his own (empty) lists, and 404 for Chris's rows.
    other = api(office_a.host, client_jwt(office_a, email="kim@example.com"))
    assert _ids(other.get(OFFERS)) == [] and _ids(other.get(VIEWINGS)) == []
    for path in (f"{OFFERS}{viewing.offered_id}/", f"{VIEWINGS}{viewing.pk}/"):
        response = other.get(path)
        assert response.status_code == 404 and set(response.json()) == {"message"}


def test_a_disabled_account_is_refused(office_a):
    rows = _two_clients(office_a)
    token = account_jwt(office_a, rows["chris"])
    with in_schema(office_a):
        portal_account_disable(account=rows["chris"], actor="owner")
    response = api(office_a.host, token).get(OFFERS)
    assert response.status_code == 401 and set(response.json()) == {"message"}


def _unsigned(data):
    """``data`` with media links' signatures (which carry a timestamp) cut off."""
    if isinstance(data, dict):
        return {key: _unsigned(value) for key, value in data.items()}
    if isinstance(data, list):
        return [_unsigned(value) for value in data]
    return data.split("?sig=")[0] if isinstance(data, str) else data
