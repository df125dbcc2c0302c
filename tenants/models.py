import secrets
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django_tenants.models import DomainMixin, TenantMixin

from .time_zones import validate_time_zone
from .validators import validate_subdomain


class Plan(models.Model):
    """What a tenant may use. Limits are enforced by the services that create the limited things."""

    name = models.CharField(max_length=80, unique=True)
    code = models.SlugField(max_length=40, unique=True)
    max_portal_accounts = models.PositiveIntegerField(
        null=True, blank=True, help_text="Empty means unlimited."
    )
    allowed_modules = models.JSONField(
        default=list, blank=True, help_text="Module keys this plan may enable; empty means every module."
    )
    api_requests_per_minute = models.PositiveIntegerField(default=60, validators=[MinValueValidator(1)])
    max_custom_domains = models.PositiveIntegerField(default=0)
    application_fee_percent = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=Decimal(0),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(50))],
        help_text="The platform's fee on each card payment an office takes (percent of the amount).",
    )
    monthly_price = models.DecimalField(
        max_digits=9,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
        help_text="Shown on the landing page; empty: not shown there.",
    )
    price_currency = models.CharField(max_length=3, default="EUR", help_text="ISO 4217, e.g. EUR.")
    is_default = models.BooleanField(default=False, help_text="Given to new sign-ups.")

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="one_default_plan"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def allows_module(self, key: str) -> bool:
        return not self.allowed_modules or key in self.allowed_modules


class Tenant(TenantMixin):
    """An office. Its data lives in its own PostgreSQL schema, named opaquely (``t_<hex>``).

    Rows in the ``pooled`` state are ready, fully migrated schemas that no office owns yet;
    signing up claims one with a row update. ``template`` is the base schema that new schemas
    are cloned from when the pool is empty.
    """

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        SUSPENDED = "suspended", "Suspended"
        POOLED = "pooled", "Pooled (ready, unclaimed)"
        TEMPLATE = "template", "Template"

    name = models.CharField(max_length=120, blank=True)
    slug = models.SlugField(
        max_length=40, unique=True, null=True, blank=True, validators=[validate_subdomain]
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.POOLED, db_index=True)
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, null=True, blank=True, related_name="tenants")
    created = models.DateTimeField(default=timezone.now)
    pooled_at = models.DateTimeField(default=timezone.now)
    suspended_at = models.DateTimeField(null=True, blank=True)
    suspension_reason = models.CharField(max_length=200, blank=True)
    portal_id = models.CharField(
        max_length=32,
        unique=True,
        null=True,
        blank=True,
        editable=False,
        help_text="Public identifier in shared sign-in links (/auth/signin?id=…). Not a secret.",
    )

    auto_create_schema = True
    auto_drop_schema = True

    class Meta:
        ordering = ["-created"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["pooled", "template"]) | (Q(slug__isnull=False) & ~Q(name="")),
                name="office_has_name_and_slug",
            ),
        ]

    def __str__(self) -> str:
        return self.name or self.schema_name

    @staticmethod
    def new_schema_name() -> str:
        return f"t_{secrets.token_hex(6)}"

    @staticmethod
    def new_portal_id() -> str:
        return secrets.token_urlsafe(12)

    @property
    def is_office(self) -> bool:
        return self.status in (self.Status.ACTIVE, self.Status.SUSPENDED)

    def clean(self) -> None:
        if self.is_office and not self.slug:
            raise ValidationError({"slug": "An office needs a subdomain."})

    def primary_host(self) -> str:
        domain = self.domains.filter(is_primary=True).values_list("domain", flat=True).first()
        return domain or f"{self.slug}.{settings.PORTICO_BASE_DOMAIN}"


class SchemaMigrationState(models.Model):
    """Where a schema stands in its migrations (``tenants.migration_state``): one query reads them all,
    so a deploy skips the schemas already at the code's migrations without connecting to them."""

    schema_name = models.CharField(max_length=63, unique=True)
    fingerprint = models.CharField(max_length=64)
    recorded_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.schema_name}: {self.fingerprint[:12]}"


