"""The proposal as a PDF (``proposals/pdf/proposal.html``, WeasyPrint through the core's renderer):
a version with the client's choices, in the client's language. The signed document adds a
signature page (who signed, when, from where, the SHA-256 of the document they reviewed, the
audit trail) and is then sealed with the platform's certificate (``tenants.sealing``)."""

from __future__ import annotations

from decimal import Decimal

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.text import slugify

from portal_core.branding import ink_on_white
from portal_core.documents import logo_data_uri, money_text, number_text, pdf_render, percent_text
from portal_core.emails import supported_language
from portal_core.formatting import format_date
from portal_core.selectors import portal_config_get

from .models import Proposal, ProposalVersion

CONTENT_TYPE = "application/pdf"


def client_language(proposal: Proposal) -> str:
    return supported_language(getattr(proposal.client, "language", None))


def pdf_filename(proposal: Proposal, *, signed: bool = False) -> str:
    name = slugify(proposal.title)[:40] or "document"
    return f"proposal-{proposal.pk}-{name}{'-signed' if signed else ''}.pdf"


def _context(proposal: Proposal, version: ProposalVersion, chosen, language: str) -> dict:
    from .services import merged

    content = merged(version.content, proposal=proposal, chosen=chosen)
    currency = content["currency"]
    config = portal_config_get()

    def money(amount: Decimal) -> str:
        return money_text(amount, currency, language)

    rows = [
        {
            "description": item["description"],
            "details": item["details"],
            "kind": item["kind"],
            "group": item["group"],
            "quantity": number_text(quantity, language),
            "unit_price": money(Decimal(item["unit_price"])),
            "tax_rate": percent_text(Decimal(item["tax_rate"]), language),
            "amount": money(amount),
        }
        for (item, quantity), amount in zip(chosen.rows, chosen.figures.lines, strict=True)
    ]
    figures = chosen.figures
    return {
        "language": language,
        "title": content["title"],
        "intro": mark_safe(content["intro"]),  # noqa: S308 (sanitised when saved)
        "sections": [{"heading": s["heading"], "body": mark_safe(s["body"])} for s in content["sections"]],  # noqa: S308
        "rows": rows,
        "version": version.number,
        "sent_on": format_date(version.sent_at),
        "valid_until": format_date(proposal.valid_until) if proposal.valid_until else "",
        "office_name": config.company_name or config.portal_name,
        "logo": logo_data_uri(config),
        "brand": config.primary_color or "#3B82F6",
        "brand_ink": ink_on_white(config.primary_color or "#3B82F6"),
        "client_name": proposal.client_name,
        "subtotal": money(figures.subtotal),
        "discount": money(figures.discount) if figures.discount else "",
        "taxes": [{"rate": percent_text(g.rate, language), "tax": money(g.tax)} for g in figures.taxes],
        "total": money(figures.total),
        "deposit": money(chosen.deposit) if chosen.deposit else "",
    }


def proposal_html(proposal, version, chosen, *, signing: dict | None = None) -> str:
    language = client_language(proposal)
    with translation.override(language):
        context = _context(proposal, version, chosen, language)
        context["signing"] = signing
        return render_to_string("proposals/pdf/proposal.html", context)


def proposal_pdf(proposal: Proposal, version: ProposalVersion, chosen) -> bytes:
    """The document the client reviews and signs."""
    return pdf_render(proposal_html(proposal, version, chosen))


def _utc(value) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S UTC")


def signed_pdf(proposal, version, chosen, *, signers: list[dict], trail: list) -> bytes:
    """The document with its signature page (not yet sealed): each signer's evidence (``signers``:
    dicts of ``typed_name, email, signed_at, ip, user_agent, consent_version, document_sha256,
    drawing, role``) and the audit trail, the newest signatures' steps included."""
    rows = [
        {
            "kind": entry.get_kind_display(),
            "at": _utc(entry.at),
            "actor": entry.actor,
            "ip": entry.ip or "",
            "version": entry.version_number,
        }
        for entry in trail
    ]
    recorded = {(row["kind"], row["at"]) for row in rows}
    for signer in signers:
        kind = "Countersigned" if signer["role"] == "office" else "Signed"
        if (kind, _utc(signer["signed_at"])) not in recorded:
            rows.append(
                {
                    "kind": kind,
                    "at": _utc(signer["signed_at"]),
                    "actor": f"{signer['typed_name']} <{signer['email']}>",
                    "ip": signer["ip"] or "",
                    "version": version.number,
                }
            )
    signing = {"signers": [{**s, "signed_at_text": _utc(s["signed_at"])} for s in signers], "trail": rows}
    return pdf_render(proposal_html(proposal, version, chosen, signing=signing))
