"""What the invoices API reads and writes. Output serializers are the schema's components
(``Invoice…``); ``…Write`` ones are request bodies; ``…Filter`` ones are list query parameters.
Ids are integers, dates ISO 8601, datetimes ISO 8601 in UTC, and money decimal strings with exactly
the currency's minor unit (``"381.04"`` EUR, ``"1200"`` JPY): the figures the page, the PDF and the
payment provider use."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from rest_framework import serializers

from portal_core.formatting import money_round
from portal_core.models import Company, Contact
from portal_core.payments.models import Payment
from portal_core.payments.services import MANUAL_METHODS

from ..models import Invoice, InvoiceLine

ID = 2**63 - 1
HUNDRED = Decimal(100)


def _money(help_text: str = "", **kwargs) -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=14, decimal_places=3, read_only=True, help_text=help_text, **kwargs
    )


def _percent(help_text: str, **kwargs) -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=5, decimal_places=2, min_value=Decimal(0), max_value=HUNDRED, help_text=help_text, **kwargs
    )


def _in_minor_units(data: dict, currency: str, names) -> dict:
    """Money as the currency writes it: ``"381.040"`` → ``"381.04"`` (EUR), ``"1200"`` (JPY)."""
    for name in names:
        if data.get(name) is not None:
            data[name] = str(money_round(Decimal(data[name]), currency))
    return data


# --- invoices ---------------------------------------------------------------------------------------


class InvoiceLineSerializer(serializers.ModelSerializer):
    amount = _money("Quantity × unit price, less the line's discount, rounded to the currency's unit.")

    class Meta:
        model = InvoiceLine
        fields = [
            "id",
            "position",
            "description",
            "quantity",
            "unit_price",
            "tax_rate",
            "discount_percent",
            "amount",
        ]
        read_only_fields = fields
        ref_name = "InvoiceLine"


class InvoiceSerializer(serializers.ModelSerializer):
    """An invoice with its lines and figures, as the office, the client's page and its PDF show it."""

    MONEY = ("subtotal", "discount", "tax", "total", "amount_paid", "balance")

    contact_id = serializers.IntegerField(read_only=True, allow_null=True, help_text="Null for a company's.")
    company_id = serializers.IntegerField(read_only=True, allow_null=True, help_text="Null for a contact's.")
    number = serializers.CharField(
        read_only=True, help_text="Empty until first sent; then unique, without gaps."
    )
    overdue = serializers.BooleanField(
        source="is_overdue", read_only=True, help_text="Open, and its due date has passed."
    )
    subtotal = _money("The lines' amounts added up.")
    discount = _money("The invoice's own discount (``discount_percent`` of the subtotal).")
    tax = _money("The tax, computed once per rate.")
    total = _money("What the client pays: without tax after discounts, plus tax.")
    amount_paid = _money("What has been received, less refunds.")
    balance = _money("What is left to pay.")
    lines = InvoiceLineSerializer(many=True, read_only=True)

    class Meta:
        model = Invoice
        fields = [
            "id",
            "number",
            "status",
            "overdue",
            "contact_id",
            "company_id",
            "currency",
            "issue_date",
            "due_date",
            "prices_include_tax",
            "discount_percent",
            "po_number",
            "notes",
            "terms",
            "footer",
            "lines",
            "subtotal",
            "discount",
            "tax",
            "total",
            "amount_paid",
            "balance",
            "sent_at",
            "viewed_at",
            "voided_at",
            "void_reason",
            "created",
        ]
        read_only_fields = fields
        ref_name = "Invoice"

    def to_representation(self, instance):
        data = super().to_representation(instance)
        for line in data["lines"]:
            _in_minor_units(line, instance.currency, ("amount",))
        return _in_minor_units(data, instance.currency, self.MONEY)


class InvoiceLineWriteSerializer(serializers.Serializer):
    description = serializers.CharField(max_length=300)
    quantity = serializers.DecimalField(
        max_digits=12, decimal_places=3, min_value=Decimal("0.001"), default=Decimal(1)
    )
    unit_price = serializers.DecimalField(
        max_digits=14,
        decimal_places=3,
        min_value=Decimal(0),
        help_text="With or without tax, as the invoice's ``prices_include_tax`` says.",
    )
    tax_rate = _percent("In percent, e.g. ``21``.", default=Decimal(0))
    discount_percent = _percent("The line's own discount, in percent.", default=Decimal(0))

    class Meta:
        ref_name = "InvoiceLineWrite"


