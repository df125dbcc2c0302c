"""Forms of the office's contacts and companies pages."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model

from .models import Company, Contact, PortalAccount
from .tasks import BULK_ACTIONS

ANY = [("", "Any")]


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        name = obj.get_full_name()
        return f"{name} ({obj.email})" if name and obj.email else name or obj.email or obj.get_username()


class ContactForm(forms.ModelForm):
    owner = StaffChoiceField(
        queryset=get_user_model().objects.none(),
        required=False,
        empty_label="Nobody yet",
        help_text="The staff member who looks after this client.",
    )

    class Meta:
        model = Contact
        fields = ["first_name", "last_name", "email", "phone", "language", "company", "owner"]
        widgets = {
            "email": forms.EmailInput(attrs={"autocomplete": "off"}),
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
        }
        help_texts = {"email": "Several contacts may share one email; each keeps their own portal account."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = get_user_model().objects.filter(is_staff=True, is_active=True)
        self.fields["company"].empty_label = "No company"
        self.fields["company"].queryset = Company.objects.order_by("name")
        self.fields["first_name"].widget.attrs["autofocus"] = True


class CompanyForm(forms.ModelForm):
    website = forms.URLField(label="Website", required=False, max_length=200, assume_scheme="https")

    class Meta:
        model = Company
        fields = ["name", "email", "phone", "website", "language"]
        widgets = {"phone": forms.TextInput(attrs={"type": "tel"})}
        help_texts = {"email": "Used for the company's own portal account, if you give it one."}


class ContactFilterForm(forms.Form):
    q = forms.CharField(
        label="Search",
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Name, email, phone or company"}),
    )
    status = forms.ChoiceField(label="Portal", required=False, choices=ANY + PortalAccount.Status.choices)
    source = forms.ChoiceField(label="Source", required=False, choices=ANY + Contact.Source.choices)
    language = forms.ChoiceField(label="Language", required=False, choices=ANY + list(settings.LANGUAGES))
    company = forms.ModelChoiceField(
        label="Company", required=False, queryset=Company.objects.none(), empty_label="Any"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["company"].queryset = Company.objects.order_by("name")

    def filters(self) -> dict:
        """The valid filters; a bad value (an old bookmark) is ignored rather than refused."""
        data = {}
        for name, form_field in self.fields.items():
            try:
                data[name] = form_field.clean(self.data.get(name, ""))
            except forms.ValidationError:
                data[name] = form_field.clean("") if name != "company" else None
        data["query"] = data.pop("q") or ""
        return data


class CompanySearchForm(forms.Form):
    q = forms.CharField(
        label="Search",
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Name, email or phone"}),
    )


class InviteForm(forms.Form):
    LINK = "link"
    TEMPORARY_PASSWORD = "temporary_password"  # noqa: S105 - a choice value, not a password

    delivery = forms.ChoiceField(
        label="How they get in",
        choices=[
            (LINK, "Email a link to set their own password"),
            (TEMPORARY_PASSWORD, "Email a temporary password (they choose their own at first sign-in)"),
        ],
        initial=LINK,
        widget=forms.RadioSelect,
    )
    custom_message = forms.CharField(
        label="Personal message (optional)",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "Shown in the invitation email"}),
    )


class SharedFileForm(forms.Form):
    file = forms.FileField(label="File", help_text="PDF, image, office document or text; up to 20 MB.")


class ImportForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text="UTF-8, with a header row; up to 5 MB and 10,000 rows.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )


class BulkForm(forms.Form):
    action = forms.ChoiceField(choices=list(BULK_ACTIONS.items()))
    contact = forms.ModelMultipleChoiceField(
        queryset=Contact.objects.all(),
        error_messages={
            "required": "Select at least one contact first.",
            "invalid_choice": "Some selected contacts no longer exist. Reload the page and try again.",
        },
    )
