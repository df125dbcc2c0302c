"""The emails that bring a proposal to its client, in the client's language, with the link to it."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse
from django.utils import translation

from portal_core.access import portal_link
from portal_core.emails import send_client_email
from portal_core.formatting import format_date

from . import pdf, services
from .models import Proposal


def _path(proposal: Proposal) -> str:
    try:
        return reverse("proposals:proposal", args=[proposal.pk])
    except NoReverseMatch:  # sent while another URLconf is in use (the platform host's webhooks)
        return f"/proposals/{proposal.pk}/"


def proposal_email_send(*, proposal: Proposal, kind: str) -> bool:
    """Email ``kind`` about the proposal's latest version; False when there is no one to send it to
    or nothing open to send."""
    version = proposal.latest_version
    client = proposal.client
    if version is None or client is None or not client.email or not proposal.is_open:
        return False
    language = pdf.client_language(proposal)
    chosen = services.choices_apply(version.content)
    with translation.override(language):
        values = {
            "contact.first_name": client.name if proposal.company_id else client.first_name,
            "contact.last_name": "" if proposal.company_id else client.last_name,
            "portal_link": portal_link(_path(proposal)),
            "proposal.title": version.content["title"],
            "proposal.total": pdf.money_text(chosen.figures.total, proposal.currency, language),
            "proposal.valid_until": format_date(proposal.valid_until) if proposal.valid_until else "",
        }
    return send_client_email(kind, to=client.email, language=language, values=values, contact=client)
