"""What the real-estate API reads and writes. Output serializers are the schema's components
(``RealEstate…``); ``…Write`` ones are request bodies; ``…Filter`` ones are list query parameters.
Ids are integers, datetimes ISO 8601 in UTC, prices decimal strings, coordinates numbers."""

from __future__ import annotations

from decimal import Decimal

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from portal_core.models import Contact

from ..models import (
    FEATURE_MAX_LENGTH,
    FEATURES_MAX,
    AgentMessage,
    ClientGroup,
    Deal,
    Feedback,
    FeedbackPhoto,
    FeedbackVoiceNote,
    OfferedProperty,
    Property,
    PropertyPhoto,
    RejectionReason,
    Viewing,
)
from ..selectors import VIEWING_TABS
from ..services import PROPERTY_FIELDS
from .base import media_url

SMALL_INT = 32767
INT = 2**31 - 1
ID = 2**63 - 1

_url = extend_schema_field(serializers.URLField(allow_null=True, help_text="Null while not served."))


def _coordinate(limit: int, **kwargs) -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=9,
        decimal_places=6,
        coerce_to_string=False,
        min_value=Decimal(-limit),
        max_value=Decimal(limit),
        allow_null=True,
        **kwargs,
    )


def _id(help_text: str) -> serializers.IntegerField:
    return serializers.IntegerField(required=False, min_value=1, max_value=ID, help_text=help_text)


# --- properties and photos ----------------------------------------------------------------------


class PropertyPhotoSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField(help_text="The photo (a re-encoded JPEG, without metadata).")

    class Meta:
        model = PropertyPhoto
        fields = ["id", "property", "caption", "width", "height", "position", "url", "created"]
        read_only_fields = fields
        ref_name = "RealEstatePropertyPhoto"

    @_url
    def get_url(self, photo: PropertyPhoto) -> str | None:
        return media_url("media-property-photo", photo.pk)


class PropertySerializer(serializers.ModelSerializer):
    """A property with its gallery, for the office."""

    address = serializers.CharField(read_only=True, help_text="Street, postal code and city, country.")
    latitude = _coordinate(90, read_only=True)
    longitude = _coordinate(180, read_only=True)
    features = serializers.ListField(child=serializers.CharField(), read_only=True)
    energy_label = serializers.ChoiceField(
        choices=Property.EnergyLabel.choices,
        allow_blank=True,
        read_only=True,
        help_text="Empty when unknown.",
    )
    photos = PropertyPhotoSerializer(many=True, read_only=True)
    offer_count = serializers.IntegerField(
        read_only=True,
        help_text="To how many clients it has been offered; an offered property cannot be deleted.",
    )

    class Meta:
        model = Property
        fields = ["id", *PROPERTY_FIELDS, "address", "photos", "offer_count", "created", "updated"]
        read_only_fields = fields
        ref_name = "RealEstateProperty"


class ClientPropertySerializer(PropertySerializer):
    """A property as its client sees it: details and gallery."""

    class Meta(PropertySerializer.Meta):
        fields = [f for f in PropertySerializer.Meta.fields if f not in ("offer_count", "created", "updated")]
        read_only_fields = fields
        ref_name = "RealEstateClientProperty"


class PropertySummarySerializer(serializers.ModelSerializer):
    address = serializers.CharField(read_only=True)

    class Meta:
        model = Property
        fields = ["id", "title", "address", "city", "price", "currency", "property_type", "status"]
        read_only_fields = fields
        ref_name = "RealEstatePropertySummary"


