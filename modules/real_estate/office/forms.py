"""Forms of the office's real-estate pages. They check what a browser sends; the services check the
business rules and the views put their refusals back on these forms (the shell's ``errors_onto``)."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from portal_core.models import Contact

from ..models import FEATURES_MAX, Deal, Property, features_clean
from ..services import MAX_MESSAGE_LENGTH, PROPERTY_FIELDS

ANY = [("", "Any")]
DATETIME_LOCAL = "%Y-%m-%dT%H:%M"
COORDINATE_PLACES = Decimal("0.000001")


class DateTimeLocalField(forms.DateTimeField):
    """A ``<input type="datetime-local">``, read in the office's time zone."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL)

    def __init__(self, **kwargs):
        kwargs.setdefault("input_formats", [DATETIME_LOCAL, "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"])
        super().__init__(**kwargs)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleImageField(forms.FileField):
    """Several files from one ``<input type="file" multiple>``: a list of uploads."""

    widget = MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,image/gif"})

    def clean(self, data, initial=None):
        uploads = data if isinstance(data, list | tuple) else [data] if data else []
        uploads = [upload for upload in uploads if upload]
        if self.required and not uploads:
            raise ValidationError(self.error_messages["required"], code="required")
        return [super(MultipleImageField, self).clean(upload, initial) for upload in uploads]


# --- properties ---------------------------------------------------------------------------------


class CoordinateField(forms.DecimalField):
    """Degrees, with as many decimals as a map gives (rounded to the six the database keeps)."""

    def __init__(self, *, limit: int, **kwargs):
        super().__init__(
            required=False,
            min_value=-limit,
            max_value=limit,
            widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
            **kwargs,
        )

    def to_python(self, value):
        value = super().to_python(value)
        return None if value is None else value.quantize(COORDINATE_PLACES)


