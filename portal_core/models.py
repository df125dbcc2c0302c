from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .embedding import validate_origins
from .payments.models import Payment, StripeConnection, StripeEventSeen  # noqa: F401 (the app's models)
from .time_zones import validate_time_zone

hex_colour = RegexValidator(r"^#[0-9A-Fa-f]{6}$", "Use a colour like #3B82F6.")
LANGUAGE_CHOICES = settings.LANGUAGES


class PortalConfig(models.Model):
    """The office's portal settings; exactly one row per tenant schema."""

    class PasswordPolicy(models.TextChoices):
        COMPLEX = "complex", "At least 8 characters with upper- and lower-case letters, a digit and a symbol"
        LENGTH = "length", "Long passwords (at least 12 characters, any characters)"

    singleton = models.BooleanField(default=True, unique=True, editable=False)
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
    password_policy = models.CharField(
        max_length=10, choices=PasswordPolicy.choices, default=PasswordPolicy.COMPLEX
    )

    class ClientTwoFactor(models.TextChoices):
        OFF = "off", "Not offered"
        OFFER = "offer", "Offered: clients may turn it on"
        REQUIRE = "require", "Required: every client sets it up at their next sign-in"

    client_two_factor = models.CharField(
        max_length=10, choices=ClientTwoFactor.choices, default=ClientTwoFactor.OFFER
    )
    staff_two_factor_required = models.BooleanField(
        default=False, help_text="Every staff member sets up two-factor sign-in at their next sign-in."
    )
    time_zone = models.CharField(
        max_length=64,
        default=settings.TIME_ZONE,
        validators=[validate_time_zone],
        help_text="The IANA time zone times are entered and shown in, e.g. Europe/Amsterdam.",
    )
    # Staff addresses that unsubscribed from the office's notes about client activity → when.
    office_notes_unsubscribed = models.JSONField(default=dict, blank=True)
    email_from_name = models.CharField(max_length=120, blank=True)
    email_reply_to = models.EmailField(blank=True)
    cors_origins = models.JSONField(
        default=list,
        blank=True,
        validators=[validate_origins],
        help_text="The office's websites that may embed the portal and call the client API.",
    )
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(singleton=True), name="portal_config_singleton")]

    def __str__(self) -> str:
        return self.portal_name

    @property
    def email_configured(self) -> bool:
        return bool(self.email_from_name and self.email_reply_to)


# What ``email_failing_reason`` says when the recipient reported an email as spam.
EMAIL_COMPLAINT_REASON = "The recipient reported an email as spam."


class EmailRecipient(models.Model):
    """What a client (a contact, or a company with its own address) gets by email."""

    # Notification topics (``<module>.<name>``) unsubscribed from → when (ISO 8601).
    email_unsubscribed = models.JSONField(default=dict, blank=True)
    # Set when the provider reports a bounce or complaint; cleared by a new address or the office.
    email_failing_since = models.DateTimeField(null=True, blank=True)
    email_failing_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        abstract = True

    @property
    def email_failing_complaint(self) -> bool:
        """The address fails because the recipient reported an email as spam (not a bounce)."""
        return self.email_failing_reason == EMAIL_COMPLAINT_REASON


class Company(EmailRecipient):
    """A client organisation; its contacts may share a company-level portal account."""

    name = models.CharField(max_length=160)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    website = models.URLField(blank=True)
    language = models.CharField(max_length=5, choices=LANGUAGE_CHOICES, default="en")
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "companies"

    def __str__(self) -> str:
        return self.name


