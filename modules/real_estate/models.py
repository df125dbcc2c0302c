"""The real-estate module's data: properties with photos, deals offering them to a contact, the
client's decisions on each offered property, viewings, after-viewing feedback and messages to the
agent.

Writes go through ``services``; the querysets here are the reads every page and the API share
(``OfferedProperty.objects.for_contact(contact)``, ``Viewing.objects.for_contact(contact)``…), built
so that a list costs the same few queries whatever its length.
"""

from __future__ import annotations

import builtins
import uuid
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Case, Count, F, IntegerField, OuterRef, Prefetch, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal_core.models import Contact, PortalAccount

FEATURES_MAX = 50
FEATURE_MAX_LENGTH = 80


def _upload_path(folder: str, extension: str) -> str:
    """A random, unguessable name under the module's own folder (the storage adds the tenant)."""
    return f"real-estate/{folder}/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{extension}"


def _extension(filename: str) -> str:
    return ("." + filename.rsplit(".", 1)[-1].lower())[:6] if "." in filename else ""


def property_photo_path(instance, filename: str) -> str:
    return _upload_path("property-photos", _extension(filename))


def feedback_photo_path(instance, filename: str) -> str:
    return _upload_path("feedback-photos", _extension(filename))


def voice_note_path(instance, filename: str) -> str:
    return _upload_path("voice-notes", _extension(filename))


# --- properties ---------------------------------------------------------------------------------