class PropertyWriteSerializer(serializers.Serializer):
    """Create and replace a property (fields left out take their defaults); PATCH sends what changes."""

    title = serializers.CharField(max_length=200)
    street = serializers.CharField(max_length=200, allow_blank=True, default="")
    postal_code = serializers.CharField(max_length=20, allow_blank=True, default="")
    city = serializers.CharField(max_length=120, allow_blank=True, default="")
    country = serializers.CharField(max_length=80, allow_blank=True, default="")
    latitude = _coordinate(90, default=None, help_text="Give both coordinates, or neither.")
    longitude = _coordinate(180, default=None, help_text="Give both coordinates, or neither.")
    price = serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=Decimal(0), allow_null=True, default=None
    )
    currency = serializers.RegexField(
        r"^[A-Za-z]{3}$",
        trim_whitespace=False,
        default="EUR",
        help_text="A three-letter code, such as EUR.",
        error_messages={"invalid": "A three-letter code, such as EUR."},
    )
    property_type = serializers.ChoiceField(choices=Property.Type.choices, default=Property.Type.HOUSE)
    rooms = serializers.IntegerField(min_value=0, max_value=SMALL_INT, allow_null=True, default=None)
    bedrooms = serializers.IntegerField(
        min_value=0, max_value=SMALL_INT, allow_null=True, default=None, help_text="At most ``rooms``."
    )
    living_area = serializers.IntegerField(
        min_value=0, max_value=INT, allow_null=True, default=None, help_text="In m²."
    )
    plot_area = serializers.IntegerField(
        min_value=0, max_value=INT, allow_null=True, default=None, help_text="In m²."
    )
    features = serializers.ListField(
        child=serializers.CharField(max_length=FEATURE_MAX_LENGTH, allow_blank=True),
        max_length=FEATURES_MAX * 2,
        default=list,
        help_text=f"Distinct texts (at most {FEATURES_MAX}); repeats and blanks are dropped.",
    )
    description = serializers.CharField(allow_blank=True, default="", max_length=20000, trim_whitespace=False)
    energy_label = serializers.ChoiceField(choices=Property.EnergyLabel.choices, allow_blank=True, default="")
    status = serializers.ChoiceField(choices=Property.Status.choices, default=Property.Status.AVAILABLE)

    class Meta:
        ref_name = "RealEstatePropertyWrite"


class PropertyFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Property.Status.choices, required=False)
    type = serializers.ChoiceField(
        choices=Property.Type.choices, required=False, help_text="The property_type."
    )
    city = serializers.CharField(required=False, max_length=120, help_text="Exactly this city (any case).")
    min_price = serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=Decimal(0), required=False
    )
    max_price = serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=Decimal(0), required=False
    )
    search = serializers.CharField(
        required=False,
        max_length=200,
        help_text="Every word must match the title, street, postal code, city or country.",
    )

    def validate(self, attrs):
        low, high = attrs.get("min_price"), attrs.get("max_price")
        if low is not None and high is not None and low > high:
            raise serializers.ValidationError({"max_price": ["Must be at least min_price."]})
        return attrs


class PhotoUploadSerializer(serializers.Serializer):
    image = serializers.FileField(
        help_text="A JPEG, PNG, GIF or WebP photo of at most 10 MB, recognised by its content; it is "
        "stored re-encoded as JPEG, without EXIF (so without a location)."
    )
    caption = serializers.CharField(max_length=200, allow_blank=True, default="")

    class Meta:
        ref_name = "RealEstatePhotoUpload"


class PhotoCaptionSerializer(serializers.Serializer):
    caption = serializers.CharField(max_length=200, allow_blank=True)

    class Meta:
        ref_name = "RealEstatePhotoCaption"


class PhotoOrderSerializer(serializers.Serializer):
    photo_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=ID),
        allow_empty=False,
        min_length=1,
        max_length=1000,
        help_text="Every photo of the property, once each, in the new order.",
    )

    class Meta:
        ref_name = "RealEstatePhotoOrder"


# --- deals and offered properties ---------------------------------------------------------------


class ContactSummarySerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="full_name", read_only=True)

    class Meta:
        model = Contact
        fields = ["id", "name"]
        read_only_fields = fields
        ref_name = "RealEstateContactSummary"


