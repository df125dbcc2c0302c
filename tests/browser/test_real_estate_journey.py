"""The real-estate module in a real Chromium, on a desktop and on a phone: the client's journey from a
newly offered property to feedback the office reads, a rejection with reasons, and the module
switched off and on again by the office.

Only the scene is set with services (the office, its owner, a client who joined the portal, the
module on; for the shorter stories also the properties already offered). Everything else is done
in the pages, by the office in one window and by the client in another. Time is the one thing a
browser cannot move: a direct update of a viewing's start stands in for the clock.
"""

from __future__ import annotations

import io
import math
import re
import struct
import wave
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
import pytest
from django.contrib.auth.hashers import make_password
from django.core import mail
from django.db import connection
from django.utils import formats, timezone, translation
from django_tenants.utils import tenant_context
from PIL import Image, ImageDraw
from playwright.sync_api import Locator, Page, expect

from portal_core.access import portal_account_for
from portal_core.formatting import format_datetime, format_short_datetime
from portal_core.models import Contact, PortalAccount, PortalConfig
from portal_core.services import module_enable

from ..conftest import OWNER_PASSWORD
from .conftest import PHONE

pytestmark = pytest.mark.browser

VIEWPORTS = ["desktop", "phone"]
CLIENT_EMAIL = "maria@example.com"
CLIENT_PASSWORD = "Client-pass-2026!"
OSM = re.compile(r"^https://www\.openstreetmap\.org/")


@pytest.fixture(autouse=True)
def isolated_media(settings, tmp_path):
    """Uploads under a temporary MEDIA_ROOT (the tenant storage caches its root: forget it)."""
    from django.core.files.storage import storages

    storages["default"].__dict__.pop("relative_media_root", None)
    settings.MEDIA_ROOT = str(tmp_path / "media")
    yield
    storages["default"].__dict__.pop("relative_media_root", None)


# --- the scene: what an office already has before anyone opens a browser -------------------------


@dataclass
class Scene:
    office: object  # tests.conftest.Office
    contact_id: int
    site: object  # tests.browser.conftest.Site

    @property
    def base(self) -> str:
        return self.site.office(self.office.slug)

    def url(self, path: str) -> str:
        return f"{self.base}{path}"


def in_office(office, func):
    with tenant_context(office.tenant):
        result = func()
    connection.set_schema_to_public()
    return result


@pytest.fixture
def scene(make_office, site) -> Scene:
    """An office with its portal and the real-estate module on, and Maria, a client who has joined."""
    office = make_office("harbour", "Harbour Homes")

    def set_up() -> int:
        config = PortalConfig.objects.get()
        config.is_active = True
        config.save()  # through save(): the cached configuration is dropped
        module_enable(key="real_estate")
        maria = Contact.objects.create(first_name="Maria", last_name="Jansen", email=CLIENT_EMAIL)
        account = portal_account_for(contact=maria)
        account.password = make_password(CLIENT_PASSWORD)
        account.status = PortalAccount.Status.JOINED
        account.invited_at = account.joined_at = timezone.now()
        account.onboarding_completed = account.tour_completed = True
        account.save()
        return maria.pk

    return Scene(office=office, contact_id=in_office(office, set_up), site=site)


def offered(scene: Scene, *titles: str) -> None:
    """The office has already offered Maria these properties through one deal."""
    from modules.real_estate.services import deal_create, property_create, property_offer

    def offer() -> None:
        maria = Contact.objects.get(pk=scene.contact_id)
        deal = deal_create(contact=maria, title="Maria's next home", actor=scene.office.owner_email)
        for number, title in enumerate(titles):
            prop = property_create(
                title=title,
                street=f"Dorpsstraat {number + 1}",
                city="Haarlem",
                country="Netherlands",
                price=400_000 + number * 50_000,
                rooms=4,
                energy_label="B",
            )
            property_offer(deal=deal, property=prop, actor=scene.office.owner_email)

    in_office(scene.office, offer)


