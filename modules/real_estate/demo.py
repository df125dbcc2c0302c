"""Demo data for the demo office (``modules.base``: ``<module>.demo``): eight properties with
photos drawn here (no downloads), a deal for the demo client offering six of them in different
states, and viewings so that each of the client's tabs (Upcoming, Recent, Unconfirmed) shows one.

Idempotent: what exists is kept, what is missing is added, and the viewings are put right again
when time has moved an upcoming one into the past.
"""

from __future__ import annotations

import io
import random
from datetime import timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image, ImageDraw

from portal_core.access import portal_account_for

from . import services
from .models import Deal, OfferedProperty, Property, Viewing

DEAL_TITLE = "Family home near Amsterdam"
OFFICE_ACTOR = "demo office"

PROPERTIES = [
    {
        "title": "Canal house on the Prinsengracht",
        "street": "Prinsengracht 263",
        "postal_code": "1016 GV",
        "city": "Amsterdam",
        "latitude": Decimal("52.375218"),
        "longitude": Decimal("4.883977"),
        "price": Decimal("1250000"),
        "property_type": "house",
        "rooms": 7,
        "bedrooms": 4,
        "living_area": 210,
        "plot_area": 120,
        "energy_label": "C",
        "features": ["Canal view", "Roof terrace", "Original details"],
    },
    {
        "title": "Bright apartment in De Pijp",
        "street": "Sarphatipark 12",
        "postal_code": "1073 CN",
        "city": "Amsterdam",
        "latitude": Decimal("52.354760"),
        "longitude": Decimal("4.896030"),
        "price": Decimal("545000"),
        "property_type": "apartment",
        "rooms": 3,
        "bedrooms": 2,
        "living_area": 78,
        "energy_label": "A",
        "features": ["Balcony", "Lift", "Near the park"],
    },
    {
        "title": "Family home with garden in Haarlem",
        "street": "Kleverlaan 40",
        "postal_code": "2023 JE",
        "city": "Haarlem",
        "latitude": Decimal("52.395870"),
        "longitude": Decimal("4.637210"),
        "price": Decimal("735000"),
        "property_type": "house",
        "rooms": 6,
        "bedrooms": 4,
        "living_area": 150,
        "plot_area": 240,
        "energy_label": "A+",
        "features": ["Garden facing south", "Garage", "Solar panels"],
    },
    {
        "title": "Villa by the dunes in Bloemendaal",
        "street": "Zeeweg 5",
        "postal_code": "2051 EA",
        "city": "Bloemendaal",
        "latitude": Decimal("52.404100"),
        "longitude": Decimal("4.604600"),
        "price": Decimal("1895000"),
        "property_type": "villa",
        "rooms": 9,
        "bedrooms": 5,
        "living_area": 320,
        "plot_area": 1400,
        "energy_label": "A++",
        "features": ["Swimming pool", "Sauna", "Double garage", "Heat pump"],
    },
    {
        "title": "Townhouse in Utrecht centre",
        "street": "Oudegracht 150",
        "postal_code": "3511 AZ",
        "city": "Utrecht",
        "latitude": Decimal("52.089500"),
        "longitude": Decimal("5.120300"),
        "price": Decimal("689000"),
        "property_type": "house",
        "rooms": 5,
        "bedrooms": 3,
        "living_area": 132,
        "plot_area": 90,
        "energy_label": "B",
        "features": ["Wharf cellar", "City garden"],
    },
    {
        "title": "Penthouse on the IJ",
        "street": "IJdok 30",
        "postal_code": "1013 MM",
        "city": "Amsterdam",
        "latitude": Decimal("52.381600"),
        "longitude": Decimal("4.895800"),
        "price": Decimal("1120000"),
        "property_type": "apartment",
        "rooms": 4,
        "bedrooms": 2,
        "living_area": 145,
        "energy_label": "A+++",
        "features": ["Water view", "Two parking spaces", "Concierge"],
    },
    {
        "title": "Building plot in Almere Poort",
        "street": "Duinpark 8",
        "postal_code": "1363 AB",
        "city": "Almere",
        "latitude": Decimal("52.343800"),
        "longitude": Decimal("5.148900"),
        "price": Decimal("310000"),
        "property_type": "land",
        "plot_area": 650,
        "features": ["Free design", "Near the beach"],
    },
    {
        "title": "Corner shop with flat in Leiden",
        "street": "Breestraat 88",
        "postal_code": "2311 CS",
        "city": "Leiden",
        "latitude": Decimal("52.158300"),
        "longitude": Decimal("4.489900"),
        "price": Decimal("598000"),
        "property_type": "commercial",
        "rooms": 4,
        "bedrooms": 1,
        "living_area": 160,
        "energy_label": "D",
        "features": ["Shop front", "Flat upstairs"],
    },
]
COMMON = {"country": "Netherlands", "currency": "EUR"}
DESCRIPTION = (
    "A demo listing of Demo Realty. Light rooms, a practical layout and a good location, close to "
    "shops, schools and public transport."
)

# What the demo client has done with each offer (by the index of PROPERTIES).
OFFERS = [0, 1, 2, 3, 4, 5]


