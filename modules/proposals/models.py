"""Proposals (tenant schema).

The office edits a proposal's draft (its texts and items live on ``Proposal``, ``ProposalSection``
and ``ProposalItem``); sending freezes what the client sees into a ``ProposalVersion``, which never
changes again. A change after sending is a revision: the next send makes the next version, and the
client always sees the latest. A client's acceptance is a ``ProposalSignature`` (append-only: the
signer, when, from where, the consent text version, the SHA-256 of the exact PDF signed and the
sealed final PDF), and every step is an append-only ``ProposalEvent`` (the audit trail)."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils import timezone

from portal_core.money import MONEY_FIELD, PERCENT_FIELD

MONEY = MONEY_FIELD
PERCENT = PERCENT_FIELD


class AppendOnly(models.Model):
    """A record that is written once and never changed or removed."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValueError(f"A {type(self).__name__} is never changed once written.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError(f"A {type(self).__name__} is never removed.")


class Deposit(models.TextChoices):
    NONE = "", "No deposit"
    AMOUNT = "amount", "An amount"
    PERCENT = "percent", "A percentage of the total"


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
    is_template = models.BooleanField(default=False, help_text="A template to start proposals from.")
    title = models.CharField(max_length=200)
    intro = models.TextField("Introduction", blank=True, help_text="Formatted text, sanitised on save.")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    currency = models.CharField(max_length=3, default="EUR")
    prices_include_tax = models.BooleanField(default=False)
    discount_percent = models.DecimalField(**PERCENT)
    valid_until = models.DateField(null=True, blank=True)
    deposit = models.CharField(max_length=10, blank=True, default="", choices=Deposit.choices)
    deposit_value = models.DecimalField(max_digits=14, decimal_places=3, null=True, blank=True)
    revised = models.BooleanField(default=False, help_text="Changed since the latest version was sent.")
    sent_at = models.DateTimeField(null=True, blank=True)
    viewed_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    deposit_paid_at = models.DateTimeField(null=True, blank=True)
    declined_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.CharField(max_length=500, blank=True)
    expired_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(is_template=True) | Q(contact__isnull=False) | Q(company__isnull=False),
                name="proposal_has_a_client",
            ),
            models.CheckConstraint(
                condition=Q(contact__isnull=True) | Q(company__isnull=True), name="proposal_one_client"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def client(self):
        return self.company if self.company_id else self.contact

    @property
    def client_name(self) -> str:
        if self.company_id:
            return self.company.name
        return self.contact.full_name if self.contact_id else ""

    @property
    def latest_version(self) -> ProposalVersion | None:
        return self.versions.order_by("-number").first()

    @property
    def is_open(self) -> bool:
        """The client may still accept or decline it."""
        return self.status in (self.Status.SENT, self.Status.VIEWED)

    @property
    def awaits_deposit(self) -> bool:
        return self.status == self.Status.ACCEPTED and self.deposit_paid_at is None and self.deposit_due > 0

    @property
    def deposit_due(self) -> Decimal:
        signature = self.signatures.order_by("-id").first()
        return signature.deposit if signature is not None else Decimal(0)


class ProposalSection(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="sections")
    position = models.PositiveIntegerField(default=0)
    heading = models.CharField(max_length=200)
    body = models.TextField(blank=True, help_text="Formatted text, sanitised on save.")

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.heading


class ProposalItem(models.Model):
    """A priced line. ``kind``: always included, optional (the client ticks it), or one of a choice
    ``group`` (the client picks exactly one of the items sharing the group's name)."""

    class Kind(models.TextChoices):
        INCLUDED = "included", "Included"
        OPTIONAL = "optional", "Optional"
        CHOICE = "choice", "One of a choice"

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveIntegerField(default=0)
    description = models.CharField(max_length=300)
    details = models.CharField(max_length=500, blank=True)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.INCLUDED)
    group = models.CharField(max_length=100, blank=True, help_text="The choice this item is one of.")
    selected = models.BooleanField(default=True, help_text="Chosen unless the client changes it.")
    quantity = models.DecimalField(max_digits=12, decimal_places=3, default=Decimal(1))
    quantity_editable = models.BooleanField(default=False, help_text="The client may change the quantity.")
    unit_price = models.DecimalField(max_digits=14, decimal_places=3)
    tax_rate = models.DecimalField(**PERCENT)
    discount_percent = models.DecimalField(**PERCENT)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="choice") | ~Q(group=""), name="proposal_choice_has_group"
            ),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="proposal_item_quantity_positive"),
        ]

    def __str__(self) -> str:
        return self.description


class ProposalVersion(AppendOnly):
    """What the client was sent, frozen: ``content`` holds the title, texts, items and terms exactly
    as sent (see ``services.version_content``)."""

    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    content = models.JSONField()
    sent_at = models.DateTimeField(default=timezone.now)
    sent_by = models.CharField(max_length=254, blank=True)

    class Meta:
        ordering = ["proposal", "number"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "number"], name="proposal_version_once"),
        ]

    def __str__(self) -> str:
        return f"{self.proposal_id} v{self.number}"


class ProposalReview(models.Model):
    """The exact document a client is shown before signing (a version with their choices, as PDF);
    signing refers to it, so what is signed is byte for byte what was reviewed."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="reviews")
    version = models.ForeignKey(ProposalVersion, on_delete=models.PROTECT, related_name="+")
    account_id = models.PositiveIntegerField()
    choices = models.JSONField()
    pdf = models.BinaryField()
    sha256 = models.CharField(max_length=64)
    created = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.sha256


class ProposalSignature(AppendOnly):
    """A client's signature of a version: a simple electronic signature's evidence, written once."""

    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="signatures")
    version = models.ForeignKey(ProposalVersion, on_delete=models.PROTECT, related_name="signatures")
    role = models.CharField(max_length=20, default="client")
    account_id = models.PositiveIntegerField(null=True, blank=True, help_text="The portal account.")
    staff_user_id = models.PositiveIntegerField(null=True, blank=True)
    email = models.EmailField()
    typed_name = models.CharField(max_length=200)
    drawing = models.TextField(help_text="The drawn signature, a PNG as a data: URL.")
    signed_at = models.DateTimeField()
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=500, blank=True)
    consent_version = models.CharField(max_length=20)
    document_sha256 = models.CharField(max_length=64, help_text="The SHA-256 of the exact PDF signed.")
    choices = models.JSONField(default=dict)
    total = models.DecimalField(**MONEY)
    deposit = models.DecimalField(**MONEY)
    sealed_pdf = models.BinaryField(help_text="The final PDF: the document, the signature page, sealed.")
    sealed_sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["signed_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "role"], name="proposal_signed_once_by_each"),
            models.CheckConstraint(condition=Q(role__in=["client", "office"]), name="proposal_signer_role"),
        ]

    def __str__(self) -> str:
        return f"{self.typed_name} ({self.signed_at:%Y-%m-%d})"


class ProposalEvent(AppendOnly):
    """The audit trail: one line per step, in order, never changed."""

    class Kind(models.TextChoices):
        CREATED = "created", "Created"
        SENT = "sent", "Sent"
        VIEWED = "viewed", "Viewed"
        SIGNED = "signed", "Signed"
        COUNTERSIGNED = "countersigned", "Countersigned"
        DEPOSIT_PAID = "deposit_paid", "Deposit paid"
        DECLINED = "declined", "Declined"
        EXPIRED = "expired", "Expired"
        REMINDED = "reminded", "Reminded"

    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="events")
    version_number = models.PositiveIntegerField(null=True, blank=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    at = models.DateTimeField(default=timezone.now)
    actor = models.CharField(max_length=254, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    detail = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.at:%Y-%m-%d %H:%M}"