class PropertyForm(forms.ModelForm):
    """Every field of a property; the features as one per line."""

    features = forms.CharField(
        label="Features",
        required=False,
        widget=forms.Textarea(
            attrs={"rows": 5, "placeholder": "Garden facing south\nRoof terrace\nNew kitchen"}
        ),
        help_text=f"One per line, up to {FEATURES_MAX}. Clients see them as a list.",
    )
    latitude = CoordinateField(limit=90, label="Latitude", help_text="For example 52.370216.")
    longitude = CoordinateField(limit=180, label="Longitude", help_text="For example 4.895168.")

    SECTIONS = [
        ("The property", ["title", "property_type", "status", "description"]),
        ("Address", ["street", "postal_code", "city", "country", "latitude", "longitude"]),
        ("Price and size", ["price", "currency", "rooms", "bedrooms", "living_area", "plot_area"]),
        ("Features and energy", ["features", "energy_label"]),
    ]

    class Meta:
        model = Property
        fields = list(PROPERTY_FIELDS)
        labels = {
            "title": "Title",
            "street": "Street and number",
            "postal_code": "Postal code",
            "city": "City",
            "country": "Country",
            "price": "Asking price",
            "currency": "Currency",
            "property_type": "Type",
            "rooms": "Rooms",
            "bedrooms": "Bedrooms",
            "living_area": "Living area (m²)",
            "plot_area": "Plot area (m²)",
            "description": "Description",
            "energy_label": "Energy label",
            "status": "Status",
        }
        help_texts = {
            "title": "What clients see first, like “Family home with a garden”.",
            "currency": "Three letters, like EUR.",
        }
        widgets = {
            "description": forms.Textarea(attrs={"rows": 6}),
            "price": forms.NumberInput(attrs={"min": 0, "step": "any", "inputmode": "decimal"}),
            "currency": forms.TextInput(attrs={"maxlength": 3, "size": 3, "autocapitalize": "characters"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["energy_label"].choices = [("", "No label")] + list(Property.EnergyLabel.choices)
        if self.instance.pk and not self.is_bound:
            self.initial["features"] = "\n".join(self.instance.features or [])
        self.fields["title"].widget.attrs["autofocus"] = not self.instance.pk

    def clean_features(self) -> list[str]:
        lines = self.cleaned_data["features"].splitlines()
        return features_clean([line for line in lines if line.strip()])

    def clean_currency(self) -> str:
        return (self.cleaned_data["currency"] or "").strip().upper()

    def service_data(self) -> dict:
        """The fields as ``services.property_create`` / ``property_update`` take them."""
        return {name: self.cleaned_data[name] for name in PROPERTY_FIELDS}

    def sections(self):
        return [(title, [self[name] for name in names]) for title, names in self.SECTIONS]


class PropertyFilterForm(forms.Form):
    q = forms.CharField(
        label="Search",
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Title or address"}),
    )
    status = forms.ChoiceField(label="Status", required=False, choices=ANY + Property.Status.choices)
    type = forms.ChoiceField(label="Type", required=False, choices=ANY + Property.Type.choices)
    city = forms.ChoiceField(label="City", required=False, choices=ANY)
    price_min = forms.DecimalField(
        label="Price from", required=False, min_value=0, widget=forms.NumberInput(attrs={"step": "any"})
    )
    price_max = forms.DecimalField(
        label="Price to", required=False, min_value=0, widget=forms.NumberInput(attrs={"step": "any"})
    )

    def __init__(self, *args, cities: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["city"].choices = ANY + [(city, city) for city in cities]

    def filters(self) -> dict:
        """The valid filters (a bad value is shown as an error on its field and ignored)."""
        self.is_valid()
        data = self.cleaned_data
        low, high = data.get("price_min"), data.get("price_max")
        if low is not None and high is not None and low > high:
            low, high = high, low
        return {
            "query": data.get("q") or "",
            "status": data.get("status") or "",
            "property_type": data.get("type") or "",
            "city": data.get("city") or "",
            "min_price": low,
            "max_price": high,
        }


class PropertyStatusForm(forms.Form):
    status = forms.ChoiceField(label="Status", choices=Property.Status.choices)


class PhotoUploadForm(forms.Form):
    photos = MultipleImageField(
        label="Add photos",
        help_text="Choose one or several at once: JPEG, PNG, WebP or GIF, up to 10 MB each. "
        "Location data is removed.",
    )


class PhotoCaptionForm(forms.Form):
    caption = forms.CharField(label="Caption", required=False, max_length=200)


class PhotoOrderForm(forms.Form):
    order = forms.CharField(widget=forms.HiddenInput)

    def clean_order(self) -> list[int]:
        parts = [part for part in self.cleaned_data["order"].split(",") if part.strip()]
        if not parts or not all(part.strip().isdigit() for part in parts):
            raise ValidationError("Send the photos' new order.")
        return [int(part) for part in parts]


class PhotoMoveForm(forms.Form):
    direction = forms.ChoiceField(choices=[("up", "Up"), ("down", "Down")])


# --- deals --------------------------------------------------------------------------------------


class ContactChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Contact) -> str:
        return f"{obj.full_name} ({obj.email})" if obj.email else obj.full_name


class DealCreateForm(forms.ModelForm):
    contact = ContactChoiceField(
        label="Client", queryset=Contact.objects.none(), empty_label="Choose a contact"
    )

    class Meta:
        model = Deal
        fields = ["contact", "title", "notes"]
        labels = {"title": "Title", "notes": "Notes for the office"}
        help_texts = {
            "title": "What the client is looking for, like “Family home near Haarlem”. The client "
            "does not see it.",
            "notes": "Only the office sees these.",
        }
        widgets = {"notes": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, fixed_contact: Contact | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        contacts = Contact.objects.order_by("last_name", "first_name", "id")
        if fixed_contact is not None:
            contacts = contacts.filter(pk=fixed_contact.pk)
            self.fields["contact"].widget = forms.HiddenInput()
            self.initial["contact"] = fixed_contact.pk
        self.fields["contact"].queryset = contacts
        self.fields["title"].widget.attrs["autofocus"] = True


class DealEditForm(forms.ModelForm):
    class Meta:
        model = Deal
        fields = ["title", "status", "notes"]
        labels = {"title": "Title", "status": "Status", "notes": "Notes for the office"}
        help_texts = {"status": "A won or lost deal takes no new offers; its properties stay in the portal."}
        widgets = {"notes": forms.Textarea(attrs={"rows": 4})}


class DealStatusForm(forms.Form):
    status = forms.ChoiceField(label="Status", choices=Deal.Status.choices)


class DealFilterForm(forms.Form):
    q = forms.CharField(
        label="Search",
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Deal or client"}),
    )
    status = forms.ChoiceField(label="Status", required=False, choices=ANY + Deal.Status.choices)
    contact = ContactChoiceField(
        label="Client", required=False, queryset=Contact.objects.none(), empty_label="Any"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contact"].queryset = Contact.objects.filter(
            pk__in=Deal.objects.values("contact_id")
        ).order_by("last_name", "first_name", "id")

    def filters(self) -> dict:
        self.is_valid()
        data = self.cleaned_data
        return {
            "query": data.get("q") or "",
            "status": data.get("status") or "",
            "contact": data.get("contact"),
        }


class PropertyChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Property) -> str:
        return obj.title


class OfferForm(forms.Form):
    properties = PropertyChoiceField(
        label="Properties to offer",
        queryset=Property.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one property to offer."},
    )

    def __init__(self, *args, offerable, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["properties"].queryset = offerable


# --- viewings -----------------------------------------------------------------------------------


class SlotChoiceForm(forms.Form):
    """Confirm one of the client's preferred times."""

    slot = forms.ModelChoiceField(
        queryset=None, error_messages={"invalid_choice": "Choose one of the times."}
    )

    def __init__(self, *args, viewing, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slot"].queryset = viewing.slots.all()


class ViewingTimeForm(forms.Form):
    """Propose another time, or move a confirmed viewing."""

    start = DateTimeLocalField(label="Date and time")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[
            "start"
        ].help_text = f"In your office's time zone ({timezone.get_current_timezone_name()})."


class ViewingCancelForm(forms.Form):
    reason = forms.CharField(
        label="Reason (sent to the client)",
        required=False,
        max_length=1000,
        widget=forms.Textarea(
            attrs={"rows": 2, "placeholder": "For example: the property is no longer available"}
        ),
    )


# --- messages -----------------------------------------------------------------------------------


class ReplyForm(forms.Form):
    body = forms.CharField(
        label="Your reply",
        max_length=MAX_MESSAGE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Emailed to the client in their language's template; it is kept with the message.",
    )
