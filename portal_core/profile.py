"""What a client changes about themselves: details, language, password, photo, onboarding, files."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .activity import activity_record
from .models import ActivityEntry, PortalAccount, SharedFile
from .passwords import validate_client_password
from .selectors import portal_config_get
from .uploads import document_checked, image_reencoded


class DetailsForm(forms.Form):
    first_name = forms.CharField(label=gettext_lazy("First name"), max_length=80)
    last_name = forms.CharField(label=gettext_lazy("Last name"), max_length=80, required=False)
    phone = forms.CharField(label=gettext_lazy("Phone"), max_length=40, required=False)

    def __init__(self, *args, account: PortalAccount, **kwargs):
        contact = account.contact
        if contact is not None:
            kwargs.setdefault(
                "initial",
                {"first_name": contact.first_name, "last_name": contact.last_name, "phone": contact.phone},
            )
        super().__init__(*args, **kwargs)


class LanguageForm(forms.Form):
    language = forms.ChoiceField(label=gettext_lazy("Language"), choices=settings.LANGUAGES)


class ChangePasswordForm(forms.Form):
    current_password = forms.CharField(
        label=gettext_lazy("Current password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    new_password = forms.CharField(
        label=gettext_lazy("New password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, account: PortalAccount, **kwargs):
        self.account = account
        super().__init__(*args, **kwargs)

    def clean_current_password(self):
        value = self.cleaned_data["current_password"]
        if not check_password(value, self.account.password):
            raise ValidationError(_("Your current password is not right."))
        return value

    def clean_new_password(self):
        value = self.cleaned_data["new_password"]
        validate_client_password(value, policy=portal_config_get().password_policy)
        return value


def details_update(*, account: PortalAccount, first_name: str, last_name: str, phone: str) -> None:
    contact = account.contact
    if contact is None:
        return
    contact.first_name, contact.last_name, contact.phone = first_name, last_name, phone
    contact.full_clean()
    contact.save()
    activity_record(
        account=account,
        verb="profile_updated",
        actor=ActivityEntry.Actor.CLIENT,
    )


def language_update(*, account: PortalAccount, language: str) -> None:
    holder = account.holder
    holder.language = language
    holder.save(update_fields=["language"])


def photo_update(*, account: PortalAccount, upload) -> None:
    contact = account.contact
    if contact is None:
        raise ValidationError(_("Company accounts have no profile photo."))
    photo = image_reencoded(upload, max_side=600)
    if contact.photo:
        contact.photo.delete(save=False)
    contact.photo.save(f"contact-{contact.pk}.jpg", photo, save=True)


def photo_remove(*, account: PortalAccount) -> None:
    contact = account.contact
    if contact is not None and contact.photo:
        contact.photo.delete(save=True)


def onboarding_finish(*, account: PortalAccount) -> None:
    account.onboarding_completed = True
    account.save(update_fields=["onboarding_completed"])


def tour_finish(*, account: PortalAccount) -> None:
    account.onboarding_completed = True
    account.tour_completed = True
    account.save(update_fields=["onboarding_completed", "tour_completed"])


def tour_restart(*, account: PortalAccount) -> None:
    account.tour_completed = False
    account.save(update_fields=["tour_completed"])


def shared_file_upload(
    *, account: PortalAccount, upload, uploaded_by: str, actor_label: str = ""
) -> SharedFile:
    """Share a checked file between the office and this client."""
    content_type, name = document_checked(upload)
    if content_type.startswith("image/"):
        upload = image_reencoded(upload)
        content_type, name = "image/jpeg", name.rsplit(".", 1)[0] + ".jpg"
    shared = SharedFile(
        account=account, name=name, size=upload.size, content_type=content_type, uploaded_by=uploaded_by
    )
    shared.file.save(name, upload, save=False)
    shared.save()
    activity_record(
        account=account,
        verb="file_shared",
        params={"name": name, "by": "client" if uploaded_by == "client" else "office"},
        actor=ActivityEntry.Actor.CLIENT if uploaded_by == "client" else ActivityEntry.Actor.STAFF,
        actor_label=actor_label,
        data={"name": name},
    )
    return shared
