"""What the resource API reads and writes. Each resource has one output serializer (its schema
component), one for writes and one for its list filters (query parameters); errors have two shapes."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.validators import RegexValidator
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema_field
from rest_framework import serializers

from ..models import ActivityEntry, Company, Contact, PortalAccount

STATUS_CHOICES = PortalAccount.Status.choices
# A contact's or company's step in the portal: "not invited" also covers having no account yet.
PORTAL_STATUS_CHOICES = [
    (PortalAccount.Status.NOT_INVITED.value, "Not invited, or no portal account yet"),
    *(choice for choice in STATUS_CHOICES if choice[0] != PortalAccount.Status.NOT_INVITED),
]


def _blank_or(kind: str) -> serializers.CharField:
    """An email or URL that may be empty: documented as a string, since ``format: email`` or
    ``uri`` would call the empty value invalid."""
    return serializers.CharField(read_only=True, help_text=f"An {kind}, or empty when there is none.")


# What the API takes as a website: an http(s) URL on a named (ASCII) host, with a path and a query
# but no port, user or fragment. It is stricter than Django's URL check, so every URL the schema's
# pattern allows is one the API takes, and no other.
WEB_URL = (
    r"^https?://[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*"
    r"\.[A-Za-z]{2,63}(/[A-Za-z0-9._~!$&'()*+,;=:@/-]*)?(\?[A-Za-z0-9._~!$&'()*+,;=:@/?-]*)?$"
)


class WebURLField(serializers.URLField):
    """A website's address (``WEB_URL``), at most 200 characters (the model's limit)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 200)
        super().__init__(**kwargs)
        self.validators.append(RegexValidator(WEB_URL, "Enter a website's http:// or https:// address."))


def _portal_status(holder) -> str:
    account = getattr(holder, "portal_account", None)
    return account.status if account is not None else PortalAccount.Status.NOT_INVITED


# --- errors -------------------------------------------------------------------------------------


class ErrorSerializer(serializers.Serializer):
    message = serializers.CharField()

    class Meta:
        ref_name = "Error"


class ValidationErrorSerializer(serializers.Serializer):
    message = serializers.CharField(help_text="The first problem, readable as it is.")
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="Each field's problems, by field name (``non_field_errors`` for the body as a whole); "
        "absent when the body is not JSON at all.",
    )

    class Meta:
        ref_name = "ValidationError"


_ERRORS = {
    400: (
        "invalid_input",
        "Invalid input: a field or query parameter is not valid, or names a row that is not there; "
        "each under its name in errors",
        {"message": "Invalid input.", "errors": {"email": ["Enter a valid email address."]}},
    ),
    401: (
        "unauthorized",
        "Missing, invalid or revoked token, or a token of another portal",
        {"message": "Invalid or revoked API key."},
    ),
    403: (
        "forbidden",
        "This token may not do this (a read-only key, or a token of the wrong kind)",
        {"message": "This API key may only read."},
    ),
    404: ("not_found", "Not found in this portal", {"message": "Not found."}),
    429: (
        "rate_limited",
        "Over the per-token rate limit; see Retry-After",
        {"message": "Too many requests: the limit is per minute and per token. Try again in 12 seconds."},
    ),
    500: (
        "send_failed",
        "The email could not be sent",
        {"message": "Failed to send portal invitation: Connection refused"},
    ),
}


def error_responses(*codes: int, model: str = "") -> dict[int, OpenApiResponse]:
    """Schema entries for the error answers an endpoint gives (401, 403 and 429 always); ``model``
    names what a 404 did not find."""
    responses = {}
    for code in sorted({401, 403, 429, *codes}):
        name, description, example = _ERRORS[code]
        if code == 404 and model:
            example = {"message": f"{model} not found."}
        responses[code] = OpenApiResponse(
            ValidationErrorSerializer if code == 400 else ErrorSerializer,
            description=description,
            examples=[OpenApiExample(name, value=example, summary=description)],
        )
    return responses


# --- contacts -----------------------------------------------------------------------------------


class ContactSerializer(serializers.ModelSerializer):
    email = _blank_or("email address")
    full_name = serializers.CharField(read_only=True)
    portal_status = serializers.SerializerMethodField()
    portal_account = serializers.SerializerMethodField()
    email_shared = serializers.SerializerMethodField(
        help_text="Another contact has the same email address (an “email conflict”)."
    )

    class Meta:
        model = Contact
        fields = [
            "id",
            "first_name",
            "last_name",
            "full_name",
            "email",
            "phone",
            "language",
            "company",
            "owner",
            "source",
            "portal_status",
            "portal_account",
            "email_shared",
            "created",
            "updated",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=PORTAL_STATUS_CHOICES))
    def get_portal_status(self, contact: Contact) -> str:
        return _portal_status(contact)

    def get_portal_account(self, contact: Contact) -> int | None:
        account = getattr(contact, "portal_account", None)
        return account.pk if account is not None else None

    def get_email_shared(self, contact: Contact) -> bool:
        return bool(getattr(contact, "email_shared", False))


