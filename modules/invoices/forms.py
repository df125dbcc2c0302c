from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal_core.formatting import money_round
from portal_core.models import Company, Contact
from portal_core.payments.services import MANUAL_METHODS

from .models import Deposit, Invoice, RecurringInvoice


class InvoiceForm(forms.Form):
    contact = forms.ModelChoiceField(
        queryset=Contact.objects.order_by("first_name", "last_name"), required=False
    )
    company = forms.ModelChoiceField(
        queryset=Company.objects.order_by("name"),
        required=False,
        help_text="Or bill a company: its portal account sees the invoice.",
    )
    currency = forms.CharField(max_length=3, initial="EUR")
    due_date = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Empty: the payment terms from the day you send it.",
    )
    prices_include_tax = forms.BooleanField(required=False, label="Prices include tax")
    discount_percent = forms.DecimalField(
        required=False, min_value=0, max_value=100, decimal_places=2, label="Invoice discount (%)"
    )
    po_number = forms.CharField(required=False, max_length=60, label="PO number")
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    terms = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    footer = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    deposit = forms.ChoiceField(choices=Deposit.choices, required=False, label="The client may pay")
    deposit_value = forms.DecimalField(
        required=False,
        min_value=0,
        decimal_places=3,
        label="Smallest part (amount or %)",
        help_text="With part payments, the least the client pays at a time.",
    )

    def clean(self):
        data = super().clean()
        if bool(data.get("contact")) == bool(data.get("company")):
            self.add_error("contact", "Choose a contact or a company (one of them).")
        data["currency"] = (data.get("currency") or "").upper()
        return data


class LineForm(forms.Form):
    description = forms.CharField(max_length=300, required=False)
    quantity = forms.DecimalField(required=False, min_value=Decimal("0.001"), decimal_places=3, initial=1)
    unit_price = forms.DecimalField(required=False, min_value=0, decimal_places=3, label="Price")
    tax_rate = forms.DecimalField(
        required=False, min_value=0, max_value=100, decimal_places=2, initial=0, label="Tax %"
    )
    discount_percent = forms.DecimalField(
        required=False, min_value=0, max_value=100, decimal_places=2, label="Discount %"
    )

    def clean(self):
        data = super().clean()
        if data.get("description") and data.get("unit_price") is None:
            self.add_error("unit_price", "Give the line a price.")
        return data


LineFormSet = forms.formset_factory(LineForm, extra=3)


class VoidForm(forms.Form):
    reason = forms.CharField(max_length=300)


class PaymentForm(forms.Form):
    amount = forms.DecimalField(min_value=Decimal("0.001"), decimal_places=3)
    method = forms.ChoiceField(choices=[(m.value, m.label) for m in MANUAL_METHODS])
    paid_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), label="Received on")
    note = forms.CharField(max_length=300, required=False)

    def __init__(self, *args, invoice: Invoice | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if invoice is not None and not self.is_bound:
            self.initial.update(
                {"amount": money_round(invoice.balance, invoice.currency), "paid_on": timezone.localdate()}
            )


class RefundForm(forms.Form):
    amount = forms.DecimalField(
        min_value=Decimal("0.001"), decimal_places=3, required=False, help_text="Empty: all of it."
    )


class PartPaymentsForm(forms.Form):
    deposit = forms.ChoiceField(choices=Deposit.choices, required=False, label="The client may pay")
    deposit_value = forms.DecimalField(
        required=False, min_value=0, decimal_places=3, label="Smallest part (amount or %)"
    )


class RecurringForm(forms.Form):
    ENDS = [("never", "Never"), ("after", "After a number of invoices"), ("on", "On a date")]
    frequency = forms.ChoiceField(choices=RecurringInvoice.Frequency.choices, label="Repeat")
    start_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), label="First invoice on")
    ends = forms.ChoiceField(choices=ENDS, initial="never", label="Ends")
    end_after = forms.IntegerField(required=False, min_value=1, label="Number of invoices")
    end_on = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}), label="Last date"
    )

    def clean(self):
        data = super().clean()
        if data.get("ends") == "after" and not data.get("end_after"):
            self.add_error("end_after", "How many invoices?")
        if data.get("ends") == "on" and not data.get("end_on"):
            self.add_error("end_on", "Give the last date.")
        if data.get("ends") != "after":
            data["end_after"] = None
        if data.get("ends") != "on":
            data["end_on"] = None
        return data


