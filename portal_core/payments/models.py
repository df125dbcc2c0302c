"""The office's Stripe connection and its payments (tenant schema). What a payment pays for is a
reference the paying module owns (``module`` and ``reference``): the core never imports it."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone


class StripeConnection(models.Model):
    """The office's Stripe account (one per office), as Stripe last described it."""

    class Status(models.TextChoices):
        NOT_CONNECTED = "not_connected", "Not connected"
        DETAILS_NEEDED = "details_needed", "Details needed"
        ACTIVE = "active", "Active"
        RESTRICTED = "restricted", "Restricted"

    singleton = models.BooleanField(default=True, unique=True, editable=False)
    account_id = models.CharField(max_length=64, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NOT_CONNECTED)
    charges_enabled = models.BooleanField(default=False)
    details_submitted = models.BooleanField(default=False)
    disabled_reason = models.CharField(max_length=120, blank=True)
    default_currency = models.CharField(max_length=3, blank=True)
    updated = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.account_id or "Stripe (not connected)"


class Payment(models.Model):
    """One attempt to pay (by card through Checkout) or a payment staff recorded (bank transfer,
    cash, cheque). Amounts are ``Decimal`` in ``currency``'s unit."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"
        REFUNDED = "refunded", "Refunded"
        PARTIALLY_REFUNDED = "partially_refunded", "Partially refunded"

    class Method(models.TextChoices):
        CARD = "card", "Card (Stripe)"
        BANK_TRANSFER = "bank_transfer", "Bank transfer"
        CASH = "cash", "Cash"
        CHEQUE = "cheque", "Cheque"
        DEPOSIT = "deposit", "Deposit paid earlier"

    module = models.CharField(max_length=40, help_text="The key of the module the payment is for.")
    reference = models.CharField(max_length=80, help_text="What it pays for, in the module's terms.")
    amount = models.DecimalField(
        max_digits=14, decimal_places=3, validators=[MinValueValidator(Decimal("0.001"))]
    )
    currency = models.CharField(max_length=3)
    amount_refunded = models.DecimalField(max_digits=14, decimal_places=3, default=Decimal(0))
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    method = models.CharField(max_length=20, choices=Method.choices, default=Method.CARD)
    checkout_session_id = models.CharField(max_length=80, blank=True, db_index=True)
    payment_intent_id = models.CharField(max_length=80, blank=True, db_index=True)
    charge_id = models.CharField(max_length=80, blank=True)
    failure_message = models.CharField(max_length=300, blank=True)
    paid_on = models.DateField(null=True, blank=True)
    note = models.CharField(max_length=300, blank=True)
    recorded_by = models.CharField(max_length=254, blank=True)
    created = models.DateTimeField(default=timezone.now, editable=False)
    succeeded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["module", "reference"])]

    def __str__(self) -> str:
        return f"{self.amount} {self.currency} ({self.get_status_display()})"

    @property
    def refundable(self) -> Decimal:
        if self.status not in (self.Status.SUCCEEDED, self.Status.PARTIALLY_REFUNDED):
            return Decimal(0)
        return self.amount - self.amount_refunded


class StripeEventSeen(models.Model):
    """A Connect webhook event already handled in this office: the same event twice changes nothing."""

    event_id = models.CharField(max_length=80, unique=True)
    type = models.CharField(max_length=80)
    received = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.event_id
