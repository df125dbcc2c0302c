from django import forms

from .models import PortalConfig


class PortalSettingsForm(forms.ModelForm):
    class Meta:
        model = PortalConfig
        fields = [
            "is_active",
            "company_name",
            "portal_name",
            "welcome_message",
            "primary_color",
            "secondary_color",
        ]
        labels = {"is_active": "Portal switched on", "company_name": "Company name"}
        widgets = {
            "primary_color": forms.TextInput(attrs={"type": "color"}),
            "secondary_color": forms.TextInput(attrs={"type": "color"}),
            "welcome_message": forms.Textarea(attrs={"rows": 3}),
        }


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
