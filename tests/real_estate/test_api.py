"""The real-estate API for the office: each resource declares itself and the generic suites of
``tests/api/mixins`` test it (lists, cursor pages, filters, field errors, isolation from office B,
read-only keys, client tokens); the module's own rules are tested below each class."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django_tenants.utils import tenant_context

from modules.real_estate import services
from modules.real_estate.models import (
    AgentMessage,
    Deal,
    Feedback,
    OfferedProperty,
    Property,
    Viewing,
    ViewingSlot,
)
from portal_core.models import Contact
from tests.api.conftest import api
from tests.api.mixins import (
    CreateTests,
    DeleteTests,
    IsolationTests,
    ListTests,
    PlatformCreateTests,
    RetrieveTests,
    UpdateTests,
    assert_field_errors,
    in_schema,
)

from ..conftest import PLATFORM_HOST
from . import api_support
from .api_support import (
    BASE,
    ResourceExtras,
    assert_outsiders_refused,
    client_account,
    module_on,
    offer_made,
    property_made,
)
from .conftest import audio_upload, future, photo_upload, visited_viewing, wav_bytes

# Offices A and B with the module on, and their API keys.
office_a, office_b = api_support.office_a, api_support.office_b
api_key_a, api_key_b = api_support.api_key_a, api_support.api_key_b


def _contact(label: str) -> Contact:
    return Contact.objects.create(first_name=label.title(), email=f"{label.replace(' ', '-')}@example.com")


def _post(client, path, body=None):
    return client.post(path, body or {}, content_type="application/json")


# --- properties ---------------------------------------------------------------------------------


class TestProperties(
    ResourceExtras,
    ListTests,
    CreateTests,
    RetrieveTests,
    UpdateTests,
    DeleteTests,
    IsolationTests,
    PlatformCreateTests,
):
    url = f"{BASE}properties/"
    model = Property
    plain_body = {"title": "Bravo villa"}
    bad_filter = {"min_price": "cheap", "type": "castle", "status": "gone"}
    invalid_body = {"title": "", "price": "-5", "latitude": "91", "energy_label": "Z", "features": "pool"}
    patch_body = {"price": "650000", "status": "under_offer"}
    put_body = {"title": "Canal house", "city": "Amsterdam"}

    def make(self, label):
        return property_made(label.title(), rooms=5, bedrooms=3, features=["Garden"])

    def make_many(self, created):
        rows = Property.objects.bulk_create(
            Property(title=f"Bulk {n}", created=at) for n, at in enumerate(created)
        )
        return [row.pk for row in rows]

    def filter_cases(self):
        villa = property_made("Sea villa", property_type="villa", city="Zandvoort", price=900000)
        flat = property_made("Canal flat", property_type="apartment", city="Amsterdam", price=350000)
        sold = property_made("Old farm", status="sold", price=None, street="Dorpsstraat 1")
        return [
            ({}, {villa.pk, flat.pk, sold.pk}),
            ({"status": "sold"}, {sold.pk}),
            ({"type": "villa"}, {villa.pk}),
            ({"city": "AMSTERDAM"}, {flat.pk}),
            ({"min_price": "400000"}, {villa.pk}),
            ({"max_price": "400000"}, {flat.pk}),
            ({"min_price": "300000", "max_price": "950000"}, {villa.pk, flat.pk}),
            ({"search": "canal amster"}, {flat.pk}),
            ({"search": "dorpsstraat"}, {sold.pk}),
            ({"search": "villa", "status": "sold"}, set()),
        ]

    def create_body(self):
        return {
            "title": " Canal house ",
            "street": "Herengracht 1",
            "postal_code": "1015 BA",
            "city": "Amsterdam",
            "country": "Netherlands",
            "latitude": 52.3731,
            "longitude": "4.8922",
            "price": "1250000.50",
            "currency": "eur",
            "property_type": "house",
            "rooms": 7,
            "bedrooms": 4,
            "living_area": 210,
            "plot_area": 120,
            "features": ["Garden", " garden ", "Roof  terrace", ""],
            "description": "Four floors on the canal.",
            "energy_label": "A++",
        }

    def check_created(self, row, body):
        assert (row.title, row.currency, row.features) == ("Canal house", "EUR", ["Garden", "Roof terrace"])
        assert body["address"] == "Herengracht 1, 1015 BA Amsterdam, Netherlands"
        assert body["price"] == "1250000.50" and body["latitude"] == 52.3731 and body["longitude"] == 4.8922
        assert body["status"] == "available" and body["photos"] == [] and body["offer_count"] == 0
        assert body["created"].endswith("Z") and isinstance(body["id"], int)

    def check_patched(self, before, after):
        assert (after.price, after.status) == (650000, "under_offer")
        assert (after.title, after.rooms, after.features) == (before.title, before.rooms, before.features)

    def check_put(self, before, after):
        assert (after.title, after.city, after.price, after.rooms, after.features) == (
            "Canal house",
            "Amsterdam",
            None,
            None,
            [],
        )

    def test_it_reports_the_models_rules_as_field_errors(self, office_a, api_key_a):
        client = api(office_a.host, api_key_a)
        response = _post(client, self.url, {"title": "Odd", "latitude": 52, "rooms": 2, "bedrooms": 3})
        assert_field_errors(response, "longitude", "bedrooms")
        response = _post(client, self.url, {"title": "Odd", "currency": "E1R"})
        assert_field_errors(response, "currency")
        with in_schema(office_a):
            assert not Property.objects.exists()

    def test_it_refuses_to_delete_an_offered_property(self, office_a, api_key_a):
        with in_schema(office_a):
            offer = offer_made(client_account())
        response = api(office_a.host, api_key_a).delete(f"{self.url}{offer.property_id}/")
        assert response.status_code == 400
        assert "offered to a client" in response.json()["message"]
        with in_schema(office_a):
            assert Property.objects.filter(pk=offer.property_id).exists()


# --- deals --------------------------------------------------------------------------------------


class TestDeals(ResourceExtras, ListTests, CreateTests, RetrieveTests, UpdateTests, IsolationTests):
    url = f"{BASE}deals/"
    model = Deal
    detail_methods = ("get", "put", "patch")
    bad_filter = {"status": "pending", "contact": "x"}
    invalid_body = {"title": "", "notes": ["a list"]}
    patch_body = {"status": "won"}
    put_body = {"title": "A bigger home"}

    def make(self, label):
        return services.deal_create(contact=_contact(label), title=f"{label} search", notes="Two bedrooms")

    def make_many(self, created):
        contact = _contact("bulk")
        rows = Deal.objects.bulk_create(
            Deal(contact=contact, title=f"Bulk {n}", created=at) for n, at in enumerate(created)
        )
        return [row.pk for row in rows]

    def filter_cases(self):
        ada, bob = _contact("ada"), _contact("bob")
        first = services.deal_create(contact=ada, title="First")
        won = services.deal_create(contact=ada, title="Won")
        services.deal_update(deal=won, status="won")
        other = services.deal_create(contact=bob, title="Other")
        return [
            ({}, {first.pk, won.pk, other.pk}),
            ({"contact": ada.pk}, {first.pk, won.pk}),
            ({"status": "won"}, {won.pk}),
            ({"status": "open", "contact": bob.pk}, {other.pk}),
        ]

    def create_body(self):
        return {"contact": _contact("ada").pk, "title": " A home in Haarlem ", "notes": "Garden"}

    def check_created(self, row, body):
        assert (row.title, row.notes, row.status) == ("A home in Haarlem", "Garden", "open")
        assert body["contact"] == {"id": row.contact_id, "name": "Ada"} and body["offer_count"] == 0
        assert row.contact.activity.filter(verb="deal_created", module="real_estate").exists()

    def check_patched(self, before, after):
        assert (after.status, after.title, after.notes) == ("won", before.title, before.notes)

    def check_put(self, before, after):
        assert (after.title, after.notes, after.status) == ("A bigger home", "", "open")

    def test_it_refuses_an_unknown_contact(self, office_a, api_key_a):
        response = _post(api(office_a.host, api_key_a), self.url, {"contact": 2_000_000_000, "title": "X"})
        assert_field_errors(response, "contact")


class TestDealOffers:
    """``deals/{id}/offers/``: the properties offered through one deal."""

    def test_it_offers_a_property_and_lists_it_with_the_clients_status(self, office_a, api_key_a):
        with in_schema(office_a):
            account = client_account()
            deal = services.deal_create(contact=account.contact, title="Search")
            house = property_made("Canal house")
        client = api(office_a.host, api_key_a)
        url = f"{BASE}deals/{deal.pk}/offers/"
        response = _post(client, url, {"property": house.pk})
        assert response.status_code == 201, response.content
        offer = response.json()
        assert offer["deal"] == deal.pk and offer["contact"] == account.contact_id
        assert offer["property"]["id"] == house.pk and offer["property"]["title"] == "Canal house"
        assert (offer["is_new"], offer["interest"], offer["client_group"]) == (True, "to_rate", "to_rate")
        assert offer["cover_photo_url"] is None and offer["feedback_count"] == 0
        with in_schema(office_a):
            offered = OfferedProperty.objects.get(pk=offer["id"])
            services.interest_set(offer=offered, account=account, interest="rejected", reasons=["price"])
        listed = client.get(url).json()
        assert set(listed) == {"next", "previous", "results"}
        (row,) = listed["results"]
        assert (row["client_group"], row["rejection_reasons"], row["is_new"]) == (
            "rejected",
            ["price"],
            False,
        )
        assert client.get(f"{BASE}deals/{deal.pk}/").json()["offer_count"] == 1

    def test_it_refuses_offers_the_service_refuses(self, office_a, api_key_a):
        with in_schema(office_a):
            account = client_account()
            deal = services.deal_create(contact=account.contact, title="Search")
            house, sold = property_made("House"), property_made("Sold", status="sold")
            closed = services.deal_create(contact=account.contact, title="Closed")
            services.deal_update(deal=closed, status="lost")
        client = api(office_a.host, api_key_a)
        url = f"{BASE}deals/{deal.pk}/offers/"
        assert _post(client, url, {"property": house.pk}).status_code == 201
        again = _post(client, url, {"property": house.pk})
        assert again.status_code == 400 and again.json()["message"] == (
            "This property has already been offered to this client."
        )
        assert "sold" in _post(client, url, {"property": sold.pk}).json()["message"]
        assert (
            "closed"
            in _post(client, f"{BASE}deals/{closed.pk}/offers/", {"property": house.pk}).json()["message"]
        )
        assert_field_errors(_post(client, url, {"property": 2_000_000_000}), "property")
        assert_field_errors(_post(client, url, {}), "property")
        missing = _post(client, f"{BASE}deals/2000000000/offers/", {"property": house.pk})
        assert (missing.status_code, missing.json()) == (404, {"message": "Deal not found."})
        with in_schema(office_a):
            assert OfferedProperty.objects.count() == 1

    def test_it_pages_a_deals_offers_latest_first(self, office_a, api_key_a):
        with in_schema(office_a):
            deal = services.deal_create(contact=_contact("ada"), title="Search")
            start = timezone.now() - timedelta(days=1)
            props = Property.objects.bulk_create(Property(title=f"P{n}") for n in range(60))
            OfferedProperty.objects.bulk_create(
                OfferedProperty(deal=deal, property=p, offered_at=start + timedelta(seconds=n // 4))
                for n, p in enumerate(props)
            )
            expected = list(
                OfferedProperty.objects.order_by("-offered_at", "id").values_list("id", flat=True)
            )
        client = api(office_a.host, api_key_a)
        seen, url = [], f"{BASE}deals/{deal.pk}/offers/"
        while url:
            body = client.get(url, {"page_size": 25} if "cursor" not in url else {}).json()
            seen += [row["id"] for row in body["results"]]
            url = body["next"]
        assert seen == expected

    def test_it_is_refused_to_outsiders(self, office_a, office_b):
        with in_schema(office_a):
            offer = offer_made(client_account())
        url = f"{BASE}deals/{offer.deal_id}/offers/"
        assert_outsiders_refused(office_a, office_b, [("get", url), ("post", url)])
        with in_schema(office_a):
            assert OfferedProperty.objects.count() == 1


# --- offered properties ---------------------------------------------------------------------------


class TestOffers(ResourceExtras, ListTests, RetrieveTests, IsolationTests):
    url = f"{BASE}offers/"
    model = OfferedProperty
    list_methods = ("get",)
    detail_methods = ("get",)
    actions = ("approve",)
    ordering = ("-offered_at", "id")
    bad_filter = {"group": "loved", "deal": "x"}

    def make(self, label):
        return offer_made(client_account(label), label.title())

    def make_many(self, created):
        deal = services.deal_create(contact=_contact("bulk"), title="Bulk")
        props = Property.objects.bulk_create(Property(title=f"Bulk {n}") for n in range(len(created)))
        rows = OfferedProperty.objects.bulk_create(
            OfferedProperty(deal=deal, property=p, offered_at=at)
            for p, at in zip(props, created, strict=True)
        )
        return [row.pk for row in rows]

    def filter_cases(self):
        ada, bob = client_account("ada"), client_account("bob")
        first = offer_made(ada, "First")
        second = offer_made(ada, "Second", deal=first.deal)
        services.interest_set(offer=second, account=ada, interest="interested")
        other = offer_made(bob, "Other")
        return [
            ({}, {first.pk, second.pk, other.pk}),
            ({"deal": first.deal_id}, {first.pk, second.pk}),
            ({"contact": bob.contact_id}, {other.pk}),
            ({"property": second.property_id}, {second.pk}),
            ({"group": "interested"}, {second.pk}),
            ({"group": "to_rate", "contact": ada.contact_id}, {first.pk}),
        ]

    def test_it_approves_after_a_visit(self, office_a, api_key_a):
        with in_schema(office_a):
            account = client_account()
            offer, early = offer_made(account, "Visited"), offer_made(account, "Not yet")
            visited_viewing(offer, account)
        client = api(office_a.host, api_key_a)
        refused = _post(client, f"{self.url}{early.pk}/approve")
        assert refused.status_code == 400 and "after a viewing" in refused.json()["message"]
        response = _post(client, f"{self.url}{offer.pk}/approve")
        assert response.status_code == 200, response.content
        assert response.json()["client_group"] == "approved" and response.json()["approved_at"]
        assert _post(client, f"{self.url}{offer.pk}/approve").json() == response.json()


# --- viewings -----------------------------------------------------------------------------------


def _iso(value) -> str:
    return value.isoformat().replace("+00:00", "Z")


def _slot(viewing: Viewing):
    return viewing.slots.first().start


def _viewing(label: str, *, slots=None) -> Viewing:
    account = client_account(label)
    offer = offer_made(account, label.title())
    return services.viewing_request(offer=offer, account=account, slots=slots or [future(2), future(3)])


class TestViewings(ResourceExtras, ListTests, RetrieveTests, IsolationTests):
    url = f"{BASE}viewings/"
    model = Viewing
    list_methods = ("get",)
    detail_methods = ("get",)
    actions = ("confirm", "propose", "reschedule", "cancel", "mark-visited")
    bad_filter = {"status": "maybe", "from": "soon", "contact": "x"}

    def make(self, label):
        return _viewing(label)

    def make_many(self, created):
        deal = services.deal_create(contact=_contact("bulk"), title="Bulk")
        props = Property.objects.bulk_create(Property(title=f"Bulk {n}") for n in range(len(created)))
        offers = OfferedProperty.objects.bulk_create(OfferedProperty(deal=deal, property=p) for p in props)
        rows = Viewing.objects.bulk_create(
            Viewing(offered=o, created=at) for o, at in zip(offers, created, strict=True)
        )
        ViewingSlot.objects.bulk_create(ViewingSlot(viewing=v, start=future(1)) for v in rows)
        return [row.pk for row in rows]

    def filter_cases(self):
        requested = _viewing("ada", slots=[future(5)])
        confirmed = _viewing("bob", slots=[future(2)])
        services.viewing_confirm(viewing=confirmed, start=_slot(confirmed))
        proposed = _viewing("cy", slots=[future(9)])
        services.viewing_confirm(viewing=proposed, start=future(3))
        contact = requested.offered.deal.contact_id
        return [
            ({}, {requested.pk, confirmed.pk, proposed.pk}),
            ({"status": "confirmed"}, {confirmed.pk}),
            ({"contact": contact}, {requested.pk}),
            ({"offer": proposed.offered_id}, {proposed.pk}),
            ({"from": future(2, hours=12).isoformat()}, {requested.pk, proposed.pk}),
            ({"to": future(4).isoformat()}, {confirmed.pk, proposed.pk}),
            ({"from": future(1).isoformat(), "to": future(2, hours=1).isoformat()}, {confirmed.pk}),
        ]

    def test_it_refuses_a_reversed_time_range(self, office_a, api_key_a):
        response = api(office_a.host, api_key_a).get(
            self.url, {"from": future(3).isoformat(), "to": future(2).isoformat()}
        )
        assert_field_errors(response, "to")

    def test_it_shows_the_request_as_the_office_needs_it(self, office_a, api_key_a):
        slots = [future(3), future(2)]
        with in_schema(office_a):
            viewing = _viewing("ada", slots=slots)
        body = api(office_a.host, api_key_a).get(f"{self.url}{viewing.pk}/").json()
        assert body["preferred_slots"] == [_iso(s) for s in sorted(slots)]
        assert body["when"] == body["preferred_slots"][0] and body["status"] == "requested"
        assert body["contact"] == {"id": viewing.offered.deal.contact_id, "name": "Ada Client"}
        assert body["property"]["title"] == "Ada" and body["offer"] == viewing.offered_id
        assert body["start"] is None and body["cancelled_by"] is None

    def test_it_confirms_one_of_the_clients_times(self, office_a, api_key_a):
        with in_schema(office_a):
            viewing = _viewing("ada")
            slot = _iso(viewing.slots.last().start)
        client = api(office_a.host, api_key_a)
        url = f"{self.url}{viewing.pk}/confirm"
        assert_field_errors(_post(client, url, {"start": future(4).isoformat()}), "start")
        assert_field_errors(_post(client, url, {"start": "tomorrow"}), "start")
        assert_field_errors(_post(client, url, {}), "start")
        response = _post(client, url, {"start": slot})
        assert response.status_code == 200, response.content
        assert (response.json()["status"], response.json()["start"]) == ("confirmed", slot)
        again = _post(client, url, {"start": slot})
        assert again.status_code == 400 and again.json()["errors"] == {
            "non_field_errors": ["Only a requested viewing can be confirmed."]
        }

    def test_it_proposes_reschedules_and_cancels(self, office_a, api_key_a):
        with in_schema(office_a):
            viewing = _viewing("ada")
        client = api(office_a.host, api_key_a)
        url = f"{self.url}{viewing.pk}/"
        past = _post(client, f"{url}propose", {"start": (timezone.now() - timedelta(hours=1)).isoformat()})
        assert past.status_code == 400 and "future" in past.json()["message"]
        proposed = _post(client, f"{url}propose", {"start": future(5).isoformat()}).json()
        assert (proposed["status"], proposed["when"]) == ("proposed", proposed["proposed_start"])
        with in_schema(office_a):
            services.viewing_proposal_accept(viewing=viewing, account=viewing.requested_by)
        later = _iso(future(6))
        moved = _post(client, f"{url}reschedule", {"start": later}).json()
        assert (moved["status"], moved["start"]) == ("confirmed", later)
        visit_too_early = _post(client, f"{url}mark-visited")
        assert visit_too_early.status_code == 400 and "not taken place" in visit_too_early.json()["message"]
        cancelled = _post(client, f"{url}cancel", {"reason": "The owner withdrew it."}).json()
        assert (cancelled["status"], cancelled["cancelled_by"]) == ("cancelled", "office")
        assert cancelled["cancel_reason"] == "The owner withdrew it." and cancelled["cancelled_at"]
        assert _post(client, f"{url}cancel").status_code == 400

    def test_it_marks_a_past_viewing_visited(self, office_a, api_key_a):
        with in_schema(office_a):
            viewing = _viewing("ada")
            services.viewing_confirm(viewing=viewing, start=_slot(viewing))
            Viewing.objects.filter(pk=viewing.pk).update(start=timezone.now() - timedelta(hours=2))
        client = api(office_a.host, api_key_a)
        response = _post(client, f"{self.url}{viewing.pk}/mark-visited")
        assert response.status_code == 200 and response.json()["status"] == "visited"
        offer = client.get(f"{BASE}offers/{viewing.offered_id}/").json()
        assert offer["client_group"] == "visited" and offer["latest_viewing_status"] == "visited"


# --- feedback -----------------------------------------------------------------------------------


class TestFeedback(ResourceExtras, ListTests, RetrieveTests, IsolationTests):
    url = f"{BASE}feedback/"
    model = Feedback
    list_methods = ("get",)
    detail_methods = ("get",)
    bad_filter = {"offer": "x", "contact": "-1"}

    def make(self, label):
        offer = offer_made(client_account(label), label.title())
        return Feedback.objects.create(offered=offer, rating=4, notes=label)

    def make_many(self, created):
        offer = offer_made(client_account("bulk"))
        rows = Feedback.objects.bulk_create(
            Feedback(offered=offer, notes=f"Bulk {n}", created=at) for n, at in enumerate(created)
        )
        return [row.pk for row in rows]

    def filter_cases(self):
        ada, bob = client_account("ada"), client_account("bob")
        first, other = offer_made(ada, "First"), offer_made(bob, "Other")
        second = offer_made(ada, "Second")
        a = Feedback.objects.create(offered=first, rating=5)
        b = Feedback.objects.create(offered=second, notes="Dark")
        c = Feedback.objects.create(offered=other, rating=2)
        return [
            ({}, {a.pk, b.pk, c.pk}),
            ({"offer": first.pk}, {a.pk}),
            ({"contact": ada.contact_id}, {a.pk, b.pk}),
            ({"deal": second.deal_id}, {b.pk}),
            ({"property": other.property_id}, {c.pk}),
        ]

    def test_it_gives_photo_and_voice_note_metadata(self, office_a, api_key_a):
        with in_schema(office_a):
            account = client_account()
            offer = offer_made(account)
            viewing = visited_viewing(offer, account)
            voice = audio_upload(wav_bytes(2.5), name="note.wav", content_type="audio/wav")
            feedback = services.feedback_submit(
                offer=offer,
                account=account,
                notes="Lovely light",
                rating=5,
                photos=[photo_upload()],
                voice_notes=[voice],
            )
        body = api(office_a.host, api_key_a).get(f"{self.url}{feedback.pk}/").json()
        assert (body["rating"], body["notes"], body["viewing"], body["offer"]) == (
            5,
            "Lovely light",
            viewing.pk,
            offer.pk,
        )
        assert (body["contact"], body["property"], body["property_title"]) == (
            account.contact_id,
            offer.property_id,
            "Family home",
        )
        (photo,) = body["photos"]
        assert set(photo) == {"id", "width", "height", "position", "url"} and photo["width"] > 0
        (note,) = body["voice_notes"]
        assert (note["content_type"], note["duration_seconds"], note["position"]) == ("audio/wav", 2.5, 0)
        assert note["size"] > 0 and "url" in note


# --- messages to the agent ----------------------------------------------------------------------


class TestMessages(ResourceExtras, ListTests, RetrieveTests, IsolationTests):
    url = f"{BASE}messages/"
    model = AgentMessage
    list_methods = ("get",)
    detail_methods = ("get",)
    actions = ("read", "reply")
    bad_filter = {"unread": "perhaps", "contact": "x"}

    def make(self, label):
        return services.agent_contact(account=client_account(label), body=f"A question from {label}")

    def make_many(self, created):
        contact = _contact("bulk")
        rows = AgentMessage.objects.bulk_create(
            AgentMessage(contact=contact, subject=f"Bulk {n}", body="?", created=at)
            for n, at in enumerate(created)
        )
        return [row.pk for row in rows]

    def filter_cases(self):
        ada, bob = client_account("ada"), client_account("bob")
        general = services.agent_contact(account=ada, body="Any news?")
        about = services.agent_contact(account=ada, body="Is there parking?", offer=offer_made(ada))
        read = services.agent_message_read(message=services.agent_contact(account=bob, body="Thanks"))
        services.agent_reply(message=about, body="Yes, two spaces.", actor="owner")
        return [
            ({}, {general.pk, about.pk, read.pk}),
            ({"contact": ada.contact_id}, {general.pk, about.pk}),
            ({"unread": "true"}, {general.pk}),
            ({"unread": "false"}, {about.pk, read.pk}),
            ({"replied": "true"}, {about.pk}),
            ({"replied": "false", "contact": bob.contact_id}, {read.pk}),
        ]

    def test_it_marks_read_and_replies_by_email(self, office_a, api_key_a, mailoutbox):
        with in_schema(office_a):
            account = client_account("ada")
            offer = offer_made(account, "Canal house")
            message = services.agent_contact(account=account, body="Is there parking?", offer=offer)
        client = api(office_a.host, api_key_a)
        body = client.get(f"{self.url}{message.pk}/").json()
        assert (body["is_read"], body["offer"], body["property"]["title"]) == (False, offer.pk, "Canal house")
        assert body["contact"] == {"id": account.contact_id, "name": "Ada Client"}
        read = _post(client, f"{self.url}{message.pk}/read").json()
        assert read["is_read"] and read["read_at"]
        assert_field_errors(_post(client, f"{self.url}{message.pk}/reply", {"body": ""}), "body")
        mailoutbox.clear()
        replied = _post(client, f"{self.url}{message.pk}/reply", {"body": "Yes, two spaces."})
        assert replied.status_code == 200, replied.content
        assert replied.json()["reply_body"] == "Yes, two spaces." and replied.json()["replied_by"]
        assert [m.to for m in mailoutbox] == [["ada@example.com"]]
        twice = _post(client, f"{self.url}{message.pk}/reply", {"body": "Again"})
        assert (
            twice.status_code == 400 and twice.json()["message"] == "This message has already been answered."
        )


# --- the module switched off --------------------------------------------------------------------


def test_it_answers_404_as_json_while_the_module_is_off(
    office_a, api_key_a, django_capture_on_commit_callbacks
):
    from portal_core.services import module_disable

    with in_schema(office_a):
        house = property_made()
    with tenant_context(office_a.tenant), django_capture_on_commit_callbacks(execute=True):
        module_disable(key="real_estate")
    for host in (office_a.host, PLATFORM_HOST):
        client = api(host, api_key_a)
        for path in (f"{BASE}properties/", f"{BASE}properties/{house.pk}/", f"{BASE}me/offers/"):
            response = client.get(path)
            assert response.status_code == 404, (host, path, response.content)
            assert response.json() == {"message": "This module is not enabled."}
    with in_schema(office_a):
        assert Property.objects.filter(pk=house.pk).exists()
    module_on(office_a, django_capture_on_commit_callbacks)
    assert api(PLATFORM_HOST, api_key_a).get(f"{BASE}properties/{house.pk}/").status_code == 200


# --- the webhook catalogue ------------------------------------------------------------------------


def _shape(value):
    """The keys of every object inside ``value`` (lists and scalars stand for themselves)."""
    if isinstance(value, dict):
        return {key: _shape(item) for key, item in value.items()}
    return "list" if isinstance(value, list) else "value"


def test_the_event_catalogue_shows_an_example_of_each_real_payload(office, events, api_key_a):
    from modules.real_estate.events import EVENT_EXAMPLES, EVENT_TYPES

    account = client_account()
    offer, other, third = (
        offer_made(account, "First"),
        offer_made(account, "Second"),
        offer_made(account, "Third"),
    )
    services.interest_set(
        offer=third, account=account, interest="rejected", reasons=["price"], note="Too dear"
    )
    requested = services.viewing_request(offer=offer, account=account, slots=[future(2)])
    services.viewing_confirm(viewing=requested, start=future(5))
    services.viewing_proposal_accept(viewing=requested, account=account)
    services.viewing_cancel(viewing=requested, by="client", account=account)
    visited_viewing(other, account)
    services.feedback_submit(offer=other, account=account, rating=4)
    services.property_approve(offer=other, actor="owner")
    services.agent_contact(account=account, body="Parking?", offer=offer)
    assert set(EVENT_EXAMPLES) == set(EVENT_TYPES)
    for event_type, example in EVENT_EXAMPLES.items():
        payloads = events(event_type)
        assert payloads, event_type
        assert _shape(payloads[-1]) == _shape(example), event_type
    catalogue = api(office.host, api_key_a).get("/api/v1/webhooks/event-types/").json()
    shown = {row["type"]: row for row in catalogue}
    offered = shown["real_estate.property_offered"]
    assert offered["module"] == "Real estate"
    assert offered["example"]["data"] == EVENT_EXAMPLES["real_estate.property_offered"]


# --- the schema -----------------------------------------------------------------------------------

WITHOUT_BODY = ("/approve", "/mark-visited", "/read")


def test_it_documents_every_operation_in_a_valid_schema(office_a):
    from drf_spectacular.drainage import GENERATOR_STATS
    from drf_spectacular.validation import validate_schema

    GENERATOR_STATS.reset()
    response = api(office_a.host).get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert not GENERATOR_STATS, "drf-spectacular warned (a hashed enum name, an unknown type…)"
    schema = response.json()
    validate_schema(schema)
    paths = {path: item for path, item in schema["paths"].items() if path.startswith(BASE)}
    operations = [(path, method, op) for path, item in paths.items() for method, op in item.items()]
    assert len(operations) == 38
    for path, method, operation in operations:
        where = (path, method)
        assert operation["tags"] == ["real-estate"] and operation["summary"], where
        assert operation["operationId"].startswith("real_estate_"), where
        assert {"401", "403", "404", "429"} <= set(operation["responses"]), where
        assert operation["security"] == (
            [{"JWT": []}] if "/me/" in path else [{"ApiKey": []}, {"JWT": []}]
        ), where
        if method in ("post", "put", "patch") and not path.endswith(WITHOUT_BODY):
            assert "requestBody" in operation and "400" in operation["responses"], where
        for parameter in operation.get("parameters", []):
            if parameter["in"] == "path":
                assert parameter["schema"]["type"] == "integer", where
    upload = paths[f"{BASE}properties/{{id}}/photos/"]["post"]["requestBody"]["content"]
    assert set(upload) == {"multipart/form-data"}
    listed = paths[f"{BASE}properties/"]["get"]
    assert {p["name"] for p in listed["parameters"]} >= {
        "cursor",
        "page_size",
        "status",
        "type",
        "city",
        "search",
    }
    assert listed["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/PaginatedRealEstatePropertyList"
    }
    viewings = {p["name"] for p in paths[f"{BASE}viewings/"]["get"]["parameters"]}
    assert viewings >= {"status", "from", "to", "contact"}
    names = set(schema["components"]["schemas"])
    assert {
        "RealEstatePropertyStatusEnum",
        "RealEstateViewingStatusEnum",
        "RealEstateDealStatusEnum",
    } <= names