class DealSerializer(serializers.ModelSerializer):
    contact = ContactSummarySerializer(read_only=True)
    offer_count = serializers.IntegerField(read_only=True, help_text="Properties offered through it.")

    class Meta:
        model = Deal
        fields = ["id", "contact", "title", "status", "notes", "offer_count", "created", "updated"]
        read_only_fields = fields
        ref_name = "RealEstateDeal"


class DealCreateSerializer(serializers.Serializer):
    contact = serializers.PrimaryKeyRelatedField(
        queryset=Contact.objects.all(), help_text="The id of the contact whose search this is."
    )
    title = serializers.CharField(max_length=200)
    notes = serializers.CharField(allow_blank=True, default="", max_length=20000)

    class Meta:
        ref_name = "RealEstateDealCreate"


class DealWriteSerializer(serializers.Serializer):
    """Replace (``notes`` and ``status`` left out reset) or change (PATCH) a deal. A closed deal
    (``won``, ``lost``) takes no more offers."""

    title = serializers.CharField(max_length=200)
    notes = serializers.CharField(allow_blank=True, default="", max_length=20000)
    status = serializers.ChoiceField(choices=Deal.Status.choices, default=Deal.Status.OPEN)

    class Meta:
        ref_name = "RealEstateDealWrite"


class DealFilterSerializer(serializers.Serializer):
    contact = _id("A contact id.")
    status = serializers.ChoiceField(choices=Deal.Status.choices, required=False)


class OfferStatusSerializer(serializers.ModelSerializer):
    """Where an offered property stands for its client."""

    is_new = serializers.BooleanField(read_only=True, help_text="Not yet opened by the client.")
    client_group = serializers.ChoiceField(
        choices=ClientGroup.choices, read_only=True, help_text="The group the client sees it in."
    )
    rejection_reasons = serializers.ListField(
        child=serializers.ChoiceField(choices=RejectionReason.choices), read_only=True
    )
    latest_viewing_status = serializers.ChoiceField(
        choices=Viewing.Status.choices, read_only=True, allow_null=True
    )
    latest_viewing_start = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text="Its confirmed time, else the time the office proposed."
    )
    feedback_count = serializers.IntegerField(read_only=True)
    latest_rating = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="The client's latest stars (1 to 5)."
    )

    class Meta:
        model = OfferedProperty
        fields = [
            "id",
            "offered_at",
            "is_new",
            "seen_at",
            "interest",
            "interest_changed_at",
            "rejection_reasons",
            "rejection_note",
            "favourite",
            "client_group",
            "visited_at",
            "approved_at",
            "latest_viewing_status",
            "latest_viewing_start",
            "feedback_count",
            "latest_rating",
        ]
        read_only_fields = fields


class OfferSerializer(OfferStatusSerializer):
    """A property offered through a deal, with the client's decisions on it."""

    contact = serializers.IntegerField(
        source="deal.contact_id", read_only=True, help_text="The contact's id."
    )
    property = PropertySummarySerializer(read_only=True)
    cover_photo_url = serializers.SerializerMethodField()

    class Meta(OfferStatusSerializer.Meta):
        fields = [
            "id",
            "deal",
            "contact",
            "property",
            "cover_photo_url",
            *OfferStatusSerializer.Meta.fields[1:],
        ]
        read_only_fields = fields
        ref_name = "RealEstateOffer"

    @_url
    def get_cover_photo_url(self, offer: OfferedProperty) -> str | None:
        cover = getattr(offer, "cover_photo_id", None)
        return media_url("media-property-photo", cover) if cover else None


class ClientOfferSerializer(OfferStatusSerializer):
    """A property offered to the signed-in client, with its details and photos."""

    property = ClientPropertySerializer(read_only=True)

    class Meta(OfferStatusSerializer.Meta):
        fields = ["id", "property", *OfferStatusSerializer.Meta.fields[1:]]
        read_only_fields = fields
        ref_name = "RealEstateClientOffer"


