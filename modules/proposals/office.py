"""The office's proposal pages: the list (by status, with this month's figures and a chart), the
editor with a live preview of what the client sees, a proposal's page (send, duplicate, save as
template, its versions and audit trail, the signed PDF), and the templates. Writes go through
``services``."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.views.decorators.http import require_POST

from portal_core.office.shell import actor, errors_onto, render_office, staff_required
from tenants.signin_policy import client_address

from . import selectors, services
from .forms import FromTemplateForm, ItemFormSet, ProposalForm, SectionFormSet
from .models import Proposal
from .views import _items_view, signed_pdf_response

STATUSES = [("", "All")] + [(v, label) for v, label in Proposal.Status.choices]


def _id(value) -> int | None:
    return int(value) if value and str(value).isdigit() else None


@staff_required
def office_list(request):
    status = request.GET.get("status", "")
    proposals = Proposal.objects.filter(is_template=False).select_related("contact", "company")
    if status in Proposal.Status.values:
        proposals = proposals.filter(status=status)
    contact_id, company_id = _id(request.GET.get("contact")), _id(request.GET.get("company"))
    if contact_id:
        proposals = proposals.filter(contact_id=contact_id)
    if company_id:
        proposals = proposals.filter(company_id=company_id)
    rows = [(p, selectors.latest_total(p)) for p in proposals[:200]]
    context = {
        "rows": rows,
        "status": status,
        "statuses": STATUSES,
        "figures": selectors.office_figures(),
    }
    return render_office(request, "proposals/office/list.html", context)


# --- the editor ----------------------------------------------------------------------------------


def _entered(form, sections, items) -> dict:
    data = form.cleaned_data
    return {
        "title": data["title"],
        "intro": data.get("intro") or "",
        "sections": [
            services.SectionInput(s["heading"], s.get("body") or "")
            for s in sections.cleaned_data
            if s.get("heading") or s.get("body")
        ],
        "items": [
            services.ItemInput(
                description=i["description"],
                details=i.get("details") or "",
                unit_price=i["unit_price"],
                quantity=i.get("quantity") or Decimal(1),
                tax_rate=i.get("tax_rate") or Decimal(0),
                discount_percent=i.get("discount_percent") or Decimal(0),
                kind=i.get("kind") or "included",
                group=i.get("group") or "",
                selected=bool(i.get("selected")),
                quantity_editable=bool(i.get("quantity_editable")),
            )
            for i in items.cleaned_data
            if i.get("description") and i.get("unit_price") is not None
        ],
        "currency": data["currency"] or "EUR",
        "prices_include_tax": data["prices_include_tax"],
        "discount_percent": data.get("discount_percent") or Decimal(0),
        "valid_until": data.get("valid_until"),
        "deposit": data.get("deposit") or "",
        "deposit_value": data.get("deposit_value"),
    }


def _initial(proposal: Proposal) -> tuple[dict, list, list]:
    head = {
        "title": proposal.title,
        "contact": proposal.contact_id,
        "company": proposal.company_id,
        "intro": proposal.intro,
        "valid_until": proposal.valid_until,
        "currency": proposal.currency,
        "prices_include_tax": proposal.prices_include_tax,
        "discount_percent": proposal.discount_percent or None,
        "deposit": proposal.deposit,
        "deposit_value": proposal.deposit_value,
    }
    sections = [{"heading": s.heading, "body": s.body} for s in proposal.sections.all()]
    items = [
        {
            "description": i.description,
            "details": i.details,
            "kind": i.kind,
            "group": i.group,
            "selected": i.selected,
            "quantity": i.quantity.normalize(),
            "quantity_editable": i.quantity_editable,
            "unit_price": i.unit_price.normalize(),
            "tax_rate": i.tax_rate.normalize(),
            "discount_percent": i.discount_percent.normalize() or None,
        }
        for i in proposal.items.all()
    ]
    return head, sections, items


def _forms(request, proposal: Proposal | None, template: bool):
    data = request.POST if request.method == "POST" else None
    if data is not None and data.get("add") in ("sections", "items"):
        data = data.copy()  # "Add a section" / "Add an item": what was typed stays, one more row
        key = f"{request.POST['add']}-TOTAL_FORMS"
        data[key] = str(min(int(data.get(key) or 0) + 1, 100))
    if proposal is None:
        chosen = {"contact": _id(request.GET.get("contact")), "company": _id(request.GET.get("company"))}
        return (
            ProposalForm(data, template=template, initial={k: v for k, v in chosen.items() if v}),
            SectionFormSet(data, prefix="sections"),
            ItemFormSet(data, prefix="items"),
        )
    head, sections, items = _initial(proposal)
    if data is not None:  # rows posted as they were shown are rows, not "unchanged extra forms"
        sections = items = None
    return (
        ProposalForm(data, template=proposal.is_template, initial=head),
        SectionFormSet(data, prefix="sections", initial=sections),
        ItemFormSet(data, prefix="items", initial=items),
    )


def _preview(form, sections, items) -> dict:
    """What the client would see of what is typed now (nothing is saved)."""
    if not (form.is_valid() and sections.is_valid() and items.is_valid()):
        return {"invalid": True}
    entered = _entered(form, sections, items)
    draft = Proposal(
        title=entered["title"],
        intro=services.sanitised(entered["intro"]),
        currency=entered["currency"],
        prices_include_tax=entered["prices_include_tax"],
        discount_percent=entered["discount_percent"],
        deposit=entered["deposit"],
        deposit_value=entered["deposit_value"],
    )
    content = {
        "title": draft.title,
        "intro": draft.intro,
        "sections": [{"heading": s.heading, "body": services.sanitised(s.body)} for s in entered["sections"]],
        "items": [services.item_content(n, i) for n, i in enumerate(entered["items"])],
        "currency": draft.currency,
        "prices_include_tax": draft.prices_include_tax,
        "discount_percent": str(draft.discount_percent),
        "deposit": draft.deposit,
        "deposit_value": str(draft.deposit_value) if draft.deposit_value is not None else None,
    }
    try:
        chosen = services.choices_apply(content)
    except (ValidationError, ValueError, ArithmeticError, StopIteration, IndexError):
        return {"invalid": True}
    return {"content": content, "chosen": chosen, "items": _items_view(content, chosen)}


def _editor(request, proposal: Proposal | None, *, template: bool = False):
    form, sections, items = _forms(request, proposal, template)
    adding = request.POST.get("add") if request.method == "POST" else None
    if (
        request.method == "POST"
        and not adding
        and form.is_valid()
        and sections.is_valid()
        and items.is_valid()
    ):
        fields = _entered(form, sections, items)
        if not (proposal.is_template if proposal else template):
            fields.update(contact=form.cleaned_data["contact"], company=form.cleaned_data["company"])
        try:
            if proposal is None:
                saved = services.proposal_create(**fields, is_template=template, actor=actor(request))
            else:
                saved = services.proposal_change(proposal=proposal, **fields)
        except ValidationError as exc:
            errors_onto(form, exc)
        else:
            messages.success(
                request, "Template saved." if saved.is_template else "Saved. Send it when it is ready."
            )
            return redirect("office:proposals_office:proposal", saved.pk)
    context = {
        "form": form,
        "sections": sections,
        "items": items,
        "proposal": proposal,
        "template": proposal.is_template if proposal else template,
        "preview": _preview(form, sections, items) if request.method == "POST" else _saved_preview(proposal),
    }
    return render_office(request, "proposals/office/form.html", context)


def _saved_preview(proposal: Proposal | None) -> dict:
    if proposal is None or not proposal.items.exists():
        return {"empty": True}
    content = services.version_content(proposal)
    chosen = services.choices_apply(content)
    return {"content": content, "chosen": chosen, "items": _items_view(content, chosen)}


@staff_required
def office_create(request):
    return _editor(request, None, template=request.GET.get("template") == "1")


@staff_required
def office_edit(request, pk):
    proposal = get_object_or_404(Proposal, pk=pk)
    if proposal.status not in services.CHANGEABLE:
        messages.error(request, "An accepted, declined or expired proposal no longer changes; duplicate it.")
        return redirect("office:proposals_office:proposal", pk)
    return _editor(request, proposal)


@staff_required
@require_POST
def office_preview(request):
    """htmx: the client's view of what is typed in the editor."""
    form = ProposalForm(request.POST, template=True)
    sections, items = (
        SectionFormSet(request.POST, prefix="sections"),
        ItemFormSet(request.POST, prefix="items"),
    )
    html = render_to_string(
        "proposals/office/_preview.html", {"preview": _preview(form, sections, items)}, request=request
    )
    return HttpResponse(html)


