"""The office's real-estate pages: properties and photos, deals and offers, viewings, messages and the
card on the contact's page; what each action changes, and the errors bad input gets."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone, translation

from modules.real_estate.models import (
    AgentMessage,
    Deal,
    OfferedProperty,
    Property,
    PropertyPhoto,
    Viewing,
)
from modules.real_estate.office.queries import media_url
from modules.real_estate.services import (
    agent_contact,
    deal_create,
    favourite_set,
    feedback_submit,
    interest_set,
    property_offer,
    property_photo_add,
    viewing_confirm,
    viewing_request,
)
from portal_core.formatting import format_long_date
from portal_core.models import ActivityEntry

from .conftest import (
    audio_upload,
    future,
    jpeg_with_gps,
    make_client,
    make_property,
    photo_upload,
    visited_viewing,
    wav_bytes,
)

BASE = "/office/real-estate"


@pytest.fixture
def staff(office):
    browser = office.staff_client()
    connection.set_tenant(office.tenant)
    return browser


def html_of(response) -> str:
    return response.content.decode()


def ids_in(response, attribute: str) -> set[int]:
    return {int(pk) for pk in re.findall(rf'{attribute}="(\d+)"', html_of(response))}


def flash(response) -> str:
    return " ".join(str(m) for m in response.context["messages"]) if response.context else ""


# --- every page renders -------------------------------------------------------------------------


def test_it_renders_every_page_for_the_offices_staff(staff, account, contact, deal, offer, house):
    property_photo_add(property=house, upload=photo_upload())
    viewing = viewing_request(offer=offer, account=account, slots=[future(2), future(3)])
    message = agent_contact(account=account, body="Is the garden south-facing?", offer=offer)
    pages = {
        f"{BASE}/properties/": "Family home",
        f"{BASE}/properties/new/": "New property",
        f"{BASE}/properties/{house.pk}/": "Family home",
        f"{BASE}/properties/{house.pk}/edit/": "Edit Family home",
        f"{BASE}/deals/": "A home in Haarlem",
        f"{BASE}/deals/new/": "Chris Client",
        f"{BASE}/deals/new/?contact={contact.pk}": "Chris Client",
        f"{BASE}/deals/{deal.pk}/": "Family home",
        f"{BASE}/deals/{deal.pk}/edit/": "A home in Haarlem",
        f"{BASE}/deals/{deal.pk}/offer/": "Every available property has already been offered",
        f"{BASE}/viewings/": "Family home",
        f"{BASE}/viewings/{viewing.pk}/": "Family home",
        f"{BASE}/messages/": "Is the garden south-facing?",
        f"{BASE}/messages/{message.pk}/": "Is the garden south-facing?",
        f"/office/contacts/{contact.pk}/": "A home in Haarlem",
    }
    for page, text in pages.items():
        response = staff.get(page)
        assert response.status_code == 200, page
        assert text in html_of(response), page
    assert staff.get(f"{BASE}/").url == f"{BASE}/properties/"
    nav = html_of(staff.get(f"{BASE}/properties/"))
    for url in ("/properties/", "/deals/", "/viewings/", "/messages/"):
        assert f'href="{BASE}{url}"' in nav


# --- properties ---------------------------------------------------------------------------------

PROPERTY_FORM = {
    "title": "Villa with a view",
    "property_type": "villa",
    "status": "available",
    "description": "Quiet street.\nBig garden.",
    "street": "Duinweg 4",
    "postal_code": "2051 AB",
    "city": "Overveen",
    "country": "Netherlands",
    "latitude": "52.3912345678",
    "longitude": "4.6012",
    "price": "875000",
    "currency": "eur",
    "rooms": "6",
    "bedrooms": "4",
    "living_area": "180",
    "plot_area": "640",
    "features": "Garden facing south\n\n  Sauna \nGarden facing south\nDouble garage",
    "energy_label": "A++",
}


def test_it_adds_a_property_with_every_field(staff):
    response = staff.post(f"{BASE}/properties/new/", PROPERTY_FORM)
    prop = Property.objects.get()
    assert response.status_code == 302 and response.url == f"{BASE}/properties/{prop.pk}/"
    assert prop.title == "Villa with a view" and prop.property_type == "villa" and prop.city == "Overveen"
    assert prop.features == ["Garden facing south", "Sauna", "Double garage"]
    assert prop.latitude == Decimal("52.391235") and prop.longitude == Decimal("4.601200")
    assert prop.price == 875000 and prop.currency == "EUR" and prop.energy_label == "A++"
    assert (prop.rooms, prop.bedrooms, prop.living_area, prop.plot_area) == (6, 4, 180, 640)
    page = html_of(staff.get(response.url))
    assert "Sauna" in page and "A++" in page and "Overveen" in page and "openstreetmap.org" in page
    edit = html_of(staff.get(f"{BASE}/properties/{prop.pk}/edit/"))
    assert "Garden facing south\nSauna\nDouble garage</textarea>" in edit


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"title": ""}, "title", "This field is required"),
        ({"bedrooms": "9"}, "bedrooms", "more bedrooms than rooms"),
        ({"longitude": ""}, "longitude", "both the latitude and the longitude"),
        ({"latitude": "91"}, "latitude", "less than or equal to 90"),
        ({"currency": "EU1"}, "currency", "three-letter currency"),
        ({"price": "-5"}, "price", "greater than or equal to 0"),
        ({"energy_label": "Z"}, "energy_label", "Select a valid choice"),
        ({"features": "x" * 81}, "features", "80 characters"),
        ({"rooms": "many"}, "rooms", "Enter a whole number"),
    ],
)
def test_it_shows_field_errors_and_saves_nothing(staff, changes, field, message):
    response = staff.post(f"{BASE}/properties/new/", {**PROPERTY_FORM, **changes})
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert 'class="errorlist"' in html_of(response)
    assert not Property.objects.exists()


def test_it_edits_a_property_and_changes_its_status(staff, house):
    response = staff.post(
        f"{BASE}/properties/{house.pk}/edit/", {**PROPERTY_FORM, "title": "Renamed home", "features": "Attic"}
    )
    assert response.status_code == 302
    house.refresh_from_db()
    assert house.title == "Renamed home" and house.features == ["Attic"] and house.city == "Overveen"
    bad = staff.post(f"{BASE}/properties/{house.pk}/edit/", {**PROPERTY_FORM, "bedrooms": "7"})
    assert "more bedrooms than rooms" in html_of(bad)
    house.refresh_from_db()
    assert house.bedrooms == 4 and house.title == "Renamed home"

    response = staff.post(f"{BASE}/properties/{house.pk}/status/", {"status": "under_offer"})
    assert response.status_code == 302 and "under offer" in flash(staff.get(response.url))
    house.refresh_from_db()
    assert house.status == "under_offer"
    staff.post(f"{BASE}/properties/{house.pk}/status/", {"status": "demolished"})
    house.refresh_from_db()
    assert house.status == "under_offer"


def test_it_lists_and_filters_properties(staff):
    canal = make_property("Canal house", property_type="house")
    flat = make_property("Small flat", property_type="apartment", status="sold")
    farm = make_property("Old farm", property_type="house")
    Property.objects.filter(pk=canal.pk).update(price=900000)
    Property.objects.filter(pk=flat.pk).update(price=250000)
    Property.objects.filter(pk=farm.pk).update(price=400000, city="Leiden", street="Hooiberg 3")

    def found(**query):
        return ids_in(staff.get(f"{BASE}/properties/", query), "data-property")

    assert found() == {canal.pk, flat.pk, farm.pk}
    assert found(status="sold") == {flat.pk}
    assert found(type="house") == {canal.pk, farm.pk}
    assert found(city="Leiden") == {farm.pk}
    assert found(price_min="300000") == {canal.pk, farm.pk}
    assert found(price_min="300000", price_max="500000") == {farm.pk}
    assert found(price_min="500000", price_max="300000") == {farm.pk}  # swapped, not refused
    assert found(q="hooiberg") == {farm.pk}
    assert found(q="canal house") == {canal.pk}
    assert found(q="nothing like it") == set()
    page = staff.get(f"{BASE}/properties/", {"price_min": "cheap", "status": "bogus"})
    assert ids_in(page, "data-property") == {canal.pk, flat.pk, farm.pk}
    assert "Enter a number" in html_of(page)
    assert "No properties match" in html_of(staff.get(f"{BASE}/properties/", {"q": "zzz"}))


def test_it_deletes_a_property_only_while_it_was_never_offered(
    staff, house, offer, isolated_media, django_capture_on_commit_callbacks
):
    spare = make_property("Spare")
    photo = property_photo_add(property=spare, upload=photo_upload())
    assert "Delete this property" in html_of(staff.get(f"{BASE}/properties/{spare.pk}/"))
    assert "Delete this property" not in html_of(staff.get(f"{BASE}/properties/{house.pk}/"))
    refused = staff.post(f"{BASE}/properties/{house.pk}/delete/", follow=True)
    assert "cannot be deleted" in flash(refused) and Property.objects.filter(pk=house.pk).exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(f"{BASE}/properties/{spare.pk}/delete/")
    assert response.url == f"{BASE}/properties/"
    assert not Property.objects.filter(pk=spare.pk).exists()
    assert not photo.image.storage.exists(photo.image.name)


def test_it_paginates_the_property_list(staff):
    Property.objects.bulk_create(Property(title=f"Home {n:02}", city="Haarlem") for n in range(30))
    first = staff.get(f"{BASE}/properties/")
    second = staff.get(f"{BASE}/properties/", {"page": 2})
    assert len(ids_in(first, "data-property")) == 25 and len(ids_in(second, "data-property")) == 5
    assert 'rel="next"' in html_of(first)


# --- photos -------------------------------------------------------------------------------------


def _files(prop) -> list[str]:
    return [photo.image.name for photo in prop.photos.all()]


def test_it_uploads_several_photos_at_once(staff, house, isolated_media):
    response = staff.post(
        f"{BASE}/properties/{house.pk}/photos/",
        {
            "photos": [
                photo_upload(name="a.jpg"),
                photo_upload(jpeg_with_gps(colour=(0, 90, 0)), name="b.jpg"),
            ]
        },
    )
    assert response.status_code == 302 and response.url.endswith("#photos")
    photos = list(house.photos.all())
    assert [p.position for p in photos] == [0, 1]
    assert all(p.image.storage.exists(p.image.name) for p in photos)
    assert "2 photos added" in flash(staff.get(f"{BASE}/properties/{house.pk}/"))


def test_it_keeps_none_of_an_upload_with_one_bad_file(staff, house, isolated_media):
    response = staff.post(
        f"{BASE}/properties/{house.pk}/photos/",
        {
            "photos": [
                photo_upload(name="good.jpg"),
                photo_upload(b"not an image at all", name="notes.jpg"),
            ]
        },
    )
    assert response.status_code == 400
    errors = " ".join(response.context["upload_form"].errors["photos"])
    assert errors.startswith("notes.jpg: ")
    assert not PropertyPhoto.objects.exists()
    stored = [p for p in isolated_media.rglob("*") if p.is_file()]
    assert stored == []
    empty = staff.post(f"{BASE}/properties/{house.pk}/photos/", {})
    assert empty.status_code == 400 and "This field is required" in html_of(empty)


def test_it_captions_reorders_and_deletes_photos(
    staff, house, isolated_media, django_capture_on_commit_callbacks
):
    first, second, third = (property_photo_add(property=house, upload=photo_upload()) for _ in range(3))
    url = f"{BASE}/properties/{house.pk}/photos"

    staff.post(f"{url}/{second.pk}/caption/", {"caption": "  The garden "})
    second.refresh_from_db()
    assert second.caption == "The garden"
    long = staff.post(f"{url}/{second.pk}/caption/", {"caption": "x" * 201}, follow=True)
    assert "at most 200 characters" in flash(long)

    staff.post(f"{url}/{third.pk}/move/", {"direction": "up"})
    assert [p.pk for p in house.photos.all()] == [first.pk, third.pk, second.pk]
    staff.post(f"{url}/{first.pk}/move/", {"direction": "up"})  # already first: nothing moves
    assert [p.pk for p in house.photos.all()] == [first.pk, third.pk, second.pk]
    staff.post(f"{url}/{first.pk}/move/", {"direction": "down"})
    assert [p.pk for p in house.photos.all()] == [third.pk, first.pk, second.pk]

    response = staff.post(f"{url}/order/", {"order": f"{second.pk},{first.pk},{third.pk}"}, follow=True)
    assert "New photo order saved" in flash(response)
    assert [p.pk for p in house.photos.all()] == [second.pk, first.pk, third.pk]
    assert [p.position for p in house.photos.all()] == [0, 1, 2]
    bad = staff.post(f"{url}/order/", {"order": f"{second.pk},{first.pk}"}, follow=True)
    assert "each photo of this property exactly once" in flash(bad)
    assert "Send the photos' new order" in flash(staff.post(f"{url}/order/", {"order": "x"}, follow=True))
    assert [p.pk for p in house.photos.all()] == [second.pk, first.pk, third.pk]

    name = first.image.name
    with django_capture_on_commit_callbacks(execute=True):
        staff.post(f"{url}/{first.pk}/delete/")
    assert [p.pk for p in house.photos.all()] == [second.pk, third.pk]
    assert [p.position for p in house.photos.all()] == [0, 1]
    assert not first.image.storage.exists(name)


def test_it_refuses_a_photo_of_another_property(staff, house, isolated_media):
    other = make_property("Other")
    photo = property_photo_add(property=other, upload=photo_upload())
    for action, data in (("caption", {"caption": "x"}), ("move", {"direction": "up"}), ("delete", {})):
        assert (
            staff.post(f"{BASE}/properties/{house.pk}/photos/{photo.pk}/{action}/", data).status_code == 404
        )
    assert PropertyPhoto.objects.filter(pk=photo.pk, caption="").exists()


# --- deals --------------------------------------------------------------------------------------


def test_it_opens_a_deal_from_the_contacts_page(staff, contact):
    card = html_of(staff.get(f"/office/contacts/{contact.pk}/"))
    assert 'data-module-panel="real_estate:deals"' in card
    assert f'href="{BASE}/deals/new/?contact={contact.pk}"' in card
    form = staff.get(f"{BASE}/deals/new/?contact={contact.pk}")
    assert contact.full_name in html_of(form)
    response = staff.post(
        f"{BASE}/deals/new/?contact={contact.pk}",
        {"contact": contact.pk, "title": " Family home ", "notes": "Budget 600k"},
    )
    deal = Deal.objects.get()
    assert response.url == f"{BASE}/deals/{deal.pk}/"
    assert deal.contact == contact and deal.title == "Family home" and deal.status == "open"
    entry = ActivityEntry.objects.get(verb="deal_created", contact=contact)
    assert entry.actor_label == "owner@alpha.example"
    card = html_of(staff.get(f"/office/contacts/{contact.pk}/"))
    assert "Family home" in card and f'data-deal="{deal.pk}"' in card


def test_it_shows_errors_on_the_deal_form(staff, contact):
    response = staff.post(f"{BASE}/deals/new/", {"contact": contact.pk, "title": ""})
    assert response.status_code == 200 and "This field is required" in html_of(response)
    response = staff.post(f"{BASE}/deals/new/", {"contact": "999999", "title": "X"})
    assert "Select a valid choice" in html_of(response)
    assert staff.get(f"{BASE}/deals/new/?contact=999999").status_code == 404
    assert not Deal.objects.exists()


def test_it_lists_deals_by_status_and_contact(staff, contact, deal, offer):
    other = deal_create(contact=make_client("Olga", "olga@example.com").contact, title="Flat in Leiden")
    won = deal_create(contact=contact, title="Old search")
    Deal.objects.filter(pk=won.pk).update(status="won")

    def found(**query):
        return ids_in(staff.get(f"{BASE}/deals/", query), "data-deal")

    assert found() == {deal.pk, other.pk, won.pk}
    assert found(status="won") == {won.pk}
    assert found(contact=contact.pk) == {deal.pk, won.pk}
    assert found(q="leiden") == {other.pk}
    assert found(q="olga") == {other.pk}
    listing = html_of(staff.get(f"{BASE}/deals/"))
    assert "1 new" in listing and 'data-group="to_rate"' in listing


def test_it_edits_a_deal_and_changes_its_status(staff, deal):
    staff.post(
        f"{BASE}/deals/{deal.pk}/edit/", {"title": "Renamed", "status": "open", "notes": "Call Monday"}
    )
    deal.refresh_from_db()
    assert deal.title == "Renamed" and deal.notes == "Call Monday"
    bad = staff.post(f"{BASE}/deals/{deal.pk}/edit/", {"title": "", "status": "open"})
    assert "This field is required" in html_of(bad)
    staff.post(f"{BASE}/deals/{deal.pk}/status/", {"status": "lost"})
    deal.refresh_from_db()
    assert deal.status == "lost" and deal.title == "Renamed"
    closed = staff.get(f"{BASE}/deals/{deal.pk}/offer/", follow=True)
    assert "This deal is closed" in flash(closed)


def test_it_offers_several_properties_at_once(staff, events, deal, contact, offer):
    canal, flat = make_property("Canal house"), make_property("Small flat")
    sold = make_property("Sold one", status="sold")
    page = staff.get(f"{BASE}/deals/{deal.pk}/offer/")
    assert ids_in(page, "data-property") == {canal.pk, flat.pk}  # not the one offered, not the sold one
    mail.outbox.clear()
    response = staff.post(f"{BASE}/deals/{deal.pk}/offer/", {"properties": [canal.pk, flat.pk]})
    assert response.status_code == 302 and response.url == f"{BASE}/deals/{deal.pk}/"
    offered = OfferedProperty.objects.filter(deal=deal)
    assert {o.property_id for o in offered} == {offer.property_id, canal.pk, flat.pk}
    assert all(o.seen_at is None for o in offered)
    assert {p["offer"]["property"]["title"] for p in events("real_estate.property_offered")} >= {
        "Canal house",
        "Small flat",
    }
    assert ActivityEntry.objects.filter(verb="property_offered", contact=contact).count() == 3
    assert "2 properties offered" in flash(staff.get(response.url))
    assert ids_in(staff.get(f"{BASE}/deals/{deal.pk}/offer/"), "data-property") == set()

    for chosen in ([sold.pk], [offer.property_id], []):
        refused = staff.post(f"{BASE}/deals/{deal.pk}/offer/", {"properties": chosen})
        assert refused.status_code == 400 and 'class="errorlist"' in html_of(refused)
    assert offered.count() == 3


def test_an_offer_refused_halfway_offers_nothing(staff, events, deal, contact, monkeypatch):
    canal, flat = make_property("Canal house"), make_property("Small flat")
    from modules.real_estate import services

    real_offer, calls = services.property_offer, []

    def offer_then_refuse(*, deal, property, actor=""):  # noqa: A002
        calls.append(property.title)
        if len(calls) == 2:  # someone offered the second one in another tab a moment ago
            real_offer(deal=deal_create(contact=contact, title="Other tab"), property=property)
        return real_offer(deal=deal, property=property, actor=actor)

    monkeypatch.setattr(services, "property_offer", offer_then_refuse)
    response = staff.post(f"{BASE}/deals/{deal.pk}/offer/", {"properties": [canal.pk, flat.pk]})
    assert response.status_code == 400 and len(calls) == 2
    assert f"{calls[1]}: This property has already been offered to this client." in html_of(response)
    assert not OfferedProperty.objects.exists() and events("real_estate.property_offered") == []
    assert not ActivityEntry.objects.filter(verb="property_offered").exists()


def test_the_deal_page_shows_where_the_client_stands_on_each_property(
    staff, account, deal, offer, isolated_media
):
    rejected = property_offer(deal=deal, property=make_property("Dark flat"))
    interest_set(
        offer=rejected, account=account, interest="rejected", reasons=["price", "size"], note="Too dark"
    )
    favourite_set(offer=offer, account=account, favourite=True)
    visited_viewing(offer, account)
    feedback_submit(
        offer=offer,
        account=account,
        notes="Lovely light",
        rating=4,
        photos=[photo_upload()],
        voice_notes=[audio_upload(wav_bytes(2), name="note.wav", content_type="audio/wav")],
    )
    fresh = property_offer(deal=deal, property=make_property("Brand new"))
    response = staff.get(f"{BASE}/deals/{deal.pk}/")
    page = html_of(response)
    assert ids_in(response, "data-offer") == {offer.pk, rejected.pk, fresh.pk}
    assert re.search(rf'id="offer-{rejected.pk}".*?data-client-group="rejected"', page, re.S)
    assert "Price, Size" in page and "Too dark" in page
    assert re.search(rf'id="offer-{offer.pk}".*?data-client-group="visited".*?data-favourite', page, re.S)
    assert re.search(rf'id="offer-{fresh.pk}".*?data-client-group="to_rate".*?data-new', page, re.S)
    assert "Lovely light" in page and "★★★★☆" in page
    feedback = offer.feedback.get()
    photo, note = feedback.photos.get(), feedback.voice_notes.get()
    photo_url, note_url = media_url("media-feedback-photo", photo.pk), media_url("media-voice-note", note.pk)
    if note_url:  # the portal serves the files (to the office's staff too)
        assert f'src="{photo_url}"' in page
        assert re.search(rf'<audio controls[^>]*src="{re.escape(note_url)}"', page)
    else:
        assert f'data-voice-note="{note.pk}"' in page and "Voice note (2 s)" in page
    assert "Approve for the client" in page
    only_rejected = staff.get(f"{BASE}/deals/{deal.pk}/", {"group": "rejected"})
    assert ids_in(only_rejected, "data-offer") == {rejected.pk}
    assert ids_in(staff.get(f"{BASE}/deals/{deal.pk}/", {"group": "new"}), "data-offer") == {fresh.pk}
    contact_page = html_of(staff.get(f"/office/contacts/{deal.contact_id}/"))
    assert "Lovely light" in contact_page and "Too dark" in contact_page and "<audio controls" in contact_page


def test_media_links_are_left_out_while_the_portal_serves_no_files():
    assert media_url("media-no-such-file", 1) == ""
    assert media_url("media-property-photo", None) == ""


def test_it_approves_a_property_after_a_visit(office, staff, events, account, deal, offer):
    early = staff.post(f"{BASE}/offers/{offer.pk}/approve/", follow=True)
    assert "only after a viewing has taken place" in flash(early)
    offer.refresh_from_db()
    assert offer.approved_at is None
    visited_viewing(offer, account)
    back = f"/office/contacts/{deal.contact_id}/"
    response = staff.post(f"{BASE}/offers/{offer.pk}/approve/", {"next": back})
    assert response.url == back
    offer.refresh_from_db()
    assert offer.approved_at is not None and offer.approved_by_id == office.owner_id
    assert offer.client_group == "approved"
    [payload] = events("real_estate.property_approved")
    assert payload["approved_by"] == "owner@alpha.example"
    assert ActivityEntry.objects.filter(verb="property_approved").count() == 1
    outside = staff.post(f"{BASE}/offers/{offer.pk}/approve/", {"next": "https://evil.example/"})
    assert outside.url.startswith(f"{BASE}/deals/{deal.pk}/")


# --- viewings -----------------------------------------------------------------------------------


@pytest.fixture
def requested(account, offer):
    return viewing_request(offer=offer, account=account, slots=[future(2), future(3)], note="After five")


def test_the_agenda_shows_requests_proposals_past_and_upcoming_viewings(staff, account, deal, requested):
    confirmed_offer = property_offer(deal=deal, property=make_property("Upcoming house"))
    slot = future(4)
    upcoming = viewing_confirm(
        viewing=viewing_request(offer=confirmed_offer, account=account, slots=[slot]), start=slot
    )
    past_offer = property_offer(deal=deal, property=make_property("Past house"))
    past_slot = future(1)
    past = viewing_confirm(
        viewing=viewing_request(offer=past_offer, account=account, slots=[past_slot]), start=past_slot
    )
    Viewing.objects.filter(pk=past.pk).update(start=timezone.now() - timedelta(hours=3))
    response = staff.get(f"{BASE}/viewings/")
    page = html_of(response)
    assert ids_in(response, "data-viewing") == {requested.pk, upcoming.pk, past.pk}
    for slot in requested.slots.all():
        assert f'data-slot="{slot.pk}"' in page
    assert "After five" in page and 'data-count="agenda">1<' in page
    with translation.override("en"):
        day = format_long_date(timezone.localtime(upcoming.start))
    assert f'data-day="{day}"' in page
    assert "Did these take place?" in page and "Mark visited" in page


def test_it_confirms_one_of_the_clients_times(staff, events, account, requested):
    slot = requested.slots.all()[1]
    mail.outbox.clear()
    response = staff.post(f"{BASE}/viewings/{requested.pk}/confirm/", {"slot": slot.pk})
    assert response.status_code == 302 and response.url == f"{BASE}/viewings/"
    requested.refresh_from_db()
    assert requested.status == "confirmed" and requested.start == slot.start
    [email] = mail.outbox
    assert email.to == ["chris@example.com"] and "confirmed" in email.subject
    assert events("real_estate.viewing_confirmed")[0]["confirmed_by"] == "office"
    assert ActivityEntry.objects.filter(verb="viewing_confirmed", actor_label="owner@alpha.example").exists()
    again = staff.post(f"{BASE}/viewings/{requested.pk}/confirm/", {"slot": slot.pk})
    assert again.status_code == 400 and "Only a requested viewing can be confirmed" in html_of(again)
    assert "Only a requested viewing can be confirmed" in flash(again)
    assert len(mail.outbox) == 1


def test_it_refuses_a_time_that_is_not_one_of_the_viewings(staff, account, deal, requested):
    other = viewing_request(
        offer=property_offer(deal=deal, property=make_property("Other")), account=account, slots=[future(5)]
    )
    response = staff.post(f"{BASE}/viewings/{requested.pk}/confirm/", {"slot": other.slots.get().pk})
    assert response.status_code == 400 and "Choose one of the times" in html_of(response)
    requested.refresh_from_db()
    assert requested.status == "requested"


def test_it_proposes_another_time(staff, events, requested):
    when = future(6).replace(minute=30, second=0)
    mail.outbox.clear()
    response = staff.post(
        f"{BASE}/viewings/{requested.pk}/propose/",
        {"start": timezone.localtime(when).strftime("%Y-%m-%dT%H:%M")},
    )
    assert response.status_code == 302
    requested.refresh_from_db()
    assert requested.status == "proposed" and requested.proposed_start == when
    [email] = mail.outbox
    assert email.to == ["chris@example.com"]
    assert events("real_estate.viewing_proposed")
    assert ActivityEntry.objects.filter(verb="viewing_proposed", actor_label="owner@alpha.example").exists()
    assert f'data-viewing="{requested.pk}"' in html_of(staff.get(f"{BASE}/viewings/"))


@pytest.mark.parametrize(
    ("start", "message"),
    [
        ("", "This field is required"),
        ("tomorrow at noon", "Enter a valid date/time"),
        ("2001-01-01T10:00", "Choose a date and time in the future"),
        ((timezone.now() + timedelta(days=500)).strftime("%Y-%m-%dT%H:%M"), "within the next year"),
    ],
)
def test_it_shows_why_a_proposed_time_is_refused(staff, requested, start, message):
    mail.outbox.clear()
    response = staff.post(f"{BASE}/viewings/{requested.pk}/propose/", {"start": start})
    assert response.status_code == 400
    assert message in " ".join(response.context["time_form"].errors["start"])
    requested.refresh_from_db()
    assert requested.status == "requested" and mail.outbox == []


def test_it_reschedules_and_cancels_a_confirmed_viewing(staff, events, requested):
    staff.post(f"{BASE}/viewings/{requested.pk}/confirm/", {"slot": requested.slots.first().pk})
    later = future(8).replace(second=0)
    mail.outbox.clear()
    staff.post(f"{BASE}/viewings/{requested.pk}/reschedule/", {"start": later.strftime("%Y-%m-%dT%H:%M")})
    requested.refresh_from_db()
    assert requested.status == "confirmed" and requested.start == later
    [moved] = mail.outbox
    assert "moved" in moved.subject.lower() or "moved" in moved.body.lower()
    response = staff.post(f"{BASE}/viewings/{requested.pk}/cancel/", {"reason": "The owner is away"})
    assert response.status_code == 302
    requested.refresh_from_db()
    assert requested.status == "cancelled" and requested.cancelled_by == "office"
    assert requested.cancel_reason == "The owner is away"
    assert "The owner is away" in mail.outbox[-1].body
    assert events("real_estate.viewing_cancelled")[0]["cancelled_by"] == "office"
    assert {"viewing_rescheduled", "viewing_cancelled"} <= set(
        ActivityEntry.objects.values_list("verb", flat=True)
    )
    again = staff.post(f"{BASE}/viewings/{requested.pk}/cancel/", {"reason": ""})
    assert again.status_code == 400 and "can no longer be cancelled" in html_of(again)


def test_it_marks_a_past_viewing_visited(staff, requested):
    staff.post(f"{BASE}/viewings/{requested.pk}/confirm/", {"slot": requested.slots.first().pk})
    early = staff.post(f"{BASE}/viewings/{requested.pk}/visited/", follow=True)
    assert "has not taken place yet" in flash(early)
    Viewing.objects.filter(pk=requested.pk).update(start=timezone.now() - timedelta(hours=1))
    response = staff.post(f"{BASE}/viewings/{requested.pk}/visited/", follow=True)
    assert "can now give feedback" in flash(response)
    requested.refresh_from_db()
    assert requested.status == "visited" and requested.offered.visited_at is not None
    assert ActivityEntry.objects.filter(verb="viewing_visited").exists()


# --- messages -----------------------------------------------------------------------------------


def test_it_shows_reads_and_answers_client_messages(staff, account, offer):
    message = agent_contact(account=account, body="Can I bring my dog?", offer=offer)
    agent_contact(account=account, body="And a second question")
    inbox = staff.get(f"{BASE}/messages/")
    assert 'data-unread="2"' in html_of(inbox) and ids_in(inbox, "data-message") == {
        message.pk,
        message.pk + 1,
    }
    page = staff.get(f"{BASE}/messages/{message.pk}/")
    assert "Can I bring my dog?" in html_of(page)
    message.refresh_from_db()
    assert message.read_at is not None
    assert ids_in(staff.get(f"{BASE}/messages/", {"show": "unread"}), "data-message") == {message.pk + 1}

    empty = staff.post(f"{BASE}/messages/{message.pk}/", {"body": "  "})
    assert empty.status_code == 400 and "This field is required" in html_of(empty)
    mail.outbox.clear()
    response = staff.post(f"{BASE}/messages/{message.pk}/", {"body": "Yes, dogs are welcome."})
    assert response.status_code == 302
    message.refresh_from_db()
    assert message.reply_body == "Yes, dogs are welcome." and message.replied_by == "owner@alpha.example"
    [email] = mail.outbox
    assert email.to == ["chris@example.com"] and "Yes, dogs are welcome." in email.body
    shown = html_of(staff.get(f"{BASE}/messages/{message.pk}/"))
    assert "data-reply" in shown and "Yes, dogs are welcome." in shown and "Send reply" not in shown
    twice = staff.post(f"{BASE}/messages/{message.pk}/", {"body": "Again"})
    assert twice.status_code == 400 and "already been answered" in html_of(twice)
    assert len(mail.outbox) == 1
    assert ActivityEntry.objects.filter(verb="agent_replied").count() == 1
    assert AgentMessage.objects.filter(read_at__isnull=True).count() == 1
