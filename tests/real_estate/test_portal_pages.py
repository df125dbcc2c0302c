"""The client's pages: overview, new, all properties by group, a property, viewings, contact; in
the client's language, with what the client did shown at once."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from modules.real_estate.models import OfferedProperty
from modules.real_estate.services import (
    agent_contact,
    feedback_submit,
    interest_set,
    property_approve,
    property_offer,
    property_photo_add,
    viewing_confirm,
    viewing_request,
)

from .conftest import (
    audio_upload,
    future,
    make_client,
    make_property,
    photo_upload,
    visited_viewing,
    webm_bytes,
)
from .portal_support import signed_in

TITLES = {
    "to_rate": "Canal house",
    "interested": "Garden villa",
    "rejected": "Noisy flat",
    "visited": "Visited cottage",
    "approved": "Approved loft",
    "proposed": "Barn with a view",
}


@pytest.fixture
def portfolio(office, account, deal):
    """An offer in every group, with an upcoming, a recent and two unconfirmed viewings."""
    offers = {}
    for key, title in TITLES.items():
        extra = {}
        if key == "to_rate":
            extra = {
                "latitude": Decimal("52.381000"),
                "longitude": Decimal("4.636000"),
                "energy_label": "A++",
                "features": ["Garden", "Roof terrace"],
                "description": "Light and quiet.\nNear the station.",
                "rooms": 5,
                "bedrooms": 3,
                "living_area": 140,
                "plot_area": 220,
            }
        offers[key] = property_offer(deal=deal, property=make_property(title, **extra))
    property_photo_add(property=offers["to_rate"].property, upload=photo_upload(), caption="Front")
    property_photo_add(property=offers["to_rate"].property, upload=photo_upload(), caption="Garden")
    interest_set(offer=offers["interested"], account=account, interest="interested")
    slot = future(3)
    viewing_confirm(
        viewing=viewing_request(offer=offers["interested"], account=account, slots=[slot]), start=slot
    )
    interest_set(offer=offers["rejected"], account=account, interest="rejected", reasons=["price", "size"])
    visited_viewing(offers["visited"], account)
    feedback_submit(
        offer=offers["visited"],
        account=account,
        notes="Lovely kitchen",
        rating=4,
        photos=[photo_upload()],
        voice_notes=[audio_upload(webm_bytes(2))],
    )
    visited_viewing(offers["approved"], account)
    property_approve(offer=offers["approved"], actor="owner@alpha")
    viewing = viewing_request(offer=offers["proposed"], account=account, slots=[future(4), future(5)])
    viewing_confirm(viewing=viewing, start=future(6, hours=2))  # not one of theirs: a proposal
    for offer in offers.values():
        offer.refresh_from_db()
    return offers


def _page(browser, url) -> str:
    response = browser.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def test_it_shows_the_overview_with_statistics_and_the_newest_offers(office, account, portfolio):
    page = _page(signed_in(office, account), reverse("real_estate:home"))
    for title in TITLES.values():
        assert title in page
    assert (
        "Your agent proposes a time" in page
        and reverse("real_estate:viewing-accept", args=[portfolio["proposed"].viewings.get().pk]) in page
    )
    assert reverse("real_estate:properties") + "?group=to_rate" in page
    assert "Upcoming viewings" in page and "Garden villa" in page


def test_the_new_page_lists_only_what_the_client_has_not_opened(office, account, portfolio):
    browser = signed_in(office, account)
    page = _page(browser, reverse("real_estate:new"))
    assert "Canal house" in page and "Noisy flat" not in page  # rating it opened it
    _page(browser, reverse("real_estate:property", args=[portfolio["to_rate"].pk]))
    assert "Canal house" not in _page(browser, reverse("real_estate:new"))
    assert "Nothing new right now" in _page(browser, reverse("real_estate:new"))


@pytest.mark.parametrize("group", ["to_rate", "interested", "rejected", "visited", "approved"])
def test_each_group_lists_its_own_properties_with_counts_on_the_tabs(office, account, portfolio, group):
    page = _page(signed_in(office, account), reverse("real_estate:properties") + f"?group={group}")
    shown = {key for key, title in TITLES.items() if f">{title}</a>" in page}
    expected = {group} | ({"proposed"} if group == "to_rate" else set())
    assert shown == expected
    assert 'aria-current="page">' in page
    assert '<span class="re-count">6</span>' in page  # All


def test_all_properties_and_the_favourites_filter(office, account, portfolio):
    browser = signed_in(office, account)
    page = _page(browser, reverse("real_estate:properties"))
    assert all(f">{title}</a>" in page for title in TITLES.values())
    assert "6 properties" in page
    browser.post(reverse("real_estate:favourite", args=[portfolio["visited"].pk]), {"favourite": "1"})
    page = _page(browser, reverse("real_estate:properties") + "?favourites=1")
    assert ">Visited cottage</a>" in page and ">Canal house</a>" not in page
    assert 'aria-pressed="true"' in page
    assert "No properties here." in _page(
        browser, reverse("real_estate:properties") + "?favourites=1&group=rejected"
    )


def test_an_unknown_group_shows_everything(office, account, portfolio):
    page = _page(signed_in(office, account), reverse("real_estate:properties") + "?group=<script>")
    assert "6 properties" in page and "<script>" not in page


def test_the_property_page_shows_everything_and_marks_it_seen(office, account, portfolio):
    offer = portfolio["to_rate"]
    assert offer.seen_at is None
    page = _page(signed_in(office, account), reverse("real_estate:property", args=[offer.pk]))
    photos = list(offer.property.photos.all())
    for photo in photos:
        assert reverse("real_estate:media-property-photo", args=[photo.pk]) in page
    assert "1 / 2" in page and "Front" in page
    assert "€500,000" in page
    assert 'class="re-energy" data-label="A++"' in page
    assert "Roof terrace" in page and "Near the station." in page and "220 m²" in page
    assert "https://www.openstreetmap.org/export/embed.html?bbox=4.628000%2C52.377000" in page
    assert "marker=52.381000%2C4.636000" in page
    assert 'name="reasons" value="price"' in page and 'type="datetime-local"' in page
    offer.refresh_from_db()
    assert offer.seen_at is not None


def test_the_property_page_shows_the_clients_status_viewings_and_feedback(office, account, portfolio):
    browser = signed_in(office, account)
    visited = portfolio["visited"]
    page = _page(browser, reverse("real_estate:property", args=[visited.pk]))
    feedback = visited.feedback.get()
    assert "Lovely kitchen" in page and "4 stars out of 5" in page
    assert reverse("real_estate:media-feedback-photo", args=[feedback.photos.get().pk]) in page
    assert reverse("real_estate:media-voice-note", args=[feedback.voice_notes.get().pk]) in page
    assert 'name="rating" value="5"' in page  # more feedback can follow
    rejected = _page(browser, reverse("real_estate:property", args=[portfolio["rejected"].pk]))
    assert "You are not interested in this property." in rejected
    assert '<li class="badge">Price</li>' in rejected and '<li class="badge">Size</li>' in rejected
    interested = _page(browser, reverse("real_estate:property", args=[portfolio["interested"].pk]))
    assert "You are interested in this property." in interested and "Confirmed" in interested
    approved = _page(browser, reverse("real_estate:property", args=[portfolio["approved"].pk]))
    assert "Your agent approved this property for you." in approved
    proposed = _page(browser, reverse("real_estate:property", args=[portfolio["proposed"].pk]))
    assert "New time proposed" in proposed and "Accept this time" in proposed


@pytest.mark.parametrize(
    ("tab", "shown", "hidden"),
    [
        ("upcoming", "Garden villa", "Barn with a view"),
        ("recent", "Visited cottage", "Garden villa"),
        ("unconfirmed", "Barn with a view", "Visited cottage"),
    ],
)
def test_the_viewings_tabs(office, account, portfolio, tab, shown, hidden):
    page = _page(signed_in(office, account), reverse("real_estate:viewings") + f"?tab={tab}")
    assert f">{shown}</a>" in page and f">{hidden}</a>" not in page
    assert '<span class="re-count">1</span>' in page and '<span class="re-count">2</span>' in page


def test_the_contact_page_lists_the_clients_messages_and_replies(office, account, portfolio):
    from modules.real_estate.services import agent_reply

    message = agent_contact(account=account, body="Is the garden south-facing?", offer=portfolio["to_rate"])
    agent_reply(message=message, body="Yes, it is.", actor="owner@alpha")
    agent_contact(
        account=make_client("Olga", "olga@example.com"),
        body="Someone else's question",
    )
    page = _page(signed_in(office, account), reverse("real_estate:contact"))
    assert "Is the garden south-facing?" in page and "Yes, it is." in page and "About Canal house" in page
    assert "Someone else" not in page


def test_a_client_without_offers_sees_friendly_empty_pages(office, account):
    browser = signed_in(office, account)
    assert "has not offered you any properties yet" in _page(browser, reverse("real_estate:home"))
    assert "has not offered you any properties yet" in _page(browser, reverse("real_estate:properties"))
    assert "No viewings planned" in _page(browser, reverse("real_estate:viewings"))


def test_the_pages_are_in_the_clients_language(office, portfolio, account):
    from portal_core.models import Contact

    Contact.objects.filter(pk=account.contact_id).update(language="nl")
    browser = signed_in(office, account)
    home = _page(browser, reverse("real_estate:home"))
    assert '<html lang="nl"' in home
    assert "Nieuwste aanbod" in home and "Bezichtigingen" in home
    detail = _page(browser, reverse("real_estate:property", args=[portfolio["to_rate"].pk]))
    assert "Wat vind je ervan?" in detail and "€\xa0500.000" in detail  # babel's non-breaking space
    proposed = portfolio["proposed"].viewings.get().proposed_start
    viewings = _page(browser, reverse("real_estate:viewings") + "?tab=unconfirmed")
    local = timezone.localtime(proposed)
    month = ["jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"][
        local.month - 1
    ]
    assert f"{local.day} {month} {local.year}, {local:%H:%M}" in viewings  # 2 dec 2026, 14:30


def test_the_offers_are_only_those_of_the_client(office, account, portfolio):
    other = make_client("Olga", "olga@example.com")
    page = _page(signed_in(office, other), reverse("real_estate:properties"))
    assert not any(title in page for title in TITLES.values())
    assert OfferedProperty.objects.count() == len(TITLES)