class InvoiceWriteSerializer(serializers.Serializer):
    """A draft: for one contact or one company, with 1 to 200 lines. Replacing it (PUT), fields left
    out take their defaults; changing it (PATCH) sends only what changes, and ``lines``, when sent,
    replace all of them. Only a draft changes."""

    contact = serializers.PrimaryKeyRelatedField(
        queryset=Contact.objects.all(), allow_null=True, default=None, help_text="The contact it is for."
    )
    company = serializers.PrimaryKeyRelatedField(
        queryset=Company.objects.all(),
        allow_null=True,
        default=None,
        help_text="Or the company it is for (its portal account sees it).",
    )
    currency = serializers.RegexField(
        r"^[A-Za-z]{3}$",
        trim_whitespace=False,
        default=None,
        allow_null=True,
        help_text="An ISO 4217 code, such as EUR. By default the office's currency (invoice settings).",
        error_messages={"invalid": "A three-letter code, such as EUR."},
    )
    due_date = serializers.DateField(
        allow_null=True, default=None, help_text="Null: the payment terms from the day it is sent."
    )
    prices_include_tax = serializers.BooleanField(default=False)
    discount_percent = _percent("A discount on the whole invoice, in percent.", default=Decimal(0))
    po_number = serializers.CharField(max_length=60, allow_blank=True, default="")
    notes = serializers.CharField(max_length=20000, allow_blank=True, default="")
    terms = serializers.CharField(
        max_length=20000,
        allow_blank=True,
        allow_null=True,
        default=None,
        help_text="Payment terms the client reads. By default the office's (invoice settings).",
    )
    footer = serializers.CharField(
        max_length=20000,
        allow_blank=True,
        allow_null=True,
        default=None,
        help_text="The small print at the foot of the invoice. By default the office's.",
    )
    lines = InvoiceLineWriteSerializer(many=True, allow_empty=False, max_length=200)

    class Meta:
        ref_name = "InvoiceWrite"

    def validate(self, attrs):
        if self.partial:
            return attrs
        if (attrs.get("contact") is None) == (attrs.get("company") is None):
            raise serializers.ValidationError({"contact": ["Give a contact or a company (one of them)."]})
        return attrs


class InvoiceFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Invoice.Status.choices, required=False)
    contact = serializers.IntegerField(required=False, min_value=1, max_value=ID, help_text="A contact id.")
    company = serializers.IntegerField(required=False, min_value=1, max_value=ID, help_text="A company id.")
    overdue = serializers.BooleanField(
        required=False, help_text="Only the open invoices past their due date (or, false, all the others)."
    )


class InvoiceVoidSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300, help_text="Why it is void; the client sees it.")

    class Meta:
        ref_name = "InvoiceVoid"


class InvoicePdfQuerySerializer(serializers.Serializer):
    language = serializers.ChoiceField(
        choices=settings.LANGUAGES, required=False, help_text="By default the client's language."
    )


# --- payments ---------------------------------------------------------------------------------------


class InvoicePaymentSerializer(serializers.ModelSerializer):
    """A payment of an invoice: a card payment through the office's Stripe account (pending until
    Stripe confirms it), or one the office recorded."""

    invoice_id = serializers.SerializerMethodField()
    amount = _money()
    amount_refunded = _money()

    class Meta:
        model = Payment
        fields = [
            "id",
            "invoice_id",
            "amount",
            "currency",
            "amount_refunded",
            "status",
            "method",
            "paid_on",
            "note",
            "recorded_by",
            "failure_message",
            "created",
            "succeeded_at",
        ]
        read_only_fields = fields
        ref_name = "InvoicePayment"

    def get_invoice_id(self, payment: Payment) -> int:
        return int(payment.reference)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        return _in_minor_units(data, instance.currency, ("amount", "amount_refunded"))


class InvoicePaymentRecordSerializer(serializers.Serializer):
    amount = serializers.DecimalField(
        max_digits=14,
        decimal_places=3,
        min_value=Decimal("0.001"),
        help_text="In the invoice's currency, at most its balance.",
    )
    method = serializers.ChoiceField(choices=[(m.value, m.label) for m in MANUAL_METHODS])
    paid_on = serializers.DateField(help_text="When it was received (not in the future).")
    note = serializers.CharField(max_length=300, allow_blank=True, default="")

    class Meta:
        ref_name = "InvoicePaymentRecord"