class DueWork(models.Model):
    """When a schema next has periodic work of a kind (``tenants.due_work``): the minute and daily
    tasks read this index in the public schema and visit only the schemas that are due, instead of
    every office each time."""

    schema_name = models.CharField(max_length=63)
    kind = models.CharField(max_length=60)
    due_at = models.DateTimeField()
    version = models.PositiveBigIntegerField(default=1)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["schema_name", "kind"], name="due_work_once")]
        indexes = [models.Index(fields=["kind", "due_at"], name="due_work_by_time")]

    def __str__(self) -> str:
        return f"{self.kind} in {self.schema_name} at {self.due_at:%Y-%m-%d %H:%M}"


class TemplateScript(models.Model):
    """The template schema as SQL (``pg_dump``, schema and rows), for the migrations it is at: new
    pooled schemas are made by running it under another name (``tenants.schema_script``)."""

    fingerprint = models.CharField(max_length=64, unique=True)
    sql = models.TextField()
    created = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"template script {self.fingerprint[:12]} ({len(self.sql)} characters)"


class Domain(DomainMixin):
    """A host name that routes to a tenant: ``<slug>.<base>`` or a verified custom domain."""

    verified = models.BooleanField(default=False)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-is_primary", "domain"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant"], condition=Q(is_primary=True), name="one_primary_domain_per_tenant"
            )
        ]

    def __str__(self) -> str:
        return self.domain

    def save(self, *args, **kwargs):
        self.domain = self.domain.lower().strip().rstrip(".")
        super().save(*args, **kwargs)


