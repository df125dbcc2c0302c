import io

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image, ImageOps

from .email_templates import SUBJECT_MAX_LENGTH, email_template_validate
from .models import PortalConfig
from .time_zones import time_zone_choices
from .uploads import image_reencoded

MAX_LOGO_BYTES = 2 * 1024 * 1024
LOGO_MAX_SIDE = 800
LOGO_TYPES = "image/png,image/jpeg,image/gif,image/webp"


def logo_reencoded(upload) -> ContentFile:
    """The uploaded logo, checked and re-encoded by ``uploads.image_reencoded`` (a JPEG, metadata
    dropped); a logo with transparency is re-encoded as a PNG instead, so that it does not turn into
    a black box on the portal's coloured top bar."""
    if upload.size > MAX_LOGO_BYTES:
        raise ValidationError("This logo is too large: the limit is 2 MB.")
    try:
        jpeg = image_reencoded(upload, max_side=LOGO_MAX_SIDE)
    except ValidationError as exc:
        raise ValidationError(
            "This file is not an image we can use as a logo. Upload a PNG, JPEG, GIF or WebP file."
        ) from exc
    upload.seek(0)
    with Image.open(upload) as image:
        if image.mode not in ("RGBA", "LA", "PA") and "transparency" not in image.info:
            jpeg.name = "logo.jpg"
            return jpeg
        image = ImageOps.exif_transpose(image).convert("RGBA")
        image.thumbnail((LOGO_MAX_SIDE, LOGO_MAX_SIDE))
        out = io.BytesIO()
        image.save(out, format="PNG", optimize=True)
    return ContentFile(out.getvalue(), name="logo.png")


