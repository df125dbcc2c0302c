"""Invoices (tenant schema). Totals are stored as computed by the core's money helper
(``portal_core.money``, one rounding rule for every priced document) and recomputed on every
change; numbers are given when an invoice is first sent, from a per-year counter, without gaps."""

from __future__ import annotations

from decimal import Decimal

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


class NumberSequence(models.Model):
    """The last number given in a year: locked while the next is taken, so none is skipped."""

    year = models.PositiveIntegerField(unique=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class Invoice(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SENT = "sent", "Sent"
        PARTIALLY_PAID = "partially_paid", "Partially paid"
        PAID = "paid", "Paid"
        VOID = "void", "Void"

    contact = models.ForeignKey(
        "portal_core.Contact", null=True, blank=True, on_delete=models.PROTECT, related_name="invoices"
    )
    company = models.ForeignKey(
        "portal_core.Company", null=True, blank=True, on_delete=models.PROTECT, related_name="invoices"
    )
    number = models.CharField(max_length=40, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    currency = models.CharField(max_length=3, default="EUR")
    issue_date = models.DateField(null=True, blank=True)
    due_date = models.DateField(null=True, blank=True)
    prices_include_tax = models.BooleanField(default=False)
    discount_percent = models.DecimalField(**PERCENT)
    po_number = models.CharField("PO number", max_length=60, blank=True)
    notes = models.TextField(blank=True)
    subtotal = models.DecimalField(**MONEY)
    discount = models.DecimalField(**MONEY)
    tax = models.DecimalField(**MONEY)
    total = models.DecimalField(**MONEY)
    amount_paid = models.DecimalField(**MONEY)
    sent_at = models.DateTimeField(null=True, blank=True)
    viewed_at = models.DateTimeField(null=True, blank=True)
    voided_at = models.DateTimeField(null=True, blank=True)
    void_reason = models.CharField(max_length=300, blank=True)
    created = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created", "id"]
        constraints = [
            models.UniqueConstraint(fields=["number"], condition=~Q(number=""), name="invoice_number_unique"),
            models.CheckConstraint(
                condition=Q(contact__isnull=False) | Q(company__isnull=False), name="invoice_has_a_client"
            ),
        ]

    def __str__(self) -> str:
        return self.number or f"Draft {self.pk}"

    @property
    def balance(self) -> Decimal:
        return max(self.total - self.amount_paid, Decimal(0))

    @property
    def is_overdue(self) -> bool:
        open_ = self.status in (self.Status.SENT, self.Status.PARTIALLY_PAID)
        return open_ and self.due_date is not None and self.due_date < timezone.localdate()

    @property
    def client_name(self) -> str:
        return str(self.company.name if self.company_id else self.contact)


class InvoiceLine(models.Model):
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField(default=0)
    description = models.CharField(max_length=300)
    quantity = models.DecimalField(max_digits=12, decimal_places=3, default=Decimal(1))
    unit_price = models.DecimalField(max_digits=14, decimal_places=3)
    tax_rate = models.DecimalField(**PERCENT)
    discount_percent = models.DecimalField(**PERCENT)
    amount = models.DecimalField(**MONEY)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.description
