from decimal import Decimal

from django import forms

from portal_core.models import Contact


class InvoiceForm(forms.Form):
    contact = forms.ModelChoiceField(queryset=Contact.objects.order_by("first_name", "last_name"))
    currency = forms.CharField(max_length=3, initial="EUR")
    due_date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    prices_include_tax = forms.BooleanField(required=False, label="Prices include tax")
    discount_percent = forms.DecimalField(
        required=False, min_value=0, max_value=100, decimal_places=2, label="Invoice discount (%)"
    )
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))


class LineForm(forms.Form):
    description = forms.CharField(max_length=300, required=False)
    quantity = forms.DecimalField(required=False, min_value=Decimal("0.001"), decimal_places=3, initial=1)
    unit_price = forms.DecimalField(required=False, min_value=0, decimal_places=3, label="Unit price")
    tax_rate = forms.DecimalField(required=False, min_value=0, max_value=100, decimal_places=2, initial=0)

    def clean(self):
        data = super().clean()
        if data.get("description") and data.get("unit_price") is None:
            self.add_error("unit_price", "Give the line a price.")
        return data


LineFormSet = forms.formset_factory(LineForm, extra=3)


class VoidForm(forms.Form):
    reason = forms.CharField(max_length=300)