class Contact(EmailRecipient):
    """A client of the office. Several contacts may share one email address."""

    class Source(models.TextChoices):
        OFFICE = "office", "Added by the office"
        SELF_REGISTRATION = "self_registration", "Self-registration (lead)"
        API = "api", "API"
        IMPORT = "import", "Import"

    first_name = models.CharField(max_length=80)
    last_name = models.CharField(max_length=80, blank=True)
    email = models.EmailField(blank=True, db_index=True)
    phone = models.CharField(max_length=40, blank=True)
    language = models.CharField(max_length=5, choices=LANGUAGE_CHOICES, default="en")
    company = models.ForeignKey(
        Company, on_delete=models.SET_NULL, null=True, blank=True, related_name="contacts"
    )
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.OFFICE)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contacts",
        help_text="The staff member who looks after this client.",
    )
    photo = models.ImageField(upload_to="contact-photos/", blank=True)
    created = models.DateTimeField(default=timezone.now)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        indexes = [models.Index(fields=["last_name", "first_name"])]

    def __str__(self) -> str:
        return self.full_name

    def save(self, *args, **kwargs):
        self.email = (self.email or "").strip().lower()
        super().save(*args, **kwargs)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class PortalAccount(models.Model):
    """A way into the portal for one contact, or for a company (company-level access)."""

    class Status(models.TextChoices):
        NOT_INVITED = "not_invited", _("Not invited")
        INVITED = "invited", _("Invited")
        JOINED = "joined", _("Joined")
        DISABLED = "disabled", _("Disabled")

    contact = models.OneToOneField(
        Contact, on_delete=models.CASCADE, null=True, blank=True, related_name="portal_account"
    )
    company = models.OneToOneField(
        Company, on_delete=models.CASCADE, null=True, blank=True, related_name="portal_account"
    )
    status = models.CharField(
        max_length=12, choices=Status.choices, default=Status.NOT_INVITED, db_index=True
    )
    password = models.CharField(max_length=255, blank=True)
    must_change_password = models.BooleanField(default=False)
    onboarding_completed = models.BooleanField(default=False)
    tour_completed = models.BooleanField(default=False)
    invited_at = models.DateTimeField(null=True, blank=True)
    joined_at = models.DateTimeField(null=True, blank=True)
    last_login = models.DateTimeField(null=True, blank=True)
    disabled_at = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(contact__isnull=False) & Q(company__isnull=True))
                | (Q(contact__isnull=True) & Q(company__isnull=False)),
                name="portal_account_for_contact_or_company",
            )
        ]

    def __str__(self) -> str:
        return f"portal account of {self.holder}"

    @property
    def holder(self):
        return self.contact or self.company

    @property
    def email(self) -> str:
        return self.holder.email

    @property
    def display_name(self) -> str:
        return self.contact.full_name if self.contact else self.company.name

    @property
    def first_name(self) -> str:
        return self.contact.first_name if self.contact else self.company.name

    @property
    def language(self) -> str:
        return self.holder.language

    @property
    def is_usable(self) -> bool:
        return self.status != self.Status.DISABLED

    def has_usable_password(self) -> bool:
        from django.contrib.auth.hashers import is_password_usable

        return bool(self.password) and is_password_usable(self.password)

    def clean(self) -> None:
        if bool(self.contact_id) == bool(self.company_id):
            raise ValidationError("A portal account belongs to exactly one contact or one company.")


class PortalToken(models.Model):
    """A secret link or code. Only a keyed hash is stored; an access token is also kept encrypted,
    because the API returns the same active token until it expires (seed 002)."""

    class Kind(models.TextChoices):
        INVITATION = "invitation", "Invitation"
        MAGIC_LINK = "magic_link", "Magic link"
        ACCESS = "access", "Portal access token"
        RESET = "reset", "Password reset"

    account = models.ForeignKey(PortalAccount, on_delete=models.CASCADE, related_name="tokens")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    token_encrypted = models.TextField(blank=True)
    created = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    use_count = models.PositiveIntegerField(default=0)
    created_by = models.CharField(max_length=120, blank=True)

    class Meta:
        ordering = ["-created"]
        indexes = [models.Index(fields=["account", "kind", "expires_at"])]

    def __str__(self) -> str:
        return f"{self.kind} for {self.account_id}"

    @property
    def is_live(self) -> bool:
        return self.revoked_at is None and self.used_at is None and self.expires_at > timezone.now()


class RegistrationRequest(models.Model):
    """A client's self-registration waiting for its emailed code."""

    email = models.EmailField()
    first_name = models.CharField(max_length=80)
    last_name = models.CharField(max_length=80, blank=True)
    language = models.CharField(max_length=5, default="en")
    password_hash = models.CharField(max_length=255)
    code_hash = models.CharField(max_length=64)
    attempts = models.PositiveSmallIntegerField(default=0)
    created = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.email


class ActivityEntry(models.Model):
    """Something that happened to or by a client, shown on the contact and in the portal feed."""

    class Actor(models.TextChoices):
        CLIENT = "client", "Client"
        STAFF = "staff", "Staff"
        API = "api", "API"
        SYSTEM = "system", "System"

    contact = models.ForeignKey(
        Contact, on_delete=models.CASCADE, null=True, blank=True, related_name="activity"
    )
    company = models.ForeignKey(
        Company, on_delete=models.CASCADE, null=True, blank=True, related_name="activity"
    )
    account = models.ForeignKey(
        PortalAccount, on_delete=models.SET_NULL, null=True, blank=True, related_name="activity"
    )
    verb = models.CharField(max_length=60, db_index=True)
    module = models.CharField(max_length=40, blank=True)
    actor = models.CharField(max_length=10, choices=Actor.choices, default=Actor.SYSTEM)
    actor_label = models.CharField(max_length=160, blank=True)
    # What happened is ``verb`` with its ``params``, rendered in the reader's language when shown
    # (``portal_core.activity``); ``summary`` only holds the English text of entries written before.
    params = models.JSONField(default=dict, blank=True)
    summary = models.CharField(max_length=300, blank=True)
    data = models.JSONField(default=dict, blank=True)
    visible_to_client = models.BooleanField(default=False)
    created = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name_plural = "activity entries"

    def __str__(self) -> str:
        return self.office_text

    @property
    def office_text(self) -> str:
        from .activity import office_text

        return office_text(self)

    @property
    def client_text(self) -> str:
        from .activity import client_text

        return client_text(self)


