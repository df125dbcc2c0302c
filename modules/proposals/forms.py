from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from portal_core.models import Company, Contact

from .models import Deposit, Proposal, ProposalItem


class ProposalForm(forms.Form):
    title = forms.CharField(max_length=200)
    contact = forms.ModelChoiceField(
        queryset=Contact.objects.order_by("first_name", "last_name"), required=False
    )
    company = forms.ModelChoiceField(
        queryset=Company.objects.order_by("name"),
        required=False,
        help_text="Or a company: its portal account sees it.",
    )
    intro = forms.CharField(
        required=False,
        label="Introduction",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Formatted text: paragraphs, bold, italics, lists and links.",
    )
    valid_until = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    currency = forms.CharField(max_length=3, initial="EUR")
    prices_include_tax = forms.BooleanField(required=False, label="Prices include tax")
    discount_percent = forms.DecimalField(
        required=False, min_value=0, max_value=100, decimal_places=2, label="Discount (%)"
    )
    deposit = forms.ChoiceField(choices=Deposit.choices, required=False, label="Deposit on acceptance")
    deposit_value = forms.DecimalField(
        required=False, min_value=0, decimal_places=3, label="Deposit (amount or %)"
    )

    def __init__(self, *args, template: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.template = template
        if template:
            del self.fields["contact"], self.fields["company"]

    def clean(self):
        data = super().clean()
        if not self.template and bool(data.get("contact")) == bool(data.get("company")):
            self.add_error("contact", "Choose a contact or a company (one of them).")
        data["currency"] = (data.get("currency") or "").upper()
        return data


class SectionForm(forms.Form):
    heading = forms.CharField(max_length=200, required=False)
    body = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))


class ItemForm(forms.Form):
    description = forms.CharField(max_length=300, required=False)
    details = forms.CharField(max_length=500, required=False)
    kind = forms.ChoiceField(choices=ProposalItem.Kind.choices, initial=ProposalItem.Kind.INCLUDED)
    group = forms.CharField(
        max_length=100, required=False, label="Choice", help_text="For “one of a choice”."
    )
    selected = forms.BooleanField(required=False, initial=True, label="Chosen at first")
    quantity = forms.DecimalField(min_value=Decimal("0.001"), decimal_places=3, initial=1, required=False)
    quantity_editable = forms.BooleanField(required=False, label="Client may change the quantity")
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
            self.add_error("unit_price", "Give the item a price.")
        return data


SectionFormSet = forms.formset_factory(SectionForm, extra=1)
ItemFormSet = forms.formset_factory(ItemForm, extra=2)


class FromTemplateForm(forms.Form):
    template = forms.ModelChoiceField(queryset=Proposal.objects.filter(is_template=True).order_by("title"))
    contact = forms.ModelChoiceField(
        queryset=Contact.objects.order_by("first_name", "last_name"), required=False
    )
    company = forms.ModelChoiceField(queryset=Company.objects.order_by("name"), required=False)

    def clean(self):
        data = super().clean()
        if bool(data.get("contact")) == bool(data.get("company")):
            self.add_error("contact", "Choose a contact or a company (one of them).")
        return data


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you decline?"), max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )
