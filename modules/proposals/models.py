"""Proposals (tenant schema).

A proposal is edited as a draft; sending it freezes what the client sees into a
:class:`ProposalVersion` (a JSON snapshot and its SHA-256), immutable once written. A change after
sending makes a new version, which the client sees from then on; older versions stay as history.
Accepting or declining is written, append-only, as a :class:`Signature`; every step of the proposal
(sent, viewed, revised, accepted, declined, expired, deposit paid) as an :class:`AuditEntry`.
Totals are computed by the core's money helper (``portal_core.money``), the rule invoices use."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

MONEY = {"max_digits": 14, "decimal_places": 3, "default": Decimal(0)}
PERCENT = {
    "max_digits": 5,
    "decimal_places": 2,
    "default": Decimal(0),
    "validators": [MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
}


class Proposal(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SENT = "sent", "Sent"
        VIEWED = "viewed", "Viewed"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        EXPIRED = "expired", "Expired"

    contact = models.ForeignKey(
        "portal_core.Contact", null=True, blank=True, on_delete=models.PROTECT, related_name="proposals"
    )
    company = models.ForeignKey(
        "portal_core.Company", null=True, blank=True, on_delete=models.PROTECT, related_name="proposals"
    )
    title = models.CharField(max_length=200)
    intro = models.TextField(blank=True)  # sanitised HTML
    currency = models.CharField(max_length=3, default="EUR")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    valid_until = models.DateField(null=True, blank=True)
    prices_include_tax = models.BooleanField(default=False)
    discount_percent = models.DecimalField(**PERCENT)
    deposit_percent = models.DecimalField(**PERCENT)
    deposit_amount = models.DecimalField(**MONEY)
    is_template = models.BooleanField(default=False)
    sent_at = models.DateTimeField(null=True, blank=True)
    viewed_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    declined_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.TextField(blank=True)
    accepted_total = models.DecimalField(**MONEY)
    deposit_due = models.DecimalField(**MONEY)
    deposit_paid = models.DecimalField(**MONEY)
    created = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(is_template=True) | Q(contact__isnull=False) | Q(company__isnull=False),
                name="proposal_has_a_client",
            ),
            models.CheckConstraint(
                condition=Q(deposit_percent=0) | Q(deposit_amount=0), name="proposal_one_kind_of_deposit"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def client_name(self) -> str:
        if self.company_id:
            return str(self.company.name)
        return str(self.contact) if self.contact_id else ""

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.SENT, self.Status.VIEWED)

    @property
    def is_past_validity(self) -> bool:
        return self.valid_until is not None and self.valid_until < timezone.localdate()

    @property
    def latest_version(self) -> ProposalVersion | None:
        return self.versions.order_by("-number").first()


class Section(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="sections")
    position = models.PositiveIntegerField(default=0)
    heading = models.CharField(max_length=200, blank=True)
    body = models.TextField(blank=True)  # sanitised HTML

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.heading or f"Section {self.position + 1}"


class Item(models.Model):
    """A line of the proposal: always included, optional (the client ticks it), or one of a choice
    group (the client picks one of the group's items)."""

    class Kind(models.TextChoices):
        REQUIRED = "required", "Included"
        OPTIONAL = "optional", "Optional"
        CHOICE = "choice", "One of a group"

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveIntegerField(default=0)
    description = models.CharField(max_length=300)
    details = models.CharField(max_length=500, blank=True)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.REQUIRED)
    group = models.CharField(max_length=80, blank=True)  # the choice group's name
    selected = models.BooleanField(default=True)  # preselected (an optional item, a group's default)
    quantity = models.DecimalField(max_digits=12, decimal_places=3, default=Decimal(1))
    quantity_editable = models.BooleanField(default=False)
    quantity_min = models.DecimalField(max_digits=12, decimal_places=3, default=Decimal(1))
    quantity_max = models.DecimalField(max_digits=12, decimal_places=3, null=True, blank=True)
    unit_price = models.DecimalField(max_digits=14, decimal_places=3)
    tax_rate = models.DecimalField(**PERCENT)
    discount_percent = models.DecimalField(**PERCENT)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.description


class _WriteOnce(models.Model):
    """Rows written once and never changed or removed (the database refuses it too: see 0001)."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValidationError(f"A {self._meta.verbose_name} is never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(f"A {self._meta.verbose_name} is never removed.")


class ProposalVersion(_WriteOnce):
    """What the client was shown, frozen: ``snapshot`` (title, texts, items, terms) and the
    SHA-256 of its canonical JSON."""

    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    snapshot = models.JSONField()
    sha256 = models.CharField(max_length=64)
    created = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["proposal", "number"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "number"], name="proposal_version_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.proposal_id} v{self.number}"


class Signature(_WriteOnce):
    """The client's answer to one version: accepted (with the consent, the typed name, the drawn
    signature and the chosen options) or declined (with the reason). Append-only."""

    class Decision(models.TextChoices):
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"

    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="signatures")
    version = models.ForeignKey(ProposalVersion, on_delete=models.PROTECT, related_name="signatures")
    version_sha256 = models.CharField(max_length=64)
    decision = models.CharField(max_length=10, choices=Decision.choices)
    account_id = models.PositiveIntegerField(null=True)  # the portal account that signed
    email = models.EmailField(blank=True)
    full_name = models.CharField(max_length=200, blank=True)
    drawing = models.TextField(blank=True)  # the drawn signature, a PNG data URL
    consent_version = models.CharField(max_length=20, blank=True)
    consent_text = models.TextField(blank=True)
    choices = models.JSONField(default=dict)  # item key → quantity chosen
    total = models.DecimalField(**MONEY)
    deposit = models.DecimalField(**MONEY)
    reason = models.TextField(blank=True)
    ip = models.GenericIPAddressField(null=True)
    user_agent = models.CharField(max_length=400, blank=True)
    created = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["created", "id"]

    def __str__(self) -> str:
        return f"{self.decision} {self.proposal_id} v{self.version_id}"


class AuditEntry(_WriteOnce):
    """One step in the proposal's life, for its audit trail. Append-only."""

    class Kind(models.TextChoices):
        CREATED = "created", "Created"
        SENT = "sent", "Sent"
        REVISED = "revised", "Revised"
        VIEWED = "viewed", "Viewed"
        ACCEPTED = "accepted", "Accepted and signed"
        DECLINED = "declined", "Declined"
        EXPIRED = "expired", "Expired"
        DEPOSIT_PAID = "deposit_paid", "Deposit paid"

    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="audit")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    version_number = models.PositiveIntegerField(null=True)
    actor = models.CharField(max_length=200, blank=True)
    ip = models.GenericIPAddressField(null=True)
    user_agent = models.CharField(max_length=400, blank=True)
    created = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["created", "id"]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"{self.kind} {self.proposal_id}"