class ContactWriteSerializer(serializers.Serializer):
    """Create (``source`` is ``api``) and replace a contact; PATCH sends only what changes."""

    first_name = serializers.CharField(max_length=80)
    last_name = serializers.CharField(max_length=80, allow_blank=True, default="")
    email = serializers.EmailField(allow_blank=True, default="")
    phone = serializers.CharField(max_length=40, allow_blank=True, default="")
    language = serializers.ChoiceField(choices=settings.LANGUAGES, default="en")
    company = serializers.PrimaryKeyRelatedField(
        queryset=Company.objects.all(), allow_null=True, default=None
    )
    owner = serializers.PrimaryKeyRelatedField(
        queryset=get_user_model().objects.filter(is_staff=True, is_active=True),
        allow_null=True,
        default=None,
        help_text="The id of the staff member who looks after this client.",
    )


class ContactFilterSerializer(serializers.Serializer):
    q = serializers.CharField(
        required=False, help_text="Every word must match the name, email, phone or company name."
    )
    email = serializers.EmailField(required=False, help_text="Exactly this email (any case).")
    company = serializers.IntegerField(required=False, min_value=1, help_text="A company id.")
    source = serializers.ChoiceField(choices=Contact.Source.choices, required=False)
    language = serializers.ChoiceField(choices=settings.LANGUAGES, required=False)
    portal_status = serializers.ChoiceField(
        choices=PORTAL_STATUS_CHOICES,
        required=False,
        help_text="Contacts without an account are not invited.",
    )
    updated_since = serializers.DateTimeField(required=False, help_text="Changed at or after (ISO 8601).")


# --- companies ----------------------------------------------------------------------------------


class CompanySerializer(serializers.ModelSerializer):
    email = _blank_or("email address")
    website = _blank_or("URL")
    portal_status = serializers.SerializerMethodField()
    portal_account = serializers.SerializerMethodField()
    contact_count = serializers.SerializerMethodField()

    class Meta:
        model = Company
        fields = [
            "id",
            "name",
            "email",
            "phone",
            "website",
            "language",
            "contact_count",
            "portal_status",
            "portal_account",
            "created",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=PORTAL_STATUS_CHOICES))
    def get_portal_status(self, company: Company) -> str:
        return _portal_status(company)

    def get_portal_account(self, company: Company) -> int | None:
        account = getattr(company, "portal_account", None)
        return account.pk if account is not None else None

    def get_contact_count(self, company: Company) -> int:
        count = getattr(company, "contact_count", None)
        return count if count is not None else company.contacts.count()


class CompanyWriteSerializer(serializers.Serializer):
    """Create and replace a company; PATCH sends only what changes."""

    name = serializers.CharField(max_length=160)
    email = serializers.EmailField(allow_blank=True, default="")
    phone = serializers.CharField(max_length=40, allow_blank=True, default="")
    website = WebURLField(allow_blank=True, default="")
    language = serializers.ChoiceField(choices=settings.LANGUAGES, default="en")


class CompanyFilterSerializer(serializers.Serializer):
    q = serializers.CharField(required=False, help_text="Every word must match the name, email or phone.")
    email = serializers.EmailField(required=False, help_text="Exactly this email (any case).")
    language = serializers.ChoiceField(choices=settings.LANGUAGES, required=False)
    portal_status = serializers.ChoiceField(
        choices=PORTAL_STATUS_CHOICES,
        required=False,
        help_text="Companies without an account are not invited.",
    )
    created_since = serializers.DateTimeField(required=False, help_text="Created at or after (ISO 8601).")


# --- portal accounts ----------------------------------------------------------------------------


class PortalAccountSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="display_name", read_only=True)
    email = _blank_or("email address")
    language = serializers.ChoiceField(choices=settings.LANGUAGES, read_only=True)
    has_password = serializers.SerializerMethodField()

    class Meta:
        model = PortalAccount
        fields = [
            "id",
            "contact",
            "company",
            "name",
            "email",
            "language",
            "status",
            "has_password",
            "must_change_password",
            "invited_at",
            "joined_at",
            "last_login",
            "disabled_at",
            "created",
        ]
        read_only_fields = fields

    def get_has_password(self, account: PortalAccount) -> bool:
        return account.has_usable_password()


class PortalAccountFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=STATUS_CHOICES, required=False)
    contact = serializers.IntegerField(required=False, min_value=1, help_text="A contact id.")
    company = serializers.IntegerField(required=False, min_value=1, help_text="A company id.")


# --- activity -----------------------------------------------------------------------------------


class ActivityEntrySerializer(serializers.ModelSerializer):
    summary = serializers.CharField(
        source="office_text", read_only=True, help_text="What happened, in English (from verb and params)."
    )

    class Meta:
        model = ActivityEntry
        fields = [
            "id",
            "contact",
            "company",
            "account",
            "verb",
            "module",
            "actor",
            "actor_label",
            "summary",
            "params",
            "data",
            "visible_to_client",
            "created",
        ]
        read_only_fields = fields


class ActivityFilterSerializer(serializers.Serializer):
    contact = serializers.IntegerField(required=False, min_value=1, help_text="A contact id.")
    company = serializers.IntegerField(required=False, min_value=1, help_text="A company id.")
    verb = serializers.CharField(required=False, max_length=60, help_text="e.g. contact_created, login.")
    module = serializers.CharField(required=False, max_length=40, help_text="A module key, e.g. invoices.")
    since = serializers.DateTimeField(required=False, help_text="At or after (ISO 8601).")