# --- one proposal --------------------------------------------------------------------------------


@staff_required
def office_proposal(request, pk):
    proposal = get_object_or_404(Proposal.objects.select_related("contact", "company"), pk=pk)
    signatures = {s.role: s for s in proposal.signatures.select_related("version")}
    signature = signatures.get("client")
    context = {
        "countersignature": signatures.get("office"),
        "consent_text": services.CONSENT_TEXT,
        "proposal": proposal,
        "versions": list(proposal.versions.order_by("-number")),
        "events": list(proposal.events.all()),
        "signature": signature,
        "payments": list(services.deposit_payments(proposal)),
        "total": selectors.latest_total(proposal),
        "preview": _saved_preview(proposal),
    }
    if signature is not None:
        chosen = services.choices_apply(signature.version.content, signature.choices)
        context["accepted_rows"] = chosen.rows
    return render_office(request, "proposals/office/proposal.html", context)


def _back(pk):
    return redirect("office:proposals_office:proposal", pk)


@staff_required
@require_POST
def office_send(request, pk):
    proposal = get_object_or_404(Proposal, pk=pk)
    try:
        version = services.proposal_send(proposal=proposal, actor=actor(request))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Version {version.number} is in the client's portal and emailed to them.")
    return _back(pk)


@staff_required
@require_POST
def office_duplicate(request, pk):
    proposal = get_object_or_404(Proposal, pk=pk)
    copy = services.proposal_duplicate(proposal=proposal, actor=actor(request))
    messages.success(request, "A copy was made as a new draft.")
    return _back(copy.pk)