# --- drawn photos -------------------------------------------------------------------------------

SKIES = [(135, 190, 235), (250, 200, 150), (170, 210, 240), (200, 225, 245), (240, 170, 140)]
WALLS = [(200, 80, 60), (235, 225, 200), (120, 140, 160), (245, 245, 240), (180, 140, 100), (90, 110, 90)]
ROOFS = [(70, 60, 60), (150, 50, 40), (60, 70, 90), (110, 80, 60)]


def illustration(kind: str, seed: int, *, size: tuple[int, int] = (1200, 800)) -> bytes:
    """A simple drawing of a property of ``kind`` (house, apartment, villa, land, commercial), its
    colours chosen by ``seed``: a JPEG."""
    rng = random.Random(seed)  # noqa: S311 - colours, not secrets
    width, height = size
    sky = rng.choice(SKIES)
    image = Image.new("RGB", size, sky)
    draw = ImageDraw.Draw(image)
    sky_top = tuple(max(0, c - 60) for c in sky)
    for y in range(int(height * 0.72)):  # a gentle gradient down to the horizon
        mix = y / (height * 0.72)
        colour = tuple(int(a + (b - a) * mix) for a, b in zip(sky_top, sky, strict=True))
        draw.line([(0, y), (width, y)], fill=colour)
    sun_x = rng.randint(80, width - 200)
    draw.ellipse([sun_x, 60, sun_x + 110, 170], fill=(255, 220, 90))
    ground = int(height * 0.72)
    draw.rectangle([0, ground, width, height], fill=(95 + rng.randint(0, 40), 160, 80))
    for _ in range(rng.randint(1, 3)):
        _tree(draw, rng.randint(40, width - 80), ground, rng)
    wall, roof = rng.choice(WALLS), rng.choice(ROOFS)
    if kind == "apartment":
        _block(draw, rng, ground, wall, floors=rng.randint(5, 8))
    elif kind == "land":
        draw.rectangle([width * 0.2, ground + 20, width * 0.8, height - 40], outline=(250, 250, 250), width=6)
        draw.line([(width * 0.5, ground - 60), (width * 0.5, ground + 20)], fill=(90, 60, 40), width=8)
        draw.rectangle([width * 0.5, ground - 60, width * 0.5 + 120, ground - 10], fill=(250, 250, 250))
    elif kind == "commercial":
        _house(draw, rng, ground, wall, roof, body_width=520, storeys=2, shop=True)
    elif kind == "villa":
        _house(draw, rng, ground, wall, roof, body_width=760, storeys=2)
    else:
        _house(draw, rng, ground, wall, roof, body_width=rng.randint(380, 520), storeys=rng.randint(1, 3))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=85)
    return out.getvalue()


def _tree(draw, x: int, ground: int, rng) -> None:
    trunk = rng.randint(70, 130)
    draw.rectangle([x, ground - trunk, x + 16, ground], fill=(100, 70, 40))
    radius = rng.randint(45, 70)
    draw.ellipse(
        [x + 8 - radius, ground - trunk - radius * 1.5, x + 8 + radius, ground - trunk + radius * 0.4],
        fill=(40 + rng.randint(0, 40), 120 + rng.randint(0, 40), 50),
    )


def _windows(draw, left: int, top: int, right: int, bottom: int, rows: int, cols: int) -> None:
    cell_w, cell_h = (right - left) / cols, (bottom - top) / rows
    for row in range(rows):
        for col in range(cols):
            x, y = left + col * cell_w + cell_w * 0.25, top + row * cell_h + cell_h * 0.2
            draw.rectangle(
                [x, y, x + cell_w * 0.5, y + cell_h * 0.55], fill=(200, 230, 250), outline=(60, 60, 60)
            )


def _house(draw, rng, ground, wall, roof, *, body_width: int, storeys: int, shop: bool = False) -> None:
    storey = 125
    left = rng.randint(160, max(170, 1200 - body_width - 160))
    right, top = left + body_width, ground - storeys * storey
    draw.rectangle([left, top, right, ground], fill=wall, outline=(50, 50, 50), width=3)
    draw.polygon([(left - 40, top), (right + 40, top), ((left + right) / 2, top - 120)], fill=roof)
    upper = ground - storey if storeys > 1 else ground - 20  # upstairs windows, or beside the door
    _windows(draw, left + 20, top + 20, right - 20, upper, rows=max(1, storeys - 1), cols=4)
    door_x = (left + right) / 2 - 40
    if shop:
        draw.rectangle([left, upper - 10, right, upper + 20], fill=(30, 90, 150))
        draw.rectangle(
            [left + 20, ground - 120, door_x - 20, ground - 10], fill=(200, 230, 250), outline=(50, 50, 50)
        )
    draw.rectangle([door_x, ground - 130, door_x + 80, ground], fill=(90, 50, 30))


def _block(draw, rng, ground, wall, *, floors: int) -> None:
    left = rng.randint(250, 500)
    right, top = left + 420, ground - floors * 70
    draw.rectangle([left, top, right, ground], fill=wall, outline=(50, 50, 50), width=3)
    draw.rectangle([left - 10, top - 20, right + 10, top], fill=(70, 70, 80))
    _windows(draw, left + 15, top + 10, right - 15, ground - 90, rows=floors - 1, cols=5)
    draw.rectangle([left + 180, ground - 90, left + 240, ground], fill=(60, 60, 70))