class InvoiceTermsForm(forms.Form):
    """The office's invoice settings: numbering, what a new invoice starts with, reminders."""

    number_pattern = forms.CharField(
        max_length=40,
        label="Number pattern",
        help_text="{YYYY} or {YY} the year, {MM} the month, {seq} the number in the sequence "
        "({seq:04}: at least four digits), e.g. {YYYY}-{seq:04} gives 2026-0001.",
    )
    number_reset_yearly = forms.BooleanField(required=False, label="Start the numbers again at 1 each year")
    default_currency = forms.CharField(
        max_length=3, label="Currency", help_text="An ISO 4217 code, such as EUR, USD or GBP."
    )
    payment_terms_days = forms.IntegerField(
        min_value=0,
        max_value=365,
        label="Payment terms (days)",
        help_text="The due date is this many days after the invoice is sent, unless you give one.",
    )
    default_terms = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Terms",
        help_text="Printed on each new invoice, e.g. how to pay by bank transfer.",
    )
    default_footer = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Footer",
        help_text="The small print at the foot of each new invoice: registration and tax numbers.",
    )
    deposit = forms.ChoiceField(choices=Deposit.choices, required=False, label="New invoices may be paid")
    deposit_value = forms.DecimalField(
        required=False,
        min_value=0,
        decimal_places=3,
        label="Smallest part (amount or %)",
        help_text="With part payments, the least the client pays at a time.",
    )
    remind_days_before = forms.IntegerField(
        required=False,
        min_value=0,
        max_value=60,
        label="Remind days before the due date",
        help_text="Empty or 0: none.",
    )
    remind_on_due_date = forms.BooleanField(required=False, label="Remind on the due date")
    remind_days_after = forms.IntegerField(
        required=False,
        min_value=0,
        max_value=120,
        label="Remind days after the due date",
        help_text="Empty or 0: none.",
    )

    def clean_default_currency(self):
        return self.cleaned_data["default_currency"].strip().upper()


class InvoiceFilterForm(forms.Form):
    q = forms.CharField(required=False, label="Client or number")
    status = forms.ChoiceField(
        required=False,
        choices=[
            ("", "Any status"),
            *Invoice.Status.choices,
            ("overdue", "Overdue"),
            ("refund", "Needs a refund"),
        ],
    )


class PayForm(forms.Form):
    """The client's amount, where the office lets them pay an invoice in parts."""

    amount = forms.DecimalField(decimal_places=3, label=_("Amount to pay"))

    def __init__(self, *args, invoice: Invoice, **kwargs):
        super().__init__(*args, **kwargs)
        self.invoice = invoice
        field = self.fields["amount"]
        least, most = (money_round(x, invoice.currency) for x in (invoice.minimum_payment, invoice.balance))
        field.widget.attrs.update({"min": least, "max": most, "step": "any", "inputmode": "decimal"})
        if not self.is_bound:
            self.initial["amount"] = most

    def clean_amount(self):
        from portal_core.formatting import format_money

        amount = self.cleaned_data["amount"]
        least, most = self.invoice.minimum_payment, self.invoice.balance
        if amount < least or amount > most:
            raise forms.ValidationError(
                _("Pay at least %(least)s and at most %(most)s.")
                % {
                    "least": format_money(least, self.invoice.currency),
                    "most": format_money(most, self.invoice.currency),
                }
            )
        return amount