@staff_required
@require_POST
def office_save_template(request, pk):
    proposal = get_object_or_404(Proposal, pk=pk)
    template = services.template_save(
        proposal=proposal, title=request.POST.get("title", ""), actor=actor(request)
    )
    messages.success(request, "Saved as a template.")
    return _back(template.pk)


@staff_required
def office_templates(request):
    form = FromTemplateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        proposal = services.proposal_from_template(
            template=data["template"], contact=data["contact"], company=data["company"], actor=actor(request)
        )
        messages.success(request, "A new draft was started from the template.")
        return _back(proposal.pk)
    templates = Proposal.objects.filter(is_template=True).order_by("title")
    return render_office(request, "proposals/office/templates.html", {"templates": templates, "form": form})


@staff_required
@require_POST
def office_countersign(request, pk):
    proposal = get_object_or_404(Proposal, pk=pk)
    try:
        services.proposal_countersign(
            proposal=proposal,
            user=request.user,
            typed_name=request.POST.get("typed_name", ""),
            consent=request.POST.get("consent") == "yes",
            drawing=request.POST.get("drawing", ""),
            ip=client_address(request),
            user_agent=request.headers.get("User-Agent", ""),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Countersigned. The client is emailed the final PDF.")
    return _back(pk)


@staff_required
def office_pdf(request, pk):
    return signed_pdf_response(get_object_or_404(Proposal, pk=pk))