class PortalSettingsForm(forms.ModelForm):
    """Every setting of the office's portal, in the sections the settings page shows."""

    logo = forms.FileField(
        required=False,
        label="Logo",
        help_text="PNG, JPEG, GIF or WebP, up to 2 MB. Shown in the portal's top bar.",
        widget=forms.FileInput(attrs={"accept": LOGO_TYPES}),
    )
    remove_logo = forms.BooleanField(required=False, label="Remove the current image")
    cors_origins = forms.CharField(
        required=False,
        label="Your websites",
        help_text="One per line, like https://www.youragency.com. These sites may show the portal "
        "in an iframe and call the client API from the browser. Most offices leave this empty.",
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "https://www.youragency.com"}),
    )
    time_zone = forms.ChoiceField(
        label="Time zone",
        help_text="Your office's local time. Viewing times and other dates are entered and shown in it, "
        "on your pages, on your clients' pages and in their emails. (The API always uses UTC.)",
        error_messages={"invalid_choice": "“%(value)s” is not a time zone: choose one from the list."},
    )

    SECTIONS = [
        ("portal", "Portal", "", ["is_active", "portal_name", "company_name", "welcome_message"]),
        (
            "branding",
            "Branding",
            "Your colours and logo, as your clients see them.",
            ["primary_color", "secondary_color", "logo", "remove_logo"],
        ),
        ("features", "What clients can do", "", ["allow_file_sharing", "show_activity_feed"]),
        ("time", "Time zone", "", ["time_zone"]),
        (
            "security",
            "Sign-in and security",
            "",
            [
                "token_expiration_days",
                "password_policy",
                "client_two_factor",
                "staff_two_factor_required",
            ],
        ),
        ("embedding", "Your website (CORS domains)", "", ["cors_origins"]),
    ]
    # A client that does not send these (an older form, a script) keeps their current values;
    # a checkbox that is not sent is, as in HTML, unticked.
    KEPT_WHEN_MISSING = (
        "token_expiration_days",
        "password_policy",
        "cors_origins",
        "time_zone",
        "client_two_factor",
    )

    class Meta:
        model = PortalConfig
        fields = [
            "is_active",
            "company_name",
            "portal_name",
            "welcome_message",
            "primary_color",
            "secondary_color",
            "allow_file_sharing",
            "show_activity_feed",
            "time_zone",
            "token_expiration_days",
            "password_policy",
            "client_two_factor",
            "staff_two_factor_required",
            "cors_origins",
        ]
        labels = {
            "is_active": "Portal switched on",
            "company_name": "Company name",
            "portal_name": "Portal name",
            "primary_color": "Main colour",
            "secondary_color": "Second colour",
            "allow_file_sharing": "Clients can share files",
            "show_activity_feed": "Show clients their activity",
            "token_expiration_days": "Access links stay valid for (days)",
            "password_policy": "Client passwords",
        }
        help_texts = {
            "is_active": "Clients can sign in while the portal is on. Switching it off keeps all data.",
            "portal_name": "The name at the top of every portal page.",
            "welcome_message": "Shown on the portal's home page.",
            "primary_color": "Buttons and highlights.",
            "secondary_color": "The top bar and links.",
            "allow_file_sharing": "Clients can upload files for you and download the files you share.",
            "show_activity_feed": "A list of what happened on their account, on the portal's home page.",
            "token_expiration_days": "Reusable access links (sent by you or through the API) stop working "
            "after this many days: 1 to 365.",
        }
        widgets = {
            "primary_color": forms.TextInput(attrs={"type": "color"}),
            "secondary_color": forms.TextInput(attrs={"type": "color"}),
            "welcome_message": forms.Textarea(attrs={"rows": 3}),
            "token_expiration_days": forms.NumberInput(attrs={"min": 1, "max": 365, "inputmode": "numeric"}),
            "password_policy": forms.RadioSelect,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial["cors_origins"] = "\n".join(self.instance.cors_origins)
        self.fields["time_zone"].choices = time_zone_choices(self.instance.time_zone)
        missing = [name for name in self.KEPT_WHEN_MISSING if self.is_bound and name not in self.data]
        if missing:
            self.data = self.data.copy()
            for name in missing:
                self.data[name] = str(self.initial[name])
        if not self.instance.portal_logo:
            del self.fields["remove_logo"]

    def clean_cors_origins(self) -> list[str]:
        from .embedding import origins_clean

        return origins_clean(self.cleaned_data.get("cors_origins") or "")

    def clean_logo(self):
        upload = self.cleaned_data.get("logo")
        return logo_reencoded(upload) if upload else None

    def sections(self) -> list[dict]:
        return [
            {
                "key": key,
                "title": title,
                "description": description,
                "fields": [self[name] for name in names if name in self.fields],
            }
            for key, title, description, names in self.SECTIONS
        ]

    def changes(self) -> dict:
        """The configuration fields to save, the logo included when it was replaced or removed."""
        fields = {name: self.cleaned_data[name] for name in self.Meta.fields}
        if self.cleaned_data.get("logo"):
            fields["portal_logo"] = self.cleaned_data["logo"]
        elif self.cleaned_data.get("remove_logo"):
            fields["portal_logo"] = ""
        return fields


class EmailSettingsForm(forms.ModelForm):
    class Meta:
        model = PortalConfig
        fields = ["email_from_name", "email_reply_to"]
        labels = {"email_from_name": "Sender name", "email_reply_to": "Reply-to address"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = True


class ApiKeyForm(forms.Form):
    name = forms.CharField(max_length=80, help_text="What the key is for, e.g. “Website widget”.")
    scopes = forms.MultipleChoiceField(
        choices=[("read", "Read"), ("write", "Write")],
        initial=["read", "write"],
        widget=forms.CheckboxSelectMultiple,
    )
    expires_at = forms.DateTimeField(
        required=False, help_text="Optional.", widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        zone = timezone.get_current_timezone_name()
        self.fields["expires_at"].help_text = f"Optional. In your office's time zone ({zone})."


class EmailTemplateForm(forms.Form):
    """The subject and body of one kind of email in one language; tokens are checked here and again
    by ``email_templates.email_template_save``."""

    subject = forms.CharField(max_length=SUBJECT_MAX_LENGTH, label="Subject")
    body = forms.CharField(
        label="Text",
        widget=forms.Textarea(attrs={"rows": 14, "spellcheck": "true"}),
        error_messages={"required": "Write the text of the email."},
    )

    def __init__(self, *args, kind: str, language: str, **kwargs):
        self.kind, self.language = kind, language
        super().__init__(*args, **kwargs)
        self.fields["subject"].error_messages["required"] = "Write a subject."

    def clean(self):
        cleaned = super().clean()
        try:
            email_template_validate(
                kind=self.kind,
                language=self.language,
                subject=cleaned.get("subject", ""),
                body=cleaned.get("body", ""),
            )
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                if field not in self.errors:  # a field's own error (required, too long) says it already
                    self.add_error(None if field == NON_FIELD_ERRORS else field, messages)
        return cleaned


class StaffProfileForm(forms.Form):
    """A staff member's own name (the office shows it in its menu and activity)."""

    first_name = forms.CharField(max_length=150, label="First name")
    last_name = forms.CharField(max_length=150, required=False, label="Last name")
