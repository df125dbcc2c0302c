import secrets

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

hex_colour = RegexValidator(r"^#[0-9A-Fa-f]{6}$", "Use a colour like #3B82F6.")


def new_portal_id() -> str:
    return secrets.token_urlsafe(12)


class PortalConfig(models.Model):
    """The office's portal settings; exactly one row per tenant schema."""

    singleton = models.BooleanField(default=True, unique=True, editable=False)
    portal_id = models.CharField(
        max_length=32,
        unique=True,
        default=new_portal_id,
        editable=False,
        help_text="Public identifier used in shared sign-in links. Not a secret.",
    )
    company_name = models.CharField(
        max_length=120, blank=True, help_text="Shown as the portal's browser title."
    )
    portal_name = models.CharField(max_length=120, default="Client Portal")
    portal_logo = models.FileField(upload_to="portal-logos/", blank=True)
    primary_color = models.CharField(max_length=7, default="#3B82F6", validators=[hex_colour])
    secondary_color = models.CharField(max_length=7, default="#1E40AF", validators=[hex_colour])
    welcome_message = models.TextField(blank=True, default="Welcome to your client portal!")
    enabled_modules = models.JSONField(default=list, blank=True)
    is_active = models.BooleanField(default=False)
    allow_file_sharing = models.BooleanField(default=True)
    show_activity_feed = models.BooleanField(default=True)
    token_expiration_days = models.PositiveSmallIntegerField(
        default=30, validators=[MinValueValidator(1), MaxValueValidator(365)]
    )
    email_from_name = models.CharField(max_length=120, blank=True)
    email_reply_to = models.EmailField(blank=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(singleton=True), name="portal_config_singleton")]

    def __str__(self) -> str:
        return self.portal_name

    @property
    def email_configured(self) -> bool:
        return bool(self.email_from_name and self.email_reply_to)


class Contact(models.Model):
    """A client of the office."""

    first_name = models.CharField(max_length=80)
    last_name = models.CharField(max_length=80, blank=True)
    email = models.EmailField(blank=True, db_index=True)
    phone = models.CharField(max_length=40, blank=True)
    language = models.CharField(max_length=5, default="en")
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["last_name", "first_name"]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class PortalAccount(models.Model):
    """A client's way into the portal, tied to a contact."""

    class Status(models.TextChoices):
        NOT_INVITED = "not_invited", "Not invited"
        INVITED = "invited", "Invited"
        JOINED = "joined", "Joined"
        DISABLED = "disabled", "Disabled"

    contact = models.OneToOneField(Contact, on_delete=models.CASCADE, related_name="portal_account")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.NOT_INVITED)
    last_login = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"portal account of {self.contact}"