def interest_of(title: str) -> tuple[str, list[str], str]:
    from modules.real_estate.models import OfferedProperty

    offer = OfferedProperty.objects.get(property__title=title)
    return offer.interest, offer.rejection_reasons, offer.rejection_note


# --- files a person has on their device -----------------------------------------------------------


def jpeg(size=(1200, 800), colour=(40, 110, 160)) -> bytes:
    image = Image.new("RGB", size, colour)
    draw = ImageDraw.Draw(image)
    draw.rectangle((size[0] // 4, size[1] // 3, size[0] * 3 // 4, size[1] - 40), fill=(230, 220, 200))
    draw.polygon(
        [(size[0] // 5, size[1] // 3), (size[0] // 2, 40), (size[0] * 4 // 5, size[1] // 3)],
        fill=(150, 40, 30),
    )
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=80)
    return out.getvalue()


def wav(seconds: float = 1.5, rate: int = 8000) -> bytes:
    """A short 440 Hz tone: a voice note as a phone's recorder app saves it."""
    frames = b"".join(
        struct.pack("<h", int(8000 * math.sin(2 * math.pi * 440 * n / rate)))
        for n in range(int(seconds * rate))
    )
    out = io.BytesIO()
    with wave.open(out, "wb") as file:
        file.setnchannels(1)
        file.setsampwidth(2)
        file.setframerate(rate)
        file.writeframes(frames)
    return out.getvalue()


# --- what people do -------------------------------------------------------------------------------


def window(open_window, viewport: str) -> Page:
    """A window of the test's size with its own cookies."""
    page = open_window(phone=viewport == "phone")
    # The property page embeds an OpenStreetMap iframe: answer it locally, the tests use no network.
    page.context.route(
        OSM, lambda route: route.fulfill(status=200, content_type="text/html", body="<p>map</p>")
    )
    return page


def staff_sign_in(page: Page, scene: Scene) -> None:
    page.goto(scene.url("/office/login/?next=/office/"))
    page.get_by_label("Email").fill(scene.office.owner_email)
    page.get_by_label("Password").fill(OWNER_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url(scene.url("/office/"))


def client_sign_in(page: Page, scene: Scene) -> None:
    page.goto(scene.url("/auth/signin"))
    page.get_by_label("Email").fill(CLIENT_EMAIL)
    page.get_by_label("Password").fill(CLIENT_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url(scene.url("/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Maria")


def menu(page: Page, nav_id: str) -> Locator:
    """The top navigation (``office-nav`` or ``portal-nav``); on a phone, its menu is opened first."""
    nav = page.locator(f"#{nav_id}")
    if page.viewport_size["width"] <= PHONE["viewport"]["width"]:
        # The toggle works once the deferred script runs: a page can show before it has.
        page.wait_for_load_state("domcontentloaded")
        toggle = page.locator(f'[data-nav-toggle][aria-controls="{nav_id}"]')
        if toggle.get_attribute("aria-expanded") != "true":
            toggle.click()
        expect(nav).to_be_visible()
    return nav


def go(page: Page, nav_id: str, name: str) -> None:
    """Follow a navigation entry (the office's may add how many things wait there: "Viewings 1 waiting")."""
    menu(page, nav_id).get_by_role("link", name=re.compile(rf"^{re.escape(name)}( \d+ waiting)?$")).click()


def expect_status(page: Page, text: str) -> None:
    expect(page.get_by_role("status").filter(has_text=text)).to_be_visible()


def expect_image_shown(image: Locator) -> None:
    """The image is there and really loads (the media URL answers the person looking at it)."""
    expect(image).to_be_visible()
    image.scroll_into_view_if_needed()
    width = image.evaluate(
        """async (img) => {
            const late = new Promise((_, fail) => setTimeout(() => fail(new Error("still loading")), 10000));
            await Promise.race([img.decode(), late]);
            return img.naturalWidth;
        }"""
    )
    assert width > 0, f"{image} did not load"


def expect_voice_note(page: Page, player: Locator) -> None:
    """An <audio> player whose recording this window may fetch."""
    expect(player).to_have_count(1)
    expect(player).to_have_attribute("controls", "")
    status, content_type = player.evaluate(
        """async (audio) => {
            const response = await fetch(audio.src);
            return [response.status, response.headers.get("Content-Type")];
        }"""
    )
    assert status == 200, f"the voice note answered {status}"
    assert content_type.startswith("audio/"), content_type


def assert_no_horizontal_scroll(page: Page) -> None:
    scroll, client = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert scroll <= client + 1, f"{page.url} scrolls sideways: scrollWidth {scroll} > clientWidth {client}"


def assert_unique_ids(page: Page) -> None:
    """Each id once on the page: a label points at the field it names, and only at that one."""
    repeated = page.evaluate(
        """() => {
            const seen = {};
            for (const { id } of document.querySelectorAll("[id]")) seen[id] = (seen[id] || 0) + 1;
            return Object.keys(seen).filter((id) => seen[id] > 1);
        }"""
    )
    assert not repeated, f"{page.url} repeats the ids {repeated}"


def api_get(scene: Scene, path: str, key: str) -> tuple[int, str]:
    """What an integrator's server gets from the API with the office's key (like curl does)."""
    response = httpx.get(
        f"http://127.0.0.1:{scene.site.port}{path}",
        headers={"Host": f"{scene.office.host}:{scene.site.port}", "Authorization": f"Bearer {key}"},
        timeout=10,
    )
    return response.status_code, response.text


def offer_item(within: Page | Locator, title: str) -> Locator:
    """An offered property on the office's deal page or in the contact's card."""
    page = within if isinstance(within, Page) else within.page
    return within.locator("li.re-offer").filter(has=page.get_by_role("link", name=title, exact=True))


def wall_clock(day_offset: int, hour: int, minute: int) -> datetime:
    """A naive date-time some days ahead, as a person types it; whatever the office's time zone,
    it is in the future and is shown back exactly as typed."""
    day = (timezone.now() + timedelta(days=day_offset)).date()
    return datetime(day.year, day.month, day.day, hour, minute)


def shown(value: datetime, pattern: str) -> str:
    with translation.override("en"):
        return formats.date_format(value, pattern)


def client_time(value: datetime) -> str:
    """How the client's pages and emails write a viewing's time (in English): ``Tue, 8 Dec 2026, 07:00``."""
    with translation.override("en"):
        return format_datetime(value, weekday=True)


def button_time(value: datetime) -> str:
    """A time on the office's confirm buttons: ``Tue 8 Dec, 07:00``."""
    with translation.override("en"):
        return format_short_datetime(value)


def emails_to(address: str) -> list:
    return [m for m in mail.outbox if address in m.to]


# --- 1. the client's journey ---------------------------------------------------------------------

TITLE = "Canal house with a roof terrace"


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_a_property_goes_from_offer_to_viewing_to_feedback_the_office_reads(
    viewport, scene, open_window, artifacts
):
    office = window(open_window, viewport)
    client = window(open_window, viewport)
    first, second = wall_clock(3, 10, 30), wall_clock(4, 14, 15)

    # The office adds a property with its details and a photo.
    staff_sign_in(office, scene)
    go(office, "office-nav", "Properties")
    office.get_by_role("link", name="New property").click()
    office.get_by_label("Title").fill(TITLE)
    office.get_by_label("Type").select_option(label="House")
    office.get_by_label("Description").fill(
        "A bright canal house with a roof terrace and a view over the water."
    )
    office.get_by_label("Street and number").fill("Herengracht 12")
    office.get_by_label("Postal code").fill("1015 BZ")
    office.get_by_label("City").fill("Amsterdam")
    office.get_by_label("Country").fill("Netherlands")
    office.get_by_label("Latitude").fill("52.374500")
    office.get_by_label("Longitude").fill("4.889700")
    office.get_by_label("Asking price").fill("675000")
    office.get_by_label("Rooms", exact=True).fill("5")
    office.get_by_label("Bedrooms").fill("3")
    office.get_by_label("Living area (m²)").fill("140")
    office.get_by_label("Features").fill("Roof terrace\nCanal view\nNew kitchen")
    office.get_by_label("Energy label").select_option("A+")
    office.get_by_role("button", name="Add property").click()
    expect_status(office, f"{TITLE} is added. Now add its photos.")
    expect(office.get_by_role("heading", level=1)).to_have_text(TITLE)
    office.get_by_label("Add photos").set_input_files(
        files=[{"name": "front.jpg", "mimeType": "image/jpeg", "buffer": jpeg()}]
    )
    office.get_by_role("button", name="Upload").click()
    expect_status(office, "1 photo added.")
    expect_image_shown(office.locator("[data-photo-gallery] img"))

    # It offers the property to Maria through a new deal, from her contact page.
    go(office, "office-nav", "Contacts")
    office.get_by_role("link", name="Maria Jansen").click()
    expect(office.get_by_role("heading", level=1)).to_have_text("Maria Jansen")
    card = office.locator('[data-module-panel^="real_estate"]')
    card.get_by_role("link", name="New deal").click()
    office.get_by_label("Title").fill("Home in Amsterdam")
    office.get_by_role("button", name="Open deal").click()
    expect_status(office, "Deal “Home in Amsterdam” opened for Maria Jansen.")
    office.get_by_role("link", name="Offer properties").first.click()
    office.get_by_label(TITLE).check()
    office.get_by_role("button", name="Offer the chosen properties").click()
    expect_status(office, "1 property offered to Maria Jansen: in their portal now, marked new.")
    deal_url = office.url
    expect(offer_item(office, TITLE)).to_be_visible()

    # Maria signs in and finds it under New properties.
    client_sign_in(client, scene)
    go(client, "portal-nav", "Properties")
    client.locator(".re-subnav").get_by_role("link", name="New", exact=True).click()
    expect(client.get_by_role("heading", level=1)).to_have_text("New properties")
    card = client.locator(".re-card").filter(has_text=TITLE)
    expect(card.locator(".re-new")).to_have_text("New")
    expect_image_shown(card.locator(".re-card__photo img"))
    card.get_by_role("link", name=TITLE).click()

    # The property's page: gallery, key facts with the energy label, features, the map.
    expect(client.get_by_role("heading", level=1)).to_have_text(TITLE)
    property_url = client.url
    expect_image_shown(client.locator(".re-gallery img").first)
    expect(client.locator(".re-gallery figure")).to_have_count(1)
    expect(client.locator(".re-facts .re-energy")).to_have_text("A+")
    expect(client.locator(".re-features li")).to_have_text(["Roof terrace", "Canal view", "New kitchen"])
    map_frame = client.locator(f'iframe[title="Map: where {TITLE} is"]')
    expect(map_frame).to_have_count(1)
    expect(map_frame).to_have_attribute(
        "src", re.compile(r"^https://www\.openstreetmap\.org/export/embed\.html\?")
    )
    if viewport == "phone":
        assert_no_horizontal_scroll(client)
    assert_unique_ids(client)
    client.screenshot(path=artifacts / f"re-property-{viewport}.png", full_page=True)

    # Interested, then a viewing at one of two times.
    client.get_by_role("button", name="Interested", exact=True).click()
    expect_status(client, "Marked as interested. Your agent can see it now.")
    expect(client.get_by_text("You are interested in this property.")).to_be_visible()
    client.get_by_label("First choice").fill(first.strftime("%Y-%m-%dT%H:%M"))
    client.get_by_label("Second choice (optional)").fill(second.strftime("%Y-%m-%dT%H:%M"))
    client.get_by_label("A note for your agent (optional)").fill("Mornings suit me best.")
    client.get_by_role("button", name="Ask for a viewing").click()
    expect_status(client, "Your viewing request is sent. Your agent will confirm one of your times.")
    viewing = client.locator("#viewing")
    expect(viewing.get_by_text("Waiting for confirmation")).to_be_visible()
    times = viewing.locator(".re-times time")
    expect(times).to_have_text([client_time(first), client_time(second)])
    expect(times.first).to_have_attribute("datetime", re.compile(f"^{first:%Y-%m-%dT%H:%M}"))
    expect(times.last).to_have_attribute("datetime", re.compile(f"^{second:%Y-%m-%dT%H:%M}"))

    # The office sees the request in its agenda and confirms the second time.
    office.goto(scene.url("/office/"))
    go(office, "office-nav", "Viewings")
    request = office.locator("#awaiting li.re-viewing").filter(has_text=TITLE)
    expect(request).to_contain_text("Maria Jansen")
    expect(request).to_contain_text("Client's note: “Mornings suit me best.”")
    buttons = request.get_by_role("button", name=re.compile("^Confirm "))
    expect(buttons).to_have_text([f"Confirm {button_time(first)}", f"Confirm {button_time(second)}"])
    buttons.last.click()
    expect_status(office, f"Viewing confirmed for {client_time(second)}. The client gets an email.")
    expect(office.locator("#awaiting")).to_contain_text("No requests to answer.")
    upcoming = office.locator("#upcoming li.re-viewing").filter(has_text=TITLE)
    expect(upcoming.locator("time")).to_have_text(shown(second, "H:i"))

    # Maria was emailed at the request (with both her times) and at the confirmation (with the one
    # the office chose); the live server shares this process, so its mail is in the outbox.
    def email(subject: str):
        [message] = [m for m in emails_to(CLIENT_EMAIL) if m.subject == subject]
        return message

    request_email = email(f"Your viewing request for {TITLE}")
    assert client_time(first) in request_email.body, request_email.body
    assert client_time(second) in request_email.body, request_email.body
    confirmation = email(f"Your viewing of {TITLE} is confirmed")
    assert client_time(second) in confirmation.body, confirmation.body
    assert client_time(first) not in confirmation.body, confirmation.body
    assert scene.url("/real-estate/viewings/") in confirmation.body, confirmation.body

    # Maria sees it under Upcoming.
    go(client, "portal-nav", "Viewings")
    expect(client.get_by_role("heading", level=1)).to_have_text("Viewings")
    expect(client.locator(".re-tabs [aria-current=page]")).to_contain_text("Upcoming")
    planned = client.locator("li.re-viewing").filter(has_text=TITLE)
    expect(planned.get_by_text("Confirmed", exact=True)).to_be_visible()
    expect(planned.locator(".re-when time")).to_have_text(client_time(second))

    # Time passes: the viewing took place two hours ago. The office marks it visited.
    def the_viewing_is_over() -> None:
        from modules.real_estate.models import Viewing

        moved = Viewing.objects.filter(
            offered__property__title=TITLE, status=Viewing.Status.CONFIRMED
        ).update(start=timezone.now() - timedelta(hours=2))
        assert moved == 1

    in_office(scene.office, the_viewing_is_over)
    office.reload()
    took_place = office.locator("#to-mark li.re-viewing").filter(has_text=TITLE)
    took_place.get_by_role("button", name="Mark visited").click()
    expect_status(office, f"Marked as visited. Maria Jansen can now give feedback on {TITLE}.")
    expect(office.locator("#to-mark")).to_have_count(0)

    # Maria finds it under Recent and shares her impressions: a photo, a voice note, four stars.
    client.reload()
    client.locator(".re-tabs").get_by_role("link", name=re.compile("^Recent")).click()
    client.locator("li.re-viewing").filter(has_text=TITLE).get_by_role(
        "link", name="Share your impressions"
    ).click()
    client.wait_for_url(f"{property_url}#feedback")
    feedback = client.locator("#feedback")
    feedback.get_by_role("radio", name="4 stars").check()
    feedback.get_by_label("Your notes").fill("Lovely light upstairs; the stairs are steep.")
    feedback.get_by_label("Photos", exact=True).set_input_files(
        files=[{"name": "terrace.jpg", "mimeType": "image/jpeg", "buffer": jpeg((800, 600), (90, 140, 60))}]
    )
    feedback.get_by_label("Voice notes", exact=True).set_input_files(
        files=[{"name": "after-the-visit.wav", "mimeType": "audio/wav", "buffer": wav()}]
    )
    feedback.get_by_role("button", name="Send feedback").click()
    expect_status(client, "Thank you! Your feedback is with your agent.")
    given = client.locator("#feedback ul.re-feedback > li")
    expect(given).to_have_count(1)
    expect(given.get_by_role("img", name="4 stars out of 5")).to_be_visible()
    expect(given).to_contain_text("Lovely light upstairs; the stairs are steep.")
    expect_image_shown(given.get_by_role("img", name="Your photo 1"))
    expect_voice_note(client, given.locator("audio"))
    assert_unique_ids(client)

    # The office sees all of it on the deal page...
    office.goto(deal_url)
    item = offer_item(office, TITLE)
    expect(item.locator(".re-badges")).to_contain_text("Visited")
    check_feedback(office, item)
    if viewport == "phone":
        assert_no_horizontal_scroll(office)
    assert_unique_ids(office)
    office.screenshot(path=artifacts / f"re-deal-{viewport}.png", full_page=True)

    # ...and on Maria's contact page, in the real-estate card.
    office.get_by_role("link", name="Maria Jansen").first.click()
    expect(office.get_by_role("heading", level=1)).to_have_text("Maria Jansen")
    check_feedback(office, offer_item(office.locator('[data-module-panel^="real_estate"]'), TITLE))
    assert_unique_ids(office)


def check_feedback(page: Page, item: Locator) -> None:
    feedback = item.locator(".re-feedback")
    expect(feedback).to_have_count(1)
    expect(feedback.get_by_label("4 of 5 stars")).to_have_text("★★★★☆")
    expect(feedback.locator(".re-feedback__notes")).to_have_text(
        "Lovely light upstairs; the stairs are steep."
    )
    expect_image_shown(feedback.get_by_role("img", name="Photo 1 from the client"))
    expect_voice_note(page, feedback.locator("audio[data-voice-note]"))


# --- 2. not interested, with reasons -------------------------------------------------------------


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_a_client_says_why_a_property_is_not_for_them_and_the_office_reads_the_reasons(
    viewport, scene, open_window
):
    offered(scene, "Family home with a garden", "Flat above the shops")
    office = window(open_window, viewport)
    client = window(open_window, viewport)

    client_sign_in(client, scene)
    go(client, "portal-nav", "Properties")
    client.locator(".re-subnav").get_by_role("link", name="All properties").click()
    client.get_by_role("link", name="Flat above the shops").click()
    expect(client.get_by_role("heading", level=1)).to_have_text("Flat above the shops")
    opinion = client.locator("#opinion")

    # Not interested without a reason: told to give one, nothing saved.
    opinion.get_by_text("Not interested…").click()
    opinion.get_by_role("button", name="Not interested", exact=True).click()
    expect(opinion.get_by_role("alert")).to_have_text(
        "Tell us at least one reason why this property is not for you."
    )
    expect(opinion).not_to_contain_text("You are not interested in this property.")
    assert in_office(scene.office, lambda: interest_of("Flat above the shops")) == ("to_rate", [], "")
    if viewport == "phone":
        assert_no_horizontal_scroll(client)

    # With two reasons and a note.
    opinion.get_by_label("Price").check()
    opinion.get_by_label("Location").check()
    opinion.get_by_label("Anything else your agent should know? (optional)").fill("Too far from the station.")
    opinion.get_by_role("button", name="Not interested", exact=True).click()
    expect_status(client, "Marked as not interested. Thank you for telling us why.")
    expect(opinion).to_contain_text("You are not interested in this property.")
    expect(opinion.get_by_role("list", name="Your reasons").get_by_role("listitem")).to_have_text(
        ["Price", "Location"]
    )

    # The office reads the reasons on the deal page; the other property is untouched.
    staff_sign_in(office, scene)
    go(office, "office-nav", "Deals")
    office.get_by_role("link", name="Maria's next home").click()
    rejected = offer_item(office, "Flat above the shops")
    expect(rejected.locator("[data-reasons]")).to_contain_text("Why not: Price, Location")
    expect(rejected.locator("[data-reasons]")).to_contain_text("“Too far from the station.”")
    expect(rejected.locator(".re-badges")).to_contain_text("Rejected")
    expect(offer_item(office, "Family home with a garden").locator("[data-reasons]")).to_have_count(0)
    expect(office.locator('[data-tab="rejected"] strong')).to_have_text("1")


# --- 3. the module switched off and on again ------------------------------------------------------


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_an_office_switches_the_module_off_and_on_and_nothing_is_lost(viewport, scene, open_window):
    offered(scene, "Family home with a garden")
    office = window(open_window, viewport)
    client = window(open_window, viewport)
    api = "/api/v1/real-estate/properties/"

    # The office issues an API key for its website, which lists the office's properties.
    staff_sign_in(office, scene)
    go(office, "office-nav", "API keys")
    office.get_by_label("Name").fill("Website")
    office.get_by_role("button", name="Create key").click()
    key = office.locator("#new-key").inner_text().strip()
    status, body = api_get(scene, api, key)
    assert status == 200 and "Family home with a garden" in body, (status, body)

    # Maria likes the property.
    client_sign_in(client, scene)
    go(client, "portal-nav", "Properties")
    client.locator(".re-subnav").get_by_role("link", name="All properties").click()
    client.get_by_role("link", name="Family home with a garden").click()
    expect(client.get_by_role("heading", level=1)).to_have_text("Family home with a garden")
    property_url = client.url
    client.get_by_role("button", name="Interested", exact=True).click()
    expect_status(client, "Marked as interested. Your agent can see it now.")

    # The office switches the module off on its Modules page.
    go(office, "office-nav", "Modules")
    module = office.locator('.card[data-module="real_estate"]')
    module.get_by_role("button", name="Switch off").click()
    expect_status(office, "Real estate is off. Its data is kept.")
    expect(module.locator(".badge")).to_have_text("Off")
    expect(menu(office, "office-nav").locator('a[data-module="real_estate"]')).to_have_count(0)
    assert office.goto(scene.url("/office/real-estate/properties/")).status == 404

    # Maria's navigation loses the entry; the pages and the API answer 404.
    client.goto(scene.url("/"))
    expect(menu(client, "portal-nav").get_by_role("link", name="Profile")).to_be_visible()
    expect(menu(client, "portal-nav").locator('a[data-module="real_estate"]')).to_have_count(0)
    for url in (scene.url("/real-estate/"), property_url, scene.url("/real-estate/viewings/")):
        assert client.goto(url).status == 404, url
    status, body = api_get(scene, api, key)
    assert status == 404, (status, body)
    assert api_get(scene, "/api/v1/contacts/", key)[0] == 200  # the key itself still works

    # Switched on again: the entry, the pages and the API are back, with Maria's answer kept.
    office.goto(scene.url("/office/modules/"))
    module.get_by_role("button", name="Switch on").click()
    expect_status(office, "Real estate is on.")
    expect(module.locator(".badge")).to_have_text("On")
    client.goto(scene.url("/"))
    go(client, "portal-nav", "Properties")
    client.wait_for_url(scene.url("/real-estate/"))
    client.goto(property_url)
    expect(client.get_by_role("heading", level=1)).to_have_text("Family home with a garden")
    expect(client.get_by_text("You are interested in this property.")).to_be_visible()
    status, body = api_get(scene, api, key)
    assert status == 200 and "Family home with a garden" in body, (status, body)
