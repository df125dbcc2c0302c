"""The emails that bring a proposal to its client, in the client's language, with the link to it."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse
from django.utils import translation

from portal_core.access import portal_link
from portal_core.emails import send_client_email
from portal_core.formatting import format_date

from . import pdf, services
from .models import Proposal

FINAL_KIND = "proposals.countersigned"


def _path(proposal: Proposal) -> str:
    try:
        return reverse("proposals:proposal", args=[proposal.pk])
    except NoReverseMatch:  # sent while another URLconf is in use (the platform host's webhooks)
        return f"/proposals/{proposal.pk}/"


def proposal_email_send(*, proposal: Proposal, kind: str) -> bool:
    """Email ``kind`` about the proposal's latest version (the countersigned one: with the final
    PDF); False when there is no one to send it to, or the proposal is not (or no longer) open for
    an email about an open one."""
    version = proposal.latest_version
    client = proposal.client
    final = kind == FINAL_KIND
    if version is None or client is None or not client.email or proposal.is_open == final:
        return False
    language = pdf.client_language(proposal)
    chosen = services.choices_apply(version.content)
    attachments = []
    if final:
        signature = proposal.signatures.order_by("-id").first()
        attachments = [
            (pdf.pdf_filename(proposal, signed=True), bytes(signature.sealed_pdf), pdf.CONTENT_TYPE)
        ]
    with translation.override(language):
        values = {
            "contact.first_name": client.name if proposal.company_id else client.first_name,
            "contact.last_name": "" if proposal.company_id else client.last_name,
            "portal_link": portal_link(_path(proposal)),
            "proposal.title": version.content["title"],
            "proposal.total": pdf.money_text(chosen.figures.total, proposal.currency, language),
            "proposal.valid_until": format_date(proposal.valid_until) if proposal.valid_until else "",
        }
    return send_client_email(
        kind, to=client.email, language=language, values=values, contact=client, attachments=attachments
    )
