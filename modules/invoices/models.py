"""Invoices (tenant schema). Totals are stored as computed by the core's money helper
(``portal_core.money``, one rounding rule for every priced document) and recomputed on every
change; numbers are given when an invoice is first sent, from a per-year counter, without gaps."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from portal_core.money import MONEY_FIELD, PERCENT_FIELD

MONEY = MONEY_FIELD
PERCENT = PERCENT_FIELD


class NumberSequence(models.Model):
    """The last number given in a year (``year`` 0: the running sequence of an office that does not
    start again each year): locked while the next is taken, so none is skipped or given twice."""

    year = models.PositiveIntegerField(unique=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class Deposit(models.TextChoices):
    """What part of an invoice a client may pay at a time (the rest later)."""

    NONE = "", "The full balance"
    AMOUNT = "amount", "At least an amount"
    PERCENT = "percent", "At least a percentage of the total"


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
    terms = models.TextField(blank=True, help_text="Payment terms and conditions, as the client reads them.")
    footer = models.TextField(blank=True, help_text="The small print at the foot of the invoice.")
    subtotal = models.DecimalField(**MONEY)
    discount = models.DecimalField(**MONEY)
    tax = models.DecimalField(**MONEY)
    total = models.DecimalField(**MONEY)
    amount_paid = models.DecimalField(**MONEY)
    sent_at = models.DateTimeField(null=True, blank=True)
    viewed_at = models.DateTimeField(null=True, blank=True)
    voided_at = models.DateTimeField(null=True, blank=True)
    void_reason = models.CharField(max_length=300, blank=True)
    deposit = models.CharField(
        "Part payments",
        max_length=10,
        blank=True,
        default="",
        choices=Deposit.choices,
    )
    deposit_value = models.DecimalField(
        "Smallest part", max_digits=14, decimal_places=3, null=True, blank=True
    )
    recurring = models.ForeignKey(
        "invoices.RecurringInvoice", null=True, blank=True, on_delete=models.SET_NULL, related_name="invoices"
    )
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

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.SENT, self.Status.PARTIALLY_PAID) and self.balance > 0

    @property
    def minimum_payment(self) -> Decimal:
        """The least the client may pay at a time: the balance, unless the office allows parts."""
        from portal_core.money import percentage_of

        balance = self.balance
        if self.deposit == Deposit.AMOUNT and self.deposit_value:
            least = self.deposit_value
        elif self.deposit == Deposit.PERCENT and self.deposit_value:
            least = percentage_of(self.total, self.deposit_value, self.currency)
        else:
            return balance
        return min(max(least, Decimal(0)), balance)

    @property
    def allows_part_payment(self) -> bool:
        return self.minimum_payment < self.balance


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


DEFAULT_NUMBER_PATTERN = "{YYYY}-{seq:04}"


class InvoiceTerms(models.Model):
    """The office's invoice settings (one row): how invoices are numbered, what a new invoice
    starts with (currency, payment terms, texts, part payments), and when clients are reminded of
    an open invoice (``None`` switches a reminder off)."""

    singleton = models.BooleanField(default=True, unique=True, editable=False)
    number_pattern = models.CharField(max_length=40, default=DEFAULT_NUMBER_PATTERN)
    number_reset_yearly = models.BooleanField(default=True)
    default_currency = models.CharField(max_length=3, default="EUR")
    payment_terms_days = models.PositiveSmallIntegerField(default=14, validators=[MaxValueValidator(365)])
    default_terms = models.TextField(blank=True)
    default_footer = models.TextField(blank=True)
    deposit = models.CharField(max_length=10, blank=True, default="", choices=Deposit.choices)
    deposit_value = models.DecimalField(max_digits=14, decimal_places=3, null=True, blank=True)
    remind_days_before = models.PositiveSmallIntegerField(
        null=True, blank=True, default=3, validators=[MaxValueValidator(60)]
    )
    remind_on_due_date = models.BooleanField(default=True)
    remind_days_after = models.PositiveSmallIntegerField(
        null=True, blank=True, default=7, validators=[MaxValueValidator(120)]
    )

    def __str__(self) -> str:
        return "Invoice settings"


class InvoiceReminder(models.Model):
    """A reminder sent for an invoice: each kind at most once."""

    class Kind(models.TextChoices):
        BEFORE = "before", "Before the due date"
        ON = "on", "On the due date"
        AFTER = "after", "After the due date"

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    sent_at = models.DateTimeField(default=timezone.now)
    skipped = models.BooleanField(default=False, help_text="Passed over: a later reminder was due already.")

    class Meta:
        ordering = ["sent_at", "id"]
        constraints = [models.UniqueConstraint(fields=["invoice", "kind"], name="invoice_reminder_once")]

    def __str__(self) -> str:
        return f"{self.invoice}: {self.kind}"


class RecurringInvoice(models.Model):
    """An invoice the worker issues and sends on a schedule, from the lines kept here."""

    class Frequency(models.TextChoices):
        WEEKLY = "weekly", "Every week"
        MONTHLY = "monthly", "Every month"
        QUARTERLY = "quarterly", "Every quarter"
        YEARLY = "yearly", "Every year"

    contact = models.ForeignKey(
        "portal_core.Contact", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    company = models.ForeignKey(
        "portal_core.Company", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    currency = models.CharField(max_length=3, default="EUR")
    prices_include_tax = models.BooleanField(default=False)
    discount_percent = models.DecimalField(**PERCENT)
    notes = models.TextField(blank=True)
    terms = models.TextField(blank=True)
    footer = models.TextField(blank=True)
    po_number = models.CharField("PO number", max_length=60, blank=True)
    lines = models.JSONField(default=list, help_text="Description, quantity, unit price, tax rate, discount.")
    frequency = models.CharField(max_length=10, choices=Frequency.choices, default=Frequency.MONTHLY)
    start_date = models.DateField()
    next_date = models.DateField(null=True, blank=True, help_text="Empty once the schedule has ended.")
    end_after = models.PositiveIntegerField(null=True, blank=True, help_text="Stop after this many invoices.")
    end_on = models.DateField(null=True, blank=True, help_text="Issue none after this date.")
    issued = models.PositiveIntegerField(default=0)
    stopped_at = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["next_date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(contact__isnull=False) | Q(company__isnull=False), name="recurring_has_a_client"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_frequency_display()} for {self.client_name}"

    @property
    def client_name(self) -> str:
        return str(self.company.name if self.company_id else self.contact)

    @property
    def total_preview(self) -> Decimal:
        from portal_core.money import Line, totals

        return totals(
            [
                Line(
                    Decimal(x["quantity"]),
                    Decimal(x["unit_price"]),
                    Decimal(x.get("tax_rate") or 0),
                    Decimal(x.get("discount_percent") or 0),
                )
                for x in self.lines
            ],
            currency=self.currency,
            prices_include_tax=self.prices_include_tax,
            discount_percent=self.discount_percent,
        ).total
