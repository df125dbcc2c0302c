"""The client's proposal pages: the list, a proposal (options and quantities with live totals),
review the exact document, sign it, decline it, pay the deposit, download the signed PDF."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal_core.client_auth import client_required, is_preview
from portal_core.portal import portal_context
from tenants.signin_policy import client_address

from . import pdf, selectors, services
from .forms import DeclineForm
from .models import Proposal, ProposalReview


def _mine(request):
    return selectors.proposals_for_client(request.client).select_related("contact", "company")


def _proposal(request, pk) -> Proposal:
    return get_object_or_404(_mine(request), pk=pk)


def _posted_choices(post, content) -> dict:
    """The client's choices from the proposal's form: ``optional`` (ticked keys), ``group-<n>`` (a
    key per choice), ``quantity-<key>`` (where the office allows a change)."""
    groups = sorted({item["group"] for item in content["items"] if item["kind"] == "choice"})
    quantities = {}
    for item in content["items"]:
        raw = post.get(f"quantity-{item['key']}")
        if item["quantity_editable"] and raw not in (None, ""):
            quantities[item["key"]] = raw
    return {
        "optional": post.getlist("optional"),
        "groups": {g: post.get(f"group-{n}", "") for n, g in enumerate(groups) if post.get(f"group-{n}")},
        "quantities": quantities,
    }


def _items_view(content: dict, chosen) -> dict:
    """The version's items laid out for the page: included, optional, and each choice's options."""
    in_ = {item["key"]: quantity for item, quantity in chosen.rows}
    included, optional, groups = [], [], {}
    names = sorted({item["group"] for item in content["items"] if item["kind"] == "choice"})
    for item in content["items"]:
        row = {**item, "chosen": item["key"] in in_, "quantity_now": in_.get(item["key"], item["quantity"])}
        if item["kind"] == "optional":
            optional.append(row)
        elif item["kind"] == "choice":
            groups.setdefault(
                item["group"], {"name": item["group"], "index": names.index(item["group"]), "items": []}
            )
            groups[item["group"]]["items"].append(row)
        else:
            included.append(row)
    return {"included": included, "optional": optional, "groups": list(groups.values())}


@client_required
def portal_list(request):
    proposals = list(_mine(request))
    waiting = [p for p in proposals if p.is_open or p.awaits_deposit]
    done = [p for p in proposals if p not in waiting]
    return render(request, "proposals/portal/list.html", portal_context(request, waiting=waiting, done=done))


def _page(request, proposal, *, chosen=None, decline_form=None, status=200):
    version = proposal.latest_version
    signature = proposal.signatures.filter(role="client").select_related("version").first()
    if signature is not None:
        chosen = services.choices_apply(signature.version.content, signature.choices)
        content = signature.version.content
    else:
        content = version.content
        chosen = chosen or services.choices_apply(content)
    context = portal_context(
        request,
        proposal=proposal,
        version=signature.version if signature else version,
        content=services.merged(content, proposal=proposal, chosen=chosen),
        chosen=chosen,
        items=_items_view(content, chosen),
        signature=signature,
        decline_form=decline_form or DeclineForm(),
    )
    return render(request, "proposals/portal/proposal.html", context, status=status)


@client_required
def portal_proposal(request, pk):
    proposal = _proposal(request, pk)
    if not is_preview(request):
        services.proposal_viewed(proposal=proposal, actor=request.client.email, ip=client_address(request))
        proposal.refresh_from_db()
    return _page(request, proposal)


@client_required
@require_POST
def portal_totals(request, pk):
    """htmx: the totals for the options and quantities as the client has them now."""
    proposal = _proposal(request, pk)
    content = proposal.latest_version.content
    try:
        chosen = services.choices_apply(content, _posted_choices(request.POST, content))
        error = ""
    except ValidationError as exc:
        chosen, error = services.choices_apply(content), " ".join(exc.messages)
    html = render_to_string(
        "proposals/portal/_totals.html",
        {"chosen": chosen, "currency": content["currency"], "error": error},
        request=request,
    )
    return HttpResponse(html)


@client_required
@require_POST
def portal_review(request, pk):
    """The client's choices made into the exact document to sign."""
    proposal = _proposal(request, pk)
    if is_preview(request):
        return redirect("proposals:proposal", pk)
    content = proposal.latest_version.content
    try:
        version_number = int(request.POST.get("version", "0"))
        review = services.review_create(
            proposal=proposal,
            version_number=version_number,
            account=request.client,
            choices=_posted_choices(request.POST, content),
        )
    except (ValidationError, ValueError) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [_("Please check your choices.")])))
        return redirect("proposals:proposal", pk)
    return redirect("proposals:review-page", pk, review.pk)