class OfferCreateSerializer(serializers.Serializer):
    property = serializers.PrimaryKeyRelatedField(
        queryset=Property.objects.all(), help_text="The id of the property to offer (not sold)."
    )

    class Meta:
        ref_name = "RealEstateOfferCreate"


class OfferFilterSerializer(serializers.Serializer):
    deal = _id("A deal id.")
    contact = _id("A contact id.")
    property = _id("A property id.")
    group = serializers.ChoiceField(
        choices=ClientGroup.choices, required=False, help_text="The client's group."
    )


class ClientOfferFilterSerializer(serializers.Serializer):
    group = serializers.ChoiceField(
        choices=[("new", "New (not yet opened)"), *ClientGroup.choices],
        required=False,
        help_text="Only the new ones, or one group of “All properties”.",
    )


# --- viewings -----------------------------------------------------------------------------------


class ViewingSerializer(serializers.ModelSerializer):
    """A viewing: the client's request with 1 to 3 preferred times, and the appointment it becomes."""

    offer = serializers.IntegerField(
        source="offered_id", read_only=True, help_text="The offered property's id."
    )
    property = PropertySummarySerializer(source="offered.property", read_only=True)
    contact = ContactSummarySerializer(source="offered.deal.contact", read_only=True)
    preferred_slots = serializers.SerializerMethodField(
        help_text="The client's preferred times, earliest first."
    )
    when = serializers.DateTimeField(
        read_only=True,
        allow_null=True,
        help_text="The time that matters now: confirmed, else proposed, else the first preferred one.",
    )
    cancelled_by = serializers.SerializerMethodField()

    class Meta:
        model = Viewing
        fields = [
            "id",
            "offer",
            "property",
            "contact",
            "status",
            "preferred_slots",
            "start",
            "proposed_start",
            "when",
            "note",
            "requested_by",
            "confirmed_at",
            "visited_at",
            "cancelled_at",
            "cancelled_by",
            "cancel_reason",
            "created",
            "updated",
        ]
        read_only_fields = fields
        ref_name = "RealEstateViewing"

    @extend_schema_field(serializers.ListField(child=serializers.DateTimeField()))
    def get_preferred_slots(self, viewing: Viewing) -> list[str]:
        field = serializers.DateTimeField()
        return [field.to_representation(slot.start) for slot in viewing.slots.all()]

    @extend_schema_field(serializers.ChoiceField(choices=Viewing.Party.choices, allow_null=True))
    def get_cancelled_by(self, viewing: Viewing) -> str | None:
        return viewing.cancelled_by or None


class ClientViewingSerializer(ViewingSerializer):
    class Meta(ViewingSerializer.Meta):
        fields = [f for f in ViewingSerializer.Meta.fields if f not in ("contact", "requested_by", "updated")]
        read_only_fields = fields
        ref_name = "RealEstateClientViewing"


class ViewingFilterSerializer(serializers.Serializer):
    """``from`` and ``to`` bound the viewing's ``when``."""

    status = serializers.ChoiceField(choices=Viewing.Status.choices, required=False)
    from_ = serializers.DateTimeField(required=False, help_text="``when`` at or after (ISO 8601).")
    to = serializers.DateTimeField(required=False, help_text="``when`` before (ISO 8601).")
    contact = _id("A contact id.")
    offer = _id("An offered property's id.")

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = fields.pop("from_")
        return fields

    def validate(self, attrs):
        if "from" in attrs and "to" in attrs and attrs["from"] >= attrs["to"]:
            raise serializers.ValidationError({"to": ["Must be after from."]})
        return attrs


class ClientViewingFilterSerializer(serializers.Serializer):
    tab = serializers.ChoiceField(
        choices=VIEWING_TABS,
        required=False,
        help_text="upcoming: confirmed, soonest first; recent: past, latest first; unconfirmed: waiting "
        "for the office or for the client, oldest first. Without it: every viewing, newest request first.",
    )


