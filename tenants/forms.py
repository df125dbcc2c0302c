from django import forms
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError

from .models import Tenant
from .time_zones import time_zone_choices
from .validators import validate_subdomain


class SubdomainField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 40)
        kwargs.setdefault("help_text", "Letters, digits and hyphens. Your portal will live at this address.")
        super().__init__(**kwargs)

    def to_python(self, value):
        return (super().to_python(value) or "").strip().lower()

    def validate(self, value):
        super().validate(value)
        validate_subdomain(value)
        if Tenant.objects.filter(slug=value).exists():
            raise ValidationError(f"The subdomain “{value}” is already taken. Please choose another.")


class SignupForm(forms.Form):
    office_name = forms.CharField(label="Office name", max_length=120)
    subdomain = SubdomainField(label="Subdomain")
    owner_name = forms.CharField(label="Your name", max_length=120)
    email = forms.EmailField(label="Work email")
    password = forms.CharField(
        label="Password",
        widget=forms.PasswordInput(render_value=False),
        strip=False,
        help_text="At least 8 characters, not a common password.",
    )
    time_zone = forms.ChoiceField(
        label="Time zone",
        help_text=(
            "Times in your office and portal are shown in it. Taken from your browser; "
            "you can change it in Settings."
        ),
        widget=forms.Select(attrs={"data-guess-time-zone": ""}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = [("", "Choose your time zone"), *time_zone_choices()]

    def clean(self):
        data = super().clean()
        password = data.get("password")
        if password:
            from django.contrib.auth.models import User

            probe = User(
                username=data.get("email", ""),
                email=data.get("email", ""),
                first_name=data.get("owner_name", ""),
            )
            try:
                password_validation.validate_password(password, probe)
            except ValidationError as exc:
                self.add_error("password", exc)
        return data


class VerifyForm(forms.Form):
    code = forms.CharField(
        label="Verification code",
        max_length=12,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )


class ChangeSubdomainForm(forms.Form):
    subdomain = SubdomainField(label="Another subdomain")


class FindOfficeForm(forms.Form):
    email = forms.EmailField(label="Your work email", max_length=254)


class DocumentVerifyForm(forms.Form):
    document = forms.FileField(label="The PDF to check", allow_empty_file=False)

    def clean_document(self):
        from .sealing import MAX_VERIFY_BYTES

        upload = self.cleaned_data["document"]
        if upload.size > MAX_VERIFY_BYTES:
            raise forms.ValidationError("This file is larger than any document Portico seals (20 MB).")
        return upload