class Property(models.Model):
    """A property the office can offer to its clients."""

    class Type(models.TextChoices):
        HOUSE = "house", _("House")
        APARTMENT = "apartment", _("Apartment")
        VILLA = "villa", _("Villa")
        LAND = "land", _("Land")
        COMMERCIAL = "commercial", _("Commercial")
        OTHER = "other", _("Other")

    class EnergyLabel(models.TextChoices):
        A3 = "A+++", "A+++"
        A2 = "A++", "A++"
        A1 = "A+", "A+"
        A = "A", "A"
        B = "B", "B"
        C = "C", "C"
        D = "D", "D"
        E = "E", "E"
        F = "F", "F"
        G = "G", "G"

    class Status(models.TextChoices):
        AVAILABLE = "available", _("Available")
        UNDER_OFFER = "under_offer", _("Under offer")
        SOLD = "sold", _("Sold")

    title = models.CharField(_("title"), max_length=200)
    street = models.CharField(_("street"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    city = models.CharField(_("city"), max_length=120, blank=True)
    country = models.CharField(_("country"), max_length=80, blank=True)
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(-90)), MaxValueValidator(Decimal(90))],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(-180)), MaxValueValidator(Decimal(180))],
    )
    price = models.DecimalField(
        _("price"), max_digits=14, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    property_type = models.CharField(_("type"), max_length=12, choices=Type.choices, default=Type.HOUSE)
    rooms = models.PositiveSmallIntegerField(_("rooms"), null=True, blank=True)
    bedrooms = models.PositiveSmallIntegerField(_("bedrooms"), null=True, blank=True)
    living_area = models.PositiveIntegerField(_("living area (m²)"), null=True, blank=True)
    plot_area = models.PositiveIntegerField(_("plot area (m²)"), null=True, blank=True)
    features = models.JSONField(_("features"), default=list, blank=True)
    description = models.TextField(_("description"), blank=True)
    energy_label = models.CharField(_("energy label"), max_length=4, choices=EnergyLabel.choices, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.AVAILABLE, db_index=True
    )
    created = models.DateTimeField(default=timezone.now)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name_plural = "properties"
        indexes = [models.Index(fields=["city"]), models.Index(fields=["property_type", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(price__isnull=True) | Q(price__gte=0), name="real_estate_property_price_positive"
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                name="real_estate_property_latitude_range",
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                name="real_estate_property_longitude_range",
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__isnull=False, longitude__isnull=False),
                name="real_estate_property_coordinates_together",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        errors = {}
        if (self.latitude is None) != (self.longitude is None):
            errors["longitude" if self.longitude is None else "latitude"] = _(
                "Give both the latitude and the longitude, or neither."
            )
        if self.rooms is not None and self.bedrooms is not None and self.bedrooms > self.rooms:
            errors["bedrooms"] = _("A property cannot have more bedrooms than rooms.")
        self.currency = (self.currency or "").strip().upper()
        if len(self.currency) != 3 or not self.currency.isalpha():
            errors["currency"] = _("Use a three-letter currency code, such as EUR.")
        try:
            self.features = features_clean(self.features)
        except ValidationError as exc:
            errors["features"] = exc.messages
        if errors:
            raise ValidationError(errors)

    @builtins.property
    def address(self) -> str:
        """One line: street, postal code and city, country."""
        place = " ".join(part for part in (self.postal_code, self.city) if part)
        return ", ".join(part for part in (self.street, place, self.country) if part)

    @builtins.property
    def has_location(self) -> bool:
        return self.latitude is not None and self.longitude is not None

    @builtins.property
    def is_offerable(self) -> bool:
        return self.status != self.Status.SOLD


def features_clean(features) -> list[str]:
    """The features as a list of distinct, trimmed, non-empty strings (in their given order)."""
    if features in (None, ""):
        return []
    if not isinstance(features, list | tuple) or not all(isinstance(f, str) for f in features):
        raise ValidationError(_("Features must be a list of texts."))
    cleaned: list[str] = []
    for feature in features:
        feature = " ".join(feature.split())
        if len(feature) > FEATURE_MAX_LENGTH:
            raise ValidationError(_("Keep each feature to %(max)d characters.") % {"max": FEATURE_MAX_LENGTH})
        if feature and feature.casefold() not in {f.casefold() for f in cleaned}:
            cleaned.append(feature)
    if len(cleaned) > FEATURES_MAX:
        raise ValidationError(_("A property can list at most %(max)d features.") % {"max": FEATURES_MAX})
    return cleaned


class PropertyPhoto(models.Model):
    """One photo of a property (re-encoded on upload, without metadata), shown in ``position`` order."""

    property = models.ForeignKey(Property, on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(upload_to=property_photo_path, max_length=200)
    # A small copy for lists and thumbnails (``uploads.THUMBNAIL_SIDE``); empty for older photos.
    thumbnail = models.FileField(upload_to=property_photo_path, max_length=200, blank=True)
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    position = models.PositiveIntegerField(default=0)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["property", "position"])]

    def __str__(self) -> str:
        return self.caption or f"photo {self.position + 1} of {self.property_id}"


# --- deals and what the client thinks of each offered property ----------------------------------


class Deal(models.Model):
    """A contact's search, through which the office offers properties to them."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        WON = "won", _("Won")
        LOST = "lost", _("Lost")

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="real_estate_deals")
    title = models.CharField(_("title"), max_length=200)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    notes = models.TextField(_("notes"), blank=True)
    created = models.DateTimeField(default=timezone.now)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["contact", "status"])]

    def __str__(self) -> str:
        return self.title


class ClientGroup(models.TextChoices):
    """Where an offered property stands for the client (seed 001's “All properties” groups)."""

    TO_RATE = "to_rate", _("To rate")
    INTERESTED = "interested", _("Interested")
    REJECTED = "rejected", _("Rejected")
    VISITED = "visited", _("Visited")
    APPROVED = "approved", _("Approved")


class RejectionReason(models.TextChoices):
    PRICE = "price", _("Price")
    LOCATION = "location", _("Location")
    SIZE = "size", _("Size")
    LAYOUT = "layout", _("Layout")
    CONDITION = "condition", _("Condition")
    OTHER = "other", _("Other")


class OfferedPropertyQuerySet(models.QuerySet):
    def for_contact(self, contact: Contact) -> OfferedPropertyQuerySet:
        """The properties offered to ``contact`` through any of their deals, ready for a list."""
        return self.filter(deal__contact=contact).for_listing()

    def for_deal(self, deal: Deal) -> OfferedPropertyQuerySet:
        return self.filter(deal=deal).for_listing()

    def for_listing(self) -> OfferedPropertyQuerySet:
        """Property and deal joined, plus annotations (``client_group``, ``cover_photo_id``,
        ``latest_viewing_status``, ``latest_viewing_start``, ``feedback_count``, ``latest_rating``), so
        a page of any length costs one query."""
        return (
            self.select_related("property", "deal")
            .with_client_group()
            .with_cover()
            .with_latest_viewing()
            .with_feedback_summary()
        )

    def with_client_group(self) -> OfferedPropertyQuerySet:
        return self.annotate(client_group=client_group_expression())

    def with_cover(self) -> OfferedPropertyQuerySet:
        first_photo = PropertyPhoto.objects.filter(property=OuterRef("property")).order_by("position", "id")
        return self.annotate(cover_photo_id=Subquery(first_photo.values("pk")[:1]))

    def with_latest_viewing(self) -> OfferedPropertyQuerySet:
        latest = Viewing.objects.filter(offered=OuterRef("pk")).order_by("-created", "-id")
        return self.annotate(
            latest_viewing_status=Subquery(latest.values("status")[:1]),
            latest_viewing_start=Subquery(
                latest.annotate(when=Coalesce("start", "proposed_start")).values("when")[:1]
            ),
        )

    def with_feedback_summary(self) -> OfferedPropertyQuerySet:
        per_offer = Feedback.objects.filter(offered=OuterRef("pk")).order_by()
        counted = per_offer.values("offered").annotate(n=Count("pk")).values("n")
        rated = per_offer.filter(rating__isnull=False).order_by("-created", "-id").values("rating")[:1]
        return self.annotate(
            feedback_count=Coalesce(Subquery(counted, output_field=IntegerField()), 0),
            latest_rating=Subquery(rated),
        )

    def with_feedback(self) -> OfferedPropertyQuerySet:
        """Every feedback item with its photos and voice notes (three queries more, for detail pages
        and the office's contact and deal pages)."""
        return self.prefetch_related(
            Prefetch(
                "feedback",
                queryset=Feedback.objects.select_related("account").prefetch_related("photos", "voice_notes"),
            )
        )

    def with_photos(self) -> OfferedPropertyQuerySet:
        return self.prefetch_related("property__photos")

    def in_group(self, group: str) -> OfferedPropertyQuerySet:
        """Only the offers in one ``ClientGroup``."""
        if group not in ClientGroup.values:
            raise ValueError(f"Unknown client group {group!r}")
        if "client_group" not in self.query.annotations:
            return self.with_client_group().filter(client_group=group)
        return self.filter(client_group=group)

    def new(self) -> OfferedPropertyQuerySet:
        """Offered and not yet seen by the client (“New properties”)."""
        return self.filter(seen_at__isnull=True)

    def to_rate(self) -> OfferedPropertyQuerySet:
        return self.in_group(ClientGroup.TO_RATE)

    def interested(self) -> OfferedPropertyQuerySet:
        return self.in_group(ClientGroup.INTERESTED)

    def rejected(self) -> OfferedPropertyQuerySet:
        return self.in_group(ClientGroup.REJECTED)

    def visited(self) -> OfferedPropertyQuerySet:
        return self.in_group(ClientGroup.VISITED)

    def approved(self) -> OfferedPropertyQuerySet:
        return self.in_group(ClientGroup.APPROVED)

    def group_counts(self) -> dict[str, int]:
        """How many offers are in each group, plus ``new`` and ``total`` (one aggregate query)."""
        counts = (
            self.order_by()
            .annotate(group=client_group_expression())
            .aggregate(
                total=Count("pk"),
                new=Count("pk", filter=Q(seen_at__isnull=True)),
                **{group.value: Count("pk", filter=Q(group=group.value)) for group in ClientGroup},
            )
        )
        return counts


class OfferedProperty(models.Model):
    """A property offered to a deal's contact, and everything the client decided about it.

    “New” for the client is ``seen_at`` being empty. The client's decision is ``interest``; the
    office's is ``approved_at``. ``client_group`` places the offer in one of seed 001's groups.
    """

    class Interest(models.TextChoices):
        TO_RATE = "to_rate", _("To rate")
        INTERESTED = "interested", _("Interested")
        REJECTED = "rejected", _("Not interested")

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="offered_properties")
    property = models.ForeignKey(Property, on_delete=models.CASCADE, related_name="offers")
    offered_at = models.DateTimeField(default=timezone.now)
    interest = models.CharField(max_length=12, choices=Interest.choices, default=Interest.TO_RATE)
    interest_changed_at = models.DateTimeField(null=True, blank=True)
    rejection_reasons = models.JSONField(default=list, blank=True)
    rejection_note = models.TextField(blank=True)
    favourite = models.BooleanField(default=False)
    seen_at = models.DateTimeField(null=True, blank=True)
    visited_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = OfferedPropertyQuerySet.as_manager()

    class Meta:
        ordering = ["-offered_at", "-id"]
        verbose_name_plural = "offered properties"
        constraints = [
            models.UniqueConstraint(fields=["deal", "property"], name="real_estate_offer_once_per_deal"),
            models.CheckConstraint(
                condition=~Q(interest="rejected") | ~Q(rejection_reasons=[]),
                name="real_estate_rejection_has_reasons",
            ),
        ]
        indexes = [
            models.Index(fields=["deal", "-offered_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.property_id} offered on deal {self.deal_id}"

    @builtins.property
    def client_group(self) -> str:
        """This offer's ``ClientGroup``; the annotation of ``with_client_group()`` when present."""
        annotated = self.__dict__.get("client_group")
        if annotated is not None:
            return annotated
        return client_group_of(self)

    @client_group.setter
    def client_group(self, value: str) -> None:  # the queryset annotation lands here
        self.__dict__["client_group"] = value

    @builtins.property
    def is_new(self) -> bool:
        return self.seen_at is None


# Seed 001's groups, first match wins: a “no” from the client takes the offer out of play; then the
# office's approval, a viewing that happened, and the client's interest; anything else is to rate.
# ``client_group_of`` and ``client_group_expression`` are the same rule, in Python and in SQL.
def client_group_of(offer: OfferedProperty) -> str:
    if offer.interest == OfferedProperty.Interest.REJECTED:
        return ClientGroup.REJECTED
    if offer.approved_at is not None:
        return ClientGroup.APPROVED
    if offer.visited_at is not None:
        return ClientGroup.VISITED
    if offer.interest == OfferedProperty.Interest.INTERESTED:
        return ClientGroup.INTERESTED
    return ClientGroup.TO_RATE


def client_group_expression() -> Case:
    return Case(
        When(interest=OfferedProperty.Interest.REJECTED, then=Value(ClientGroup.REJECTED.value)),
        When(approved_at__isnull=False, then=Value(ClientGroup.APPROVED.value)),
        When(visited_at__isnull=False, then=Value(ClientGroup.VISITED.value)),
        When(interest=OfferedProperty.Interest.INTERESTED, then=Value(ClientGroup.INTERESTED.value)),
        default=Value(ClientGroup.TO_RATE.value),
        output_field=models.CharField(),
    )


# --- viewings -----------------------------------------------------------------------------------


ACTIVE_VIEWING_STATUSES = ("requested", "proposed", "confirmed")


class ViewingQuerySet(models.QuerySet):
    def for_contact(self, contact: Contact) -> ViewingQuerySet:
        return self.filter(offered__deal__contact=contact).for_listing()

    def for_listing(self) -> ViewingQuerySet:
        return self.select_related("offered__property", "offered__deal__contact").prefetch_related("slots")

    def active(self) -> ViewingQuerySet:
        return self.filter(status__in=ACTIVE_VIEWING_STATUSES)

    def upcoming(self, now=None) -> ViewingQuerySet:
        """Confirmed and still to come, soonest first (the client's “Upcoming” tab, the office's agenda)."""
        now = now or timezone.now()
        return self.filter(status=Viewing.Status.CONFIRMED, start__gte=now).order_by("start", "id")

    def recent(self, now=None) -> ViewingQuerySet:
        """Confirmed or visited viewings whose time has passed, latest first (“Recent”)."""
        now = now or timezone.now()
        return self.filter(
            status__in=(Viewing.Status.CONFIRMED, Viewing.Status.VISITED), start__lt=now
        ).order_by("-start", "-id")

    def unconfirmed(self) -> ViewingQuerySet:
        """Requested by the client, or a time the office proposed that the client has not accepted
        (“Unconfirmed”), oldest request first."""
        return self.filter(status__in=(Viewing.Status.REQUESTED, Viewing.Status.PROPOSED)).order_by(
            "created", "id"
        )


class Viewing(models.Model):
    """A client's request to visit an offered property, and the appointment it becomes.

    requested → confirmed (the office picks one of the client's slots) or proposed (the office offers
    another time, which the client accepts to confirm) → visited; any active one can be cancelled.
    ``start`` is the confirmed time; ``proposed_start`` the office's proposal awaiting the client.
    """

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        PROPOSED = "proposed", _("New time proposed")
        CONFIRMED = "confirmed", _("Confirmed")
        CANCELLED = "cancelled", _("Cancelled")
        VISITED = "visited", _("Visited")

    class Party(models.TextChoices):
        CLIENT = "client", _("Client")
        OFFICE = "office", _("Office")

    offered = models.ForeignKey(OfferedProperty, on_delete=models.CASCADE, related_name="viewings")
    requested_by = models.ForeignKey(
        PortalAccount, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.REQUESTED)
    start = models.DateTimeField(null=True, blank=True)
    proposed_start = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    visited_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.CharField(max_length=6, choices=Party.choices, blank=True)
    cancel_reason = models.TextField(blank=True)
    created = models.DateTimeField(default=timezone.now)
    updated = models.DateTimeField(auto_now=True)

    objects = ViewingQuerySet.as_manager()

    class Meta:
        ordering = ["-created", "-id"]
        indexes = [
            models.Index(fields=["status", "start"]),
            models.Index(fields=["offered", "-created"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["offered"],
                condition=Q(status__in=ACTIVE_VIEWING_STATUSES),
                name="real_estate_one_active_viewing_per_offer",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=("confirmed", "visited")) | Q(start__isnull=False),
                name="real_estate_confirmed_viewing_has_start",
            ),
            models.CheckConstraint(
                condition=~Q(status="proposed") | Q(proposed_start__isnull=False),
                name="real_estate_proposed_viewing_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(status="cancelled") | ~Q(cancelled_by=""),
                name="real_estate_cancelled_viewing_says_by_whom",
            ),
        ]

    def __str__(self) -> str:
        return f"viewing {self.pk} ({self.status})"

    @builtins.property
    def is_active(self) -> bool:
        return self.status in ACTIVE_VIEWING_STATUSES

    @builtins.property
    def when(self):
        """The time that matters now: confirmed, else proposed, else the first preferred slot."""
        if self.start:
            return self.start
        if self.proposed_start:
            return self.proposed_start
        slots = list(self.slots.all())
        return slots[0].start if slots else None


class ViewingSlot(models.Model):
    """One of the (1 to 3) date-times the client preferred for a viewing."""

    viewing = models.ForeignKey(Viewing, on_delete=models.CASCADE, related_name="slots")
    start = models.DateTimeField()

    class Meta:
        ordering = ["start", "id"]
        constraints = [
            models.UniqueConstraint(fields=["viewing", "start"], name="real_estate_distinct_viewing_slots")
        ]

    def __str__(self) -> str:
        return self.start.isoformat()


# --- feedback after a viewing -------------------------------------------------------------------


class Feedback(models.Model):
    """What the client thought after visiting: notes, 1 to 5 stars, photos and voice notes."""

    offered = models.ForeignKey(OfferedProperty, on_delete=models.CASCADE, related_name="feedback")
    viewing = models.ForeignKey(
        Viewing, on_delete=models.SET_NULL, null=True, blank=True, related_name="feedback"
    )
    account = models.ForeignKey(
        PortalAccount, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    rating = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    notes = models.TextField(blank=True)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name_plural = "feedback"
        indexes = [models.Index(fields=["offered", "-created"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="real_estate_feedback_rating_1_to_5",
            )
        ]

    def __str__(self) -> str:
        return f"feedback {self.pk} on offer {self.offered_id}"


class FeedbackPhoto(models.Model):
    feedback = models.ForeignKey(Feedback, on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(upload_to=feedback_photo_path, max_length=200)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.image.name


class FeedbackVoiceNote(models.Model):
    feedback = models.ForeignKey(Feedback, on_delete=models.CASCADE, related_name="voice_notes")
    audio = models.FileField(upload_to=voice_note_path, max_length=200)
    content_type = models.CharField(max_length=40)
    duration_seconds = models.DecimalField(max_digits=6, decimal_places=1, validators=[MinValueValidator(0)])
    size = models.PositiveIntegerField()
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.audio.name


# --- messages to the agent ----------------------------------------------------------------------


class AgentMessage(models.Model):
    """A client's message to the office (“Contact the agent”), and the office's emailed reply."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="real_estate_messages")
    account = models.ForeignKey(
        PortalAccount, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    offered = models.ForeignKey(
        OfferedProperty, on_delete=models.SET_NULL, null=True, blank=True, related_name="messages"
    )
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"))
    created = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    replied_at = models.DateTimeField(null=True, blank=True)
    reply_body = models.TextField(blank=True)
    replied_by = models.CharField(max_length=160, blank=True)

    class Meta:
        ordering = ["-created", "-id"]
        indexes = [
            models.Index(fields=["contact", "-created"]),
            models.Index(F("created").desc(), name="real_estate_unread_messages", condition=Q(read_at=None)),
        ]

    def __str__(self) -> str:
        return self.subject

    @builtins.property
    def is_read(self) -> bool:
        return self.read_at is not None
