"""The client's invoice pages: their own invoices, and their company's (the office's are in
``office``)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal_core.client_auth import client_required, is_preview
from portal_core.portal import portal_context

from . import selectors, services
from .forms import PayForm
from .models import Invoice

# --- the client ---------------------------------------------------------------------------------


def _clients_invoices(request):
    return selectors.invoices_for_client(request.client)


@client_required
def portal_list(request):
    invoices = list(_clients_invoices(request))
    open_ = [i for i in invoices if i.status in (Invoice.Status.SENT, Invoice.Status.PARTIALLY_PAID)]
    done = [i for i in invoices if i not in open_]
    return render(request, "invoices/portal/list.html", portal_context(request, open=open_, done=done))


def _invoice_page(request, invoice, pay_form=None):
    pay_form = pay_form or (PayForm(invoice=invoice) if invoice.allows_part_payment else None)
    context = portal_context(request, invoice=invoice, pay_form=pay_form)
    return render(
        request, "invoices/portal/invoice.html", context, status=400 if pay_form and pay_form.errors else 200
    )


@client_required
def portal_invoice(request, pk):
    invoice = get_object_or_404(_clients_invoices(request).prefetch_related("lines"), pk=pk)
    if not is_preview(request):
        services.invoice_viewed(invoice=invoice)
    return _invoice_page(request, invoice)


@client_required
@require_POST
def portal_pay(request, pk):
    """Pay the balance through Stripe Checkout, or, where the office allows parts, the amount the
    client chose (at least the smallest part)."""
    invoice = get_object_or_404(_clients_invoices(request), pk=pk)
    if is_preview(request):
        return redirect("invoices:invoice", pk)
    back = request.build_absolute_uri(reverse("invoices:invoice", args=[pk]))
    amount = invoice.balance
    if invoice.allows_part_payment and request.POST.get("amount"):
        form = PayForm(request.POST, invoice=invoice)
        if not form.is_valid():
            return _invoice_page(request, invoice, form)
        amount = form.cleaned_data["amount"]
    try:
        url = services.invoice_checkout_part(
            invoice=invoice,
            amount=amount,
            success_url=request.build_absolute_uri(reverse("invoices:paid", args=[pk]))
            + "?session={CHECKOUT_SESSION_ID}",
            cancel_url=back,
            email=request.client.email,
        )
    except ValidationError:
        messages.error(request, _("This invoice cannot be paid online just now."))
        return redirect("invoices:invoice", pk)
    return redirect(url)


@client_required
def portal_paid(request, pk):
    """Back from Stripe: paid once the webhook has landed, else "processing" (the page refreshes)."""
    invoice = get_object_or_404(_clients_invoices(request), pk=pk)
    session = request.GET.get("session", "")
    payment = (
        services.invoice_payments(invoice).filter(checkout_session_id=session).first()
        if session.startswith("cs_")
        else None
    )
    if payment is not None:
        state = {"succeeded": "arrived", "failed": "failed"}.get(payment.status, "processing")
        if payment.status in ("refunded", "partially_refunded"):
            state = "arrived"
    else:
        state = "arrived" if invoice.status == Invoice.Status.PAID else "processing"
    context = portal_context(request, invoice=invoice, payment=payment, state=state)
    return render(request, "invoices/portal/paid.html", context)