class ViewingTimeSerializer(serializers.Serializer):
    start = serializers.DateTimeField(
        help_text="ISO 8601 with a time zone; a time without one is read as UTC."
    )

    class Meta:
        ref_name = "RealEstateViewingTime"


class ViewingCancelSerializer(serializers.Serializer):
    reason = serializers.CharField(
        allow_blank=True, default="", max_length=2000, help_text="Told to the client in the email."
    )

    class Meta:
        ref_name = "RealEstateViewingCancel"


# --- feedback and messages ----------------------------------------------------------------------


class FeedbackPhotoSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = FeedbackPhoto
        fields = ["id", "width", "height", "position", "url"]
        read_only_fields = fields
        ref_name = "RealEstateFeedbackPhoto"

    @_url
    def get_url(self, photo: FeedbackPhoto) -> str | None:
        return media_url("media-feedback-photo", photo.pk)


class VoiceNoteSerializer(serializers.ModelSerializer):
    duration_seconds = serializers.DecimalField(
        max_digits=6, decimal_places=1, coerce_to_string=False, read_only=True
    )
    size = serializers.IntegerField(read_only=True, help_text="In bytes.")
    url = serializers.SerializerMethodField()

    class Meta:
        model = FeedbackVoiceNote
        fields = ["id", "content_type", "duration_seconds", "size", "position", "url"]
        read_only_fields = fields
        ref_name = "RealEstateVoiceNote"

    @_url
    def get_url(self, note: FeedbackVoiceNote) -> str | None:
        return media_url("media-voice-note", note.pk)


class FeedbackSerializer(serializers.ModelSerializer):
    """What a client thought after a viewing."""

    offer = serializers.IntegerField(
        source="offered_id", read_only=True, help_text="The offered property's id."
    )
    contact = serializers.IntegerField(source="offered.deal.contact_id", read_only=True)
    property = serializers.IntegerField(source="offered.property_id", read_only=True)
    property_title = serializers.CharField(source="offered.property.title", read_only=True)
    photos = FeedbackPhotoSerializer(many=True, read_only=True)
    voice_notes = VoiceNoteSerializer(many=True, read_only=True)

    class Meta:
        model = Feedback
        fields = [
            "id",
            "offer",
            "viewing",
            "contact",
            "property",
            "property_title",
            "account",
            "rating",
            "notes",
            "photos",
            "voice_notes",
            "created",
        ]
        read_only_fields = fields
        ref_name = "RealEstateFeedback"


class FeedbackFilterSerializer(serializers.Serializer):
    offer = _id("An offered property's id.")
    contact = _id("A contact id.")
    deal = _id("A deal id.")
    property = _id("A property id.")


class AgentMessageSerializer(serializers.ModelSerializer):
    """A client's message to the office (“contact the agent”) and the office's reply."""

    contact = ContactSummarySerializer(read_only=True)
    offer = serializers.IntegerField(
        source="offered_id", read_only=True, allow_null=True, help_text="The property it is about, if any."
    )
    property = PropertySummarySerializer(
        source="offered.property", read_only=True, allow_null=True, help_text="Null for a general question."
    )
    is_read = serializers.BooleanField(read_only=True)

    class Meta:
        model = AgentMessage
        fields = [
            "id",
            "contact",
            "account",
            "offer",
            "property",
            "subject",
            "body",
            "created",
            "is_read",
            "read_at",
            "replied_at",
            "reply_body",
            "replied_by",
        ]
        read_only_fields = fields
        ref_name = "RealEstateAgentMessage"


class AgentMessageFilterSerializer(serializers.Serializer):
    contact = _id("A contact id.")
    unread = serializers.BooleanField(required=False, help_text="Only unread (true) or read (false) ones.")
    replied = serializers.BooleanField(
        required=False, help_text="Only answered (true) or unanswered (false) ones."
    )


class AgentReplySerializer(serializers.Serializer):
    body = serializers.CharField(
        max_length=5000, help_text="Emailed to the client and kept with the message."
    )

    class Meta:
        ref_name = "RealEstateAgentReply"
