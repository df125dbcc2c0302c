"""The office's invoice pages (staff) and the client's (their own invoices, and their company's)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal_core.client_auth import client_required, is_preview
from portal_core.office.shell import errors_onto, query_without, render_office, staff_required
from portal_core.payments.models import Payment
from portal_core.portal import portal_context

from . import services
from .forms import InvoiceForm, LineFormSet, VoidForm
from .models import Invoice

# --- the office ---------------------------------------------------------------------------------


@staff_required
def office_list(request):
    invoices = Invoice.objects.select_related("contact", "company")
    status = request.GET.get("status", "")
    if status in Invoice.Status.values:
        invoices = invoices.filter(status=status)
    page = Paginator(invoices, 25).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "status": status,
        "statuses": Invoice.Status.choices,
        "query_string": query_without(request, "page"),
    }
    return render_office(request, "invoices/office/list.html", context)


@staff_required
def office_create(request):
    form = InvoiceForm(request.POST or None)
    lines = LineFormSet(request.POST or None, prefix="lines")
    if request.method == "POST" and form.is_valid() and lines.is_valid():
        entered = [
            services.LineInput(
                description=line["description"],
                quantity=line.get("quantity") or 1,
                unit_price=line["unit_price"],
                tax_rate=line.get("tax_rate") or 0,
            )
            for line in lines.cleaned_data
            if line.get("description")
        ]
        data = form.cleaned_data
        try:
            invoice = services.invoice_create(
                contact=data["contact"],
                lines=entered,
                currency=data["currency"],
                due_date=data["due_date"],
                prices_include_tax=data["prices_include_tax"],
                discount_percent=data["discount_percent"] or 0,
                notes=data["notes"],
            )
        except ValidationError as exc:
            errors_onto(form, exc)
        else:
            messages.success(request, "Draft saved. Send it when it is ready.")
            return redirect("office:invoices_office:invoice", invoice.pk)
    return render_office(request, "invoices/office/form.html", {"form": form, "lines": lines})


@staff_required
def office_invoice(request, pk):
    invoice = get_object_or_404(Invoice.objects.select_related("contact", "company"), pk=pk)
    payments = Payment.objects.filter(module="invoices", reference=str(invoice.pk))
    context = {"invoice": invoice, "payments": payments, "void_form": VoidForm()}
    return render_office(request, "invoices/office/invoice.html", context)


@staff_required
@require_POST
def office_send(request, pk):
    invoice = get_object_or_404(Invoice, pk=pk)
    try:
        invoice = services.invoice_send(invoice=invoice)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Invoice {invoice.number} is open for payment in the client's portal.")
    return redirect("office:invoices_office:invoice", pk)


@staff_required
@require_POST
def office_void(request, pk):
    invoice = get_object_or_404(Invoice, pk=pk)
    form = VoidForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError("Say why the invoice is void.")
        services.invoice_void(invoice=invoice, reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "The invoice is void.")
    return redirect("office:invoices_office:invoice", pk)


# --- the client ---------------------------------------------------------------------------------


def _clients_invoices(request):
    client = request.client
    mine = Q(contact_id=client.contact_id) if client.contact_id else Q(company_id=client.company_id)
    return Invoice.objects.filter(mine).exclude(status=Invoice.Status.DRAFT)


@client_required
def portal_list(request):
    invoices = list(_clients_invoices(request))
    open_ = [i for i in invoices if i.status in (Invoice.Status.SENT, Invoice.Status.PARTIALLY_PAID)]
    done = [i for i in invoices if i not in open_]
    return render(request, "invoices/portal/list.html", portal_context(request, open=open_, done=done))


@client_required
def portal_invoice(request, pk):
    invoice = get_object_or_404(_clients_invoices(request).prefetch_related("lines"), pk=pk)
    if not is_preview(request):
        services.invoice_viewed(invoice=invoice)
    return render(request, "invoices/portal/invoice.html", portal_context(request, invoice=invoice))


@client_required
@require_POST
def portal_pay(request, pk):
    invoice = get_object_or_404(_clients_invoices(request), pk=pk)
    if is_preview(request):
        return redirect("invoices:invoice", pk)
    back = request.build_absolute_uri(reverse("invoices:invoice", args=[pk]))
    try:
        url = services.invoice_checkout(
            invoice=invoice,
            success_url=request.build_absolute_uri(reverse("invoices:paid", args=[pk])),
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
    return render(request, "invoices/portal/paid.html", portal_context(request, invoice=invoice))