def _review(request, proposal, review_pk) -> ProposalReview:
    return get_object_or_404(
        ProposalReview.objects.select_related("version"),
        pk=review_pk,
        proposal=proposal,
        account_id=request.client.pk,
    )


@client_required
def portal_review_page(request, pk, review_pk, errors=None, status=200):
    proposal = _proposal(request, pk)
    review = _review(request, proposal, review_pk)
    chosen = services.choices_apply(review.version.content, review.choices)
    context = portal_context(
        request,
        proposal=proposal,
        review=review,
        content=services.merged(review.version.content, proposal=proposal, chosen=chosen),
        chosen=chosen,
        items=_items_view(review.version.content, chosen),
        consent_text=services.CONSENT_TEXT,
        consent_version=services.CONSENT_VERSION,
        outdated=proposal.latest_version.number != review.version.number,
        errors=errors or {},
        posted=request.POST if request.method == "POST" else {},
    )
    return render(request, "proposals/portal/review.html", context, status=status)


@client_required
def portal_review_pdf(request, pk, review_pk):
    proposal = _proposal(request, pk)
    review = _review(request, proposal, review_pk)
    return _pdf_response(bytes(review.pdf), pdf.pdf_filename(proposal))


@client_required
@require_POST
def portal_sign(request, pk, review_pk):
    proposal = _proposal(request, pk)
    if is_preview(request):
        return redirect("proposals:proposal", pk)
    _review(request, proposal, review_pk)
    try:
        services.proposal_sign(
            proposal=proposal,
            review_id=review_pk,
            document_sha256=request.POST.get("document_sha256", ""),
            account=request.client,
            typed_name=request.POST.get("typed_name", ""),
            drawing=request.POST.get("drawing", ""),
            consent=request.POST.get("consent") == "yes",
            consent_version=request.POST.get("consent_version", ""),
            ip=client_address(request),
            user_agent=request.headers.get("User-Agent", ""),
        )
    except ValidationError as exc:
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"general": exc.messages}
        return portal_review_page(request, pk, review_pk, errors=errors, status=400)
    messages.success(request, _("Thank you: the proposal is signed. Your signed copy is ready to download."))
    return redirect("proposals:proposal", pk)


@client_required
@require_POST
def portal_decline(request, pk):
    proposal = _proposal(request, pk)
    if is_preview(request):
        return redirect("proposals:proposal", pk)
    form = DeclineForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError({"reason": _("Tell the office why, in a few words.")})
        services.proposal_decline(
            proposal=proposal,
            account=request.client,
            reason=form.cleaned_data["reason"],
            ip=client_address(request),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _page(request, proposal, decline_form=form, status=400)
    messages.success(request, _("You declined the proposal. The office has been told."))
    return redirect("proposals:proposal", pk)


@client_required
@require_POST
def portal_deposit(request, pk):
    proposal = _proposal(request, pk)
    if is_preview(request):
        return redirect("proposals:proposal", pk)
    try:
        url = services.deposit_checkout(
            proposal=proposal,
            success_url=request.build_absolute_uri(reverse("proposals:paid", args=[pk]))
            + "?session={CHECKOUT_SESSION_ID}",
            cancel_url=request.build_absolute_uri(reverse("proposals:proposal", args=[pk])),
            email=request.client.email,
        )
    except ValidationError:
        messages.error(request, _("The deposit cannot be paid online just now."))
        return redirect("proposals:proposal", pk)
    return redirect(url)


@client_required
def portal_paid(request, pk):
    proposal = _proposal(request, pk)
    state = "arrived" if proposal.deposit_paid_at else "processing"
    return render(
        request, "proposals/portal/paid.html", portal_context(request, proposal=proposal, state=state)
    )


def _pdf_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=pdf.CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def signed_pdf_response(proposal: Proposal) -> HttpResponse:
    """The sealed final PDF, byte for byte as stored; 404 while it is not signed."""
    signature = proposal.signatures.order_by("-id").first()  # the countersigned copy, once there is one
    if signature is None:
        raise Http404("Not signed.")
    return _pdf_response(bytes(signature.sealed_pdf), pdf.pdf_filename(proposal, signed=True))


@client_required
def portal_pdf(request, pk):
    return signed_pdf_response(_proposal(request, pk))