class SignupRequest(models.Model):
    """A sign-up waiting for its email to be confirmed. The password is already hashed."""

    id = models.UUIDField(primary_key=True)
    office_name = models.CharField(max_length=120)
    slug = models.CharField(max_length=40)
    owner_name = models.CharField(max_length=120)
    email = models.EmailField()
    password_hash = models.CharField(max_length=255)
    time_zone = models.CharField(
        max_length=64, default=settings.TIME_ZONE, validators=[validate_time_zone], help_text="The office's."
    )
    code_hash = models.CharField(max_length=64)
    link_hash = models.CharField(max_length=64, unique=True)
    created = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    verified_at = models.DateTimeField(null=True, blank=True)
    tenant = models.ForeignKey(Tenant, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-created"]
        indexes = [models.Index(fields=["slug"])]

    def __str__(self) -> str:
        return f"{self.slug} <{self.email}>"

    @property
    def is_expired(self) -> bool:
        return timezone.now() >= self.expires_at


class LoginHandoff(models.Model):
    """A single-use ticket that logs a freshly provisioned owner in on their own host."""

    token_hash = models.CharField(max_length=64, unique=True)
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    user_id = models.BigIntegerField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"handoff for user {self.user_id} of {self.tenant_id}"


class ApiKey(models.Model):
    """A tenant's API key. The key alone identifies its tenant; only a keyed hash is stored."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(max_length=80)
    prefix = models.CharField(max_length=16, unique=True, help_text="Shown to tell keys apart.")
    key_hash = models.CharField(max_length=64, unique=True)
    scopes = models.JSONField(default=list, blank=True)
    created_by = models.EmailField(blank=True)
    created = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > timezone.now())


class QueueTimer(models.Model):
    """Work to hand to the task queue once it is due, in the schema it belongs to.

    The index of due work for the whole platform, in the public schema: one short loop beside the
    worker (``tenants.queue.timers_run``) reads it by ``due_at``, so nothing periodic has to visit
    every office's schema to find what is due. One timer per schema, function and arguments:
    setting it again moves it. Used with the database queue; with Redis the timers live in a sorted
    set instead (``tenants.queue``).
    """

    schema_name = models.CharField(max_length=63)
    func = models.CharField(max_length=200, help_text="Dotted path of the function to run.")
    args = models.JSONField(default=list, blank=True)
    due_at = models.DateTimeField(db_index=True)
    log_success = models.BooleanField(
        default=True, help_text="Whether django-q2 lists the task among its successful ones."
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["schema_name", "func", "args"], name="queue_timer_one_per_work"),
        ]

    def __str__(self) -> str:
        return f"{self.func}{tuple(self.args)} in {self.schema_name} at {self.due_at:%Y-%m-%d %H:%M:%S}"


class StripeAccount(models.Model):
    """Which office a connected Stripe account belongs to: how the Connect webhook, on the platform
    host, finds the schema an event is for (by the event's ``account``)."""

    account_id = models.CharField(max_length=64, unique=True)
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="stripe_accounts")
    created = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.account_id


class CredentialsGeneration(models.Model):
    """How many times a person's credentials were ended (password changed or reset, account
    disabled, signed out everywhere). Sessions and JWTs carry the value they were issued under and
    stop working once it moves on. Kept in the public schema for staff and operators (``user``) and
    for portal accounts (``client``), keyed by the schema they live in."""

    schema_name = models.CharField(max_length=63)
    kind = models.CharField(max_length=10)
    subject_id = models.BigIntegerField()
    value = models.PositiveIntegerField(default=0)
    changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["schema_name", "kind", "subject_id"], name="credentials_generation_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.schema_name}:{self.kind}:{self.subject_id}={self.value}"


class OperatorSecondFactor(models.Model):
    """An operator's authenticator app and single-use recovery codes: the operators' console asks
    for a code after the password. Deleting the row (another operator, in the console) resets it;
    the operator then sets up a new one at the next sign-in."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="operator_second_factor"
    )
    totp_secret = models.TextField()  # encrypted (tenants.totp)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    last_step = models.BigIntegerField(default=0)
    recovery_codes = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "operator two-factor sign-in"
        verbose_name_plural = "operator two-factor sign-ins"

    def __str__(self) -> str:
        return str(self.user)


def custom_domain_token() -> str:
    """The ownership token of a custom domain's TXT record (128 bits)."""
    return secrets.token_hex(16)


class CustomDomain(models.Model):
    """A domain an office brings for its portal (``portal.theiragency.com``).

    It proves ownership with a TXT record ``_portico-verify.<domain>`` holding its token, and points
    at the platform with a CNAME to the office's subdomain (or A records to the platform's
    addresses for an apex). While it is verified, active or failing a :class:`Domain` row routes it;
    ``tenants.domains`` moves the status and keeps that row in step.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for DNS records"
        VERIFIED = "verified", "Verified"
        ACTIVE = "active", "Active (certificate issued)"
        FAILING = "failing", "Records changed"
        REMOVED = "removed", "Removed"

    SERVED = (Status.VERIFIED, Status.ACTIVE, Status.FAILING)

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="custom_domains")
    domain = models.CharField(max_length=253)
    apex = models.BooleanField(
        default=False, help_text="The zone's own name (it has an SOA record), which cannot hold a CNAME."
    )
    token = models.CharField(max_length=64, default=custom_domain_token, editable=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    created = models.DateTimeField(default=timezone.now)
    status_since = models.DateTimeField(default=timezone.now)
    verified_at = models.DateTimeField(null=True, blank=True)
    active_at = models.DateTimeField(null=True, blank=True)
    failing_since = models.DateTimeField(null=True, blank=True)
    removed_at = models.DateTimeField(null=True, blank=True)
    checked_at = models.DateTimeField(null=True, blank=True)
    next_check_at = models.DateTimeField(null=True, blank=True)
    results = models.JSONField(default=list, blank=True, help_text="What the last check saw, per record.")

    class Meta:
        ordering = ["created"]
        constraints = [
            models.UniqueConstraint(
                fields=["domain"],
                condition=Q(status__in=["verified", "active", "failing"]),
                name="one_office_serves_a_custom_domain",
            ),
            models.UniqueConstraint(
                fields=["tenant", "domain"],
                condition=~Q(status="removed"),
                name="custom_domain_once_per_office",
            ),
        ]

    def __str__(self) -> str:
        return self.domain

    @property
    def is_served(self) -> bool:
        return self.status in self.SERVED

    @property
    def verify_name(self) -> str:
        return f"_portico-verify.{self.domain}"

    @property
    def verify_value(self) -> str:
        return f"portico-verify={self.token}"


class SealedDocument(models.Model):
    """A PDF the platform sealed with its certificate for an office (a signed proposal or contract):
    how ``/verify/`` on the platform host recognises it, by the SHA-256 of its exact bytes. It
    holds no content of the document; the office's name is what the verification page tells."""

    sha256 = models.CharField(max_length=64, unique=True)
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="sealed_documents")
    kind = models.CharField(max_length=40, help_text="What the document is, e.g. a signed proposal.")
    sealed_at = models.DateTimeField()

    class Meta:
        ordering = ["-sealed_at", "-id"]

    def __str__(self) -> str:
        return self.sha256
