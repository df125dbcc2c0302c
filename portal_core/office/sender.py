"""Portal → Email, "Send from your own domain": the office gives its address, reads the SPF, DKIM
and return-path records to add, and checks them; emails use the address once they verify."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path
from django.views.decorators.http import require_POST

from portal_core import sender_domains as service

from .shell import staff_required


class SenderForm(forms.Form):
    address = forms.CharField(
        label="Your sender address", max_length=254, help_text="For example hello@youragency.com",
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )  # fmt: skip


def sender_context(form: SenderForm | None = None) -> dict:
    """What the email settings page shows of the office's own sender address."""
    sender = service.sender_domain_get()
    rows = []
    if sender is not None:
        results = {result["key"]: result for result in sender.results}
        rows = [(record, results.get(record.key, {})) for record in service.records_for(sender)]
    return {"sender": sender, "sender_records": rows, "sender_form": form or SenderForm(prefix="sender")}


@staff_required
@require_POST
def sender_set(request):
    from .pages import email_settings

    form = SenderForm(request.POST, prefix="sender")
    if form.is_valid():
        try:
            sender = service.sender_domain_set(address=form.cleaned_data["address"])
        except ValidationError as exc:
            form.add_error("address", exc.messages)
        else:
            messages.success(request, f"Add the records below for {sender.domain}, then press Check now.")
            return redirect("office:email")
    return email_settings(request, sender_form=form)


@staff_required
@require_POST
def sender_check(request):
    sender = service.sender_domain_get()
    if sender is None:
        raise Http404
    sender = service.sender_domain_check(sender=sender)
    if sender.status == sender.Status.VERIFIED:
        messages.success(request, f"Emails to your clients now come from {sender.address}.")
    else:
        messages.info(
            request, "Not every record is found yet. Emails come from Portico's address until they are."
        )
    return redirect("office:email")


@staff_required
@require_POST
def sender_remove(request):
    service.sender_domain_remove()
    messages.success(request, "Emails to your clients come from Portico's address again.")
    return redirect("office:email")


urlpatterns = [
    path("email/sender/", sender_set, name="email-sender"),
    path("email/sender/check/", sender_check, name="email-sender-check"),
    path("email/sender/remove/", sender_remove, name="email-sender-remove"),
]