def _photo_upload(kind: str, seed: int) -> SimpleUploadedFile:
    return SimpleUploadedFile(f"demo-{seed}.jpg", illustration(kind, seed), content_type="image/jpeg")


# --- the demo -----------------------------------------------------------------------------------


def seed(*, contact, owner=None) -> None:
    """Demo properties, a deal for ``contact`` and offers in every state (see the module docstring)."""
    properties = [_property(index, spec) for index, spec in enumerate(PROPERTIES)]
    deal = Deal.objects.filter(contact=contact, title=DEAL_TITLE).first() or services.deal_create(
        contact=contact, title=DEAL_TITLE, notes="A house with a garden, 3+ bedrooms, near a good school."
    )
    offers = {}
    for index in OFFERS:
        prop = properties[index]
        offer = OfferedProperty.objects.filter(deal__contact=contact, property=prop).first()
        if offer is None:
            offer = services.property_offer(deal=deal, property=prop, actor=OFFICE_ACTOR)
            _first_state(index, offer, contact)
        offers[index] = offer
    _viewings_in_every_tab(offers, contact)


def _property(index: int, spec: dict) -> Property:
    prop = Property.objects.filter(title=spec["title"]).first()
    if prop is None:
        prop = services.property_create(**COMMON, **spec, description=DESCRIPTION)
    for photo in range(3 - prop.photos.count()):
        services.property_photo_add(
            property=prop,
            upload=_photo_upload(spec["property_type"], index * 10 + photo),
            caption=["Front", "Street view", "From the garden"][photo % 3],
        )
    return prop


def _first_state(index: int, offer: OfferedProperty, contact) -> None:
    account = portal_account_for(contact=contact)
    if index == 0:
        return  # new: not seen yet
    services.offered_property_seen(offer=offer, account=account)
    if index == 1:
        services.favourite_set(offer=offer, account=account, favourite=True)
    elif index in (2, 3, 4):
        services.interest_set(offer=offer, account=account, interest=OfferedProperty.Interest.INTERESTED)
    elif index == 5:
        services.interest_set(
            offer=offer,
            account=account,
            interest=OfferedProperty.Interest.REJECTED,
            reasons=["price", "size"],
            note="Lovely view, but too small for the price.",
        )


def _viewings_in_every_tab(offers: dict[int, OfferedProperty], contact) -> None:
    """Recent: a visited viewing of offer 4 (with feedback, approved). Upcoming: a confirmed one of
    offer 2. Unconfirmed: a request for offer 3. Each is added again when missing."""
    account = portal_account_for(contact=contact)
    now = timezone.now()
    soon = now.replace(minute=0, second=0, microsecond=0)
    viewings = Viewing.objects.filter(offered__deal__contact=contact)
    if not viewings.recent(now=now).exists():
        offer = offers[4]
        viewing = offer.viewings.active().first() or services.viewing_request(
            offer=offer, account=account, slots=[soon + timedelta(days=1, hours=1)]
        )
        if viewing.status == Viewing.Status.REQUESTED:
            viewing = services.viewing_confirm(
                viewing=viewing, start=viewing.slots.first().start, actor=OFFICE_ACTOR
            )
        # The demo's visit took place last week (the services refuse times in the past).
        Viewing.objects.filter(pk=viewing.pk).update(start=soon - timedelta(days=6, hours=2))
        viewing.refresh_from_db()
        services.viewing_mark_visited(viewing=viewing, actor=OFFICE_ACTOR)
        services.feedback_submit(
            offer=offer,
            account=account,
            rating=4,
            notes="Great light and a quiet street. The kitchen needs work.",
        )
        services.property_approve(offer=offer, actor=OFFICE_ACTOR)
    if not viewings.upcoming(now=now).exists():
        offer = offers[2]
        stale = offer.viewings.active().first()
        if stale is not None and stale.status == Viewing.Status.CONFIRMED and stale.start <= now:
            services.viewing_mark_visited(viewing=stale, actor=OFFICE_ACTOR)
        elif stale is not None:
            services.viewing_cancel(viewing=stale, by=Viewing.Party.OFFICE, actor=OFFICE_ACTOR)
        slots = [soon + timedelta(days=3, hours=2), soon + timedelta(days=4, hours=3)]
        viewing = services.viewing_request(
            offer=offer, account=account, slots=slots, note="After 5 pm if possible."
        )
        services.viewing_confirm(viewing=viewing, start=slots[0], actor=OFFICE_ACTOR)
    if not viewings.unconfirmed().exists():
        offer = offers[3]
        stale = offer.viewings.active().first()
        if stale is not None:  # confirmed, by a hand in the demo: let it stand and ask again later
            return
        services.viewing_request(
            offer=offer,
            account=account,
            slots=[
                soon + timedelta(days=5, hours=1),
                soon + timedelta(days=6, hours=2),
                soon + timedelta(days=8),
            ],
        )