class EmailTemplate(models.Model):
    """An office's own wording for one kind of email in one language (defaults live in code)."""

    class Kind(models.TextChoices):
        INVITATION = "invitation", "Invitation"
        MAGIC_LINK = "magic_link", "Magic link"
        LOGIN_EMAIL = "login_email", "Login email"
        PASSWORD_RESET = "password_reset", "Password reset"
        VERIFICATION_CODE = "verification_code", "Verification code"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    language = models.CharField(max_length=5, choices=LANGUAGE_CHOICES)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "language"], name="one_template_per_kind_language")
        ]

    def __str__(self) -> str:
        return f"{self.kind} ({self.language})"


class SharedFile(models.Model):
    """A file shared between the office and one client account."""

    class Uploader(models.TextChoices):
        CLIENT = "client", "Client"
        STAFF = "staff", "Office"

    account = models.ForeignKey(PortalAccount, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to="shared-files/%Y/%m/")
    name = models.CharField(max_length=200)
    size = models.PositiveIntegerField()
    content_type = models.CharField(max_length=100)
    uploaded_by = models.CharField(max_length=10, choices=Uploader.choices)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return self.name


class BulkJob(models.Model):
    """An office action on many contacts, run in the background with its progress shown."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    action = models.CharField(max_length=30)
    params = models.JSONField(default=dict, blank=True)
    contact_ids = models.JSONField(default=list)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created = models.DateTimeField(default=timezone.now)
    finished = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.action} × {self.total}"

    @property
    def percent(self) -> int:
        return int(100 * (self.done + self.failed) / self.total) if self.total else 100


class SentEmail(models.Model):
    """An email sent to a client's portal account, with its delivery status as the email
    provider reports it (django-anymail tracking webhooks; ``email_tracking``)."""

    class Status(models.TextChoices):
        SENT = "sent", "Sent"
        QUEUED = "queued", "Queued by the provider"
        DEFERRED = "deferred", "Delayed"
        DELIVERED = "delivered", "Delivered"
        OPENED = "opened", "Opened"
        CLICKED = "clicked", "Link clicked"
        BOUNCED = "bounced", "Bounced"
        REJECTED = "rejected", "Rejected"
        FAILED = "failed", "Not sent"
        COMPLAINED = "complained", "Marked as spam"
        UNSUBSCRIBED = "unsubscribed", "Unsubscribed"

    account = models.ForeignKey(
        PortalAccount, on_delete=models.SET_NULL, null=True, blank=True, related_name="emails"
    )
    kind = models.CharField(max_length=60)
    to = models.EmailField()
    message_id = models.CharField(max_length=255, blank=True, db_index=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.SENT)
    status_detail = models.CharField(max_length=300, blank=True)
    sent_at = models.DateTimeField(default=timezone.now)
    status_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-sent_at", "-id"]
        indexes = [models.Index(fields=["account", "kind", "-sent_at"], name="sent_email_account_kind")]

    def __str__(self) -> str:
        return f"{self.kind} to {self.to}: {self.status}"

    @property
    def is_problem(self) -> bool:
        return self.status in {"bounced", "rejected", "failed", "complained"}


class SecondFactor(models.Model):
    """A staff member's or a client's authenticator app (TOTP) and their single-use recovery codes.
    The secret is encrypted at rest; recovery codes are kept as keyed hashes."""

    class Holder(models.TextChoices):
        STAFF = "staff", "Staff member"
        CLIENT = "client", "Client"

    holder_kind = models.CharField(max_length=10, choices=Holder.choices)
    holder_id = models.BigIntegerField()
    totp_secret = models.TextField()
    confirmed_at = models.DateTimeField(null=True, blank=True)
    last_step = models.BigIntegerField(default=0)  # the last time step used: a code works once
    recovery_codes = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["holder_kind", "holder_id"], name="second_factor_once_per_holder"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.holder_kind}:{self.holder_id}"


class SignedInDevice(models.Model):
    """A browser a staff member or a client is signed in on in this office: what they see under
    "Where you are signed in" and may end. It names the session; the session store holds the rest."""

    Holder = SecondFactor.Holder

    holder_kind = models.CharField(max_length=10, choices=Holder.choices)
    holder_id = models.BigIntegerField()
    session_key = models.CharField(max_length=40, unique=True)
    generation = models.PositiveIntegerField(default=0)  # the credentials generation it was made under
    user_agent = models.CharField(max_length=200, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField()

    class Meta:
        ordering = ["-last_seen_at"]
        indexes = [models.Index(fields=["holder_kind", "holder_id"])]

    def __str__(self) -> str:
        return f"{self.holder_kind}:{self.holder_id}:{self.session_key[:6]}"


class Passkey(models.Model):
    """A staff member's or a client's passkey (a WebAuthn credential bound to the office's host). It
    is a second factor, and, being discoverable, a way in on its own."""

    holder_kind = models.CharField(max_length=10, choices=SecondFactor.Holder.choices)
    holder_id = models.BigIntegerField()
    name = models.CharField(max_length=60)
    credential_id = models.CharField(max_length=1400, unique=True)  # base64url, as the browser gives it
    public_key = models.BinaryField()
    sign_count = models.BigIntegerField(default=0)
    transports = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["holder_kind", "holder_id"], name="passkey_holder")]
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.holder_kind}:{self.holder_id}:{self.name}"


class AuditEvent(models.Model):
    """One security-relevant event in this office (append-only: rows are never changed or removed;
    the database refuses it too)."""

    class Kind(models.TextChoices):
        SIGN_IN = "sign_in", "Signed in"
        SIGN_IN_FAILED = "sign_in_failed", "Sign-in failed"
        LOCKED_OUT = "locked_out", "Too many attempts"
        PASSWORD_CHANGED = "password_changed", "Password changed"
        SIGNED_OUT_EVERYWHERE = "signed_out_everywhere", "Signed out everywhere"
        TWO_FACTOR_ON = "two_factor_on", "Two-factor sign-in set up"
        TWO_FACTOR_OFF = "two_factor_off", "Two-factor sign-in removed"
        TWO_FACTOR_RESET = "two_factor_reset", "Two-factor sign-in reset by the office"
        RECOVERY_CODE_USED = "recovery_code_used", "Recovery code used"
        PASSKEY_ADDED = "passkey_added", "Passkey added"
        PASSKEY_REMOVED = "passkey_removed", "Passkey removed"
        API_KEY_CREATED = "api_key_created", "API key created"
        API_KEY_REVOKED = "api_key_revoked", "API key revoked"
        EXPORT = "export", "Data exported"
        PREVIEW = "preview", "Portal previewed as a client"
        SETTINGS = "security_settings", "Security settings changed"
        SESSION_ENDED = "session_ended", "Signed out on another device"

    class Actor(models.TextChoices):
        STAFF = "staff", "Staff member"
        CLIENT = "client", "Client"
        ANONYMOUS = "anonymous", "Someone not signed in"

    kind = models.CharField(max_length=30, choices=Kind.choices)
    actor_kind = models.CharField(max_length=10, choices=Actor.choices)
    actor_id = models.BigIntegerField(null=True, blank=True)
    actor_label = models.CharField(max_length=254, blank=True)  # the email, as given
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=200, blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["kind", "-created_at"]),
            models.Index(fields=["actor_label", "-created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.actor_label}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValueError("Audit events are never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Audit events are never removed.")


class SenderDomain(models.Model):
    """The office's own sender address (``hello@theiragency.com``) for emails to its clients.

    Portico sends from it only once its domain's records verify: an SPF include of the platform's
    senders, a DKIM key Portico generated (the private half encrypted at rest; messages are signed
    with it) and a return-path CNAME for bounces. Until then emails leave from the platform's
    address with the office's name and reply-to (``portal_core.sender_domains``).
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for DNS records"
        VERIFIED = "verified", "Verified"

    address = models.EmailField()
    selector = models.CharField(max_length=63, default="portico")
    private_key_encrypted = models.TextField(editable=False)
    public_key = models.TextField(editable=False, help_text="Base64 DER, as the DKIM record's p= tag.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    results = models.JSONField(default=list, blank=True)
    created = models.DateTimeField(default=timezone.now)
    checked_at = models.DateTimeField(null=True, blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.address

    @property
    def domain(self) -> str:
        return self.address.rsplit("@", 1)[-1].lower()
