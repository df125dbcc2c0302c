"""The client's forms. They only parse what the browser sent; every business rule (reasons when
rejecting, 1 to 3 distinct future times, 1 to 5 stars, what a photo or a voice note must be) lives in
``services``, whose ``ValidationError`` the views put back on these forms, field by field."""

from __future__ import annotations

from datetime import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import from_current_timezone
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import OfferedProperty, RejectionReason
from ..services import MAX_FEEDBACK_PHOTOS, MAX_FEEDBACK_VOICE_NOTES, MAX_MESSAGE_LENGTH, MAX_VIEWING_SLOTS

NOTE_MAX_LENGTH = 2000
SLOT_INPUT_FORMATS = ("%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S")
SLOT_LABELS = (_("First choice"), _("Second choice (optional)"), _("Third choice (optional)"))


class InterestForm(forms.Form):
    interest = forms.ChoiceField(
        choices=[
            (OfferedProperty.Interest.INTERESTED, _("Interested")),
            (OfferedProperty.Interest.REJECTED, _("Not interested")),
        ],
        widget=forms.HiddenInput,
    )
    reasons = forms.MultipleChoiceField(
        label=_("Why not?"),
        choices=RejectionReason.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    note = forms.CharField(
        label=_("Anything else your agent should know? (optional)"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class SlotsWidget(forms.Widget):
    """Up to three ``datetime-local`` inputs sharing one name, so the browser sends a list."""

    template_name = "real_estate/portal/widgets/slots.html"

    def value_from_datadict(self, data, files, name):
        return data.getlist(name) if hasattr(data, "getlist") else data.get(name, [])

    def value_omitted_from_data(self, data, files, name):
        return name not in data

    def format_value(self, value):
        values = []
        for item in value or ():
            if isinstance(item, datetime):
                item = timezone.localtime(item).strftime("%Y-%m-%dT%H:%M")
            values.append(item or "")
        return values

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        values = self.format_value(value)
        shown = max(MAX_VIEWING_SLOTS, len(values))
        values = values + [""] * (shown - len(values))
        base_id = context["widget"]["attrs"].get("id") or f"id_{name}"
        labels = [*SLOT_LABELS, *[_("Another choice")] * (shown - len(SLOT_LABELS))]
        context["widget"]["slots"] = [
            {"id": f"{base_id}_{index}", "value": item, "label": labels[index], "required": index == 0}
            for index, item in enumerate(values)
        ]
        context["widget"]["min"] = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
        return context


class SlotsField(forms.Field):
    """The filled-in date-times (blanks skipped), as aware datetimes in the current time zone, the
    office's; a time a clock change skips or repeats is refused, as Django's ``DateTimeField`` does.
    Whether they are future, distinct and at most three is for ``services.viewing_slots_clean``."""

    widget = SlotsWidget
    default_error_messages = {"invalid": _("Enter a date and a time, such as 2026-05-14 14:30.")}

    def to_python(self, value):
        if isinstance(value, str):
            value = [value]
        slots = []
        for item in value or ():
            item = (item or "").strip()
            if not item:
                continue
            for fmt in SLOT_INPUT_FORMATS:
                try:
                    parsed = datetime.strptime(item, fmt)  # noqa: DTZ007 - made aware just below
                except ValueError:
                    continue
                slots.append(from_current_timezone(parsed))
                break
            else:
                raise ValidationError(self.error_messages["invalid"], code="invalid")
        return slots

    def validate(self, value):
        """Nothing to add: an empty list gets the service's own message."""


class ViewingRequestForm(forms.Form):
    slots = SlotsField(label=_("When would you like to visit?"), required=False)
    note = forms.CharField(
        label=_("A note for your agent (optional)"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        # Its own id: the property page also holds the interest form, whose note is ``id_note``.
        widget=forms.Textarea(attrs={"rows": 2, "id": "id_viewing_note"}),
    )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class FilesField(forms.FileField):
    """Any number of files under one name (their number and content are checked by the service)."""

    widget = MultipleFileInput

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if not data:
            return []
        files = data if isinstance(data, list | tuple) else [data]
        return [super(FilesField, self).clean(upload, initial) for upload in files if upload]


class FeedbackForm(forms.Form):
    rating = forms.CharField(label=_("Your rating"), required=False)
    notes = forms.CharField(
        label=_("Your notes"),
        required=False,
        max_length=MAX_MESSAGE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    photos = FilesField(
        label=_("Photos"),
        widget=MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/gif,image/webp"}),
    )
    voice_notes = FilesField(
        label=_("Voice notes"),
        widget=MultipleFileInput(attrs={"accept": "audio/*"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["photos"].help_text = _("Up to %(max)d photos (JPEG, PNG, GIF or WebP, 10 MB each).") % {
            "max": MAX_FEEDBACK_PHOTOS
        }
        self.fields["voice_notes"].help_text = _(
            "Up to %(max)d recordings of at most 5 minutes each (WebM, Ogg, MP3, M4A or WAV)."
        ) % {"max": MAX_FEEDBACK_VOICE_NOTES}


class AgentMessageForm(forms.Form):
    offer = forms.IntegerField(required=False, widget=forms.HiddenInput)
    subject = forms.CharField(label=_("Subject (optional)"), required=False, max_length=200)
    body = forms.CharField(
        label=_("Your message"),
        required=False,
        max_length=MAX_MESSAGE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
    )


class CancelViewingForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (optional)"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
