"""The proposals' work in the worker, inside the office's schema; while the module is off its
timers fire and do nothing."""

from __future__ import annotations

from portal_core.selectors import module_is_enabled

from . import proposal_mail, services
from .models import Proposal


def proposal_email(proposal_id: int, kind: str) -> bool:
    proposal = Proposal.objects.select_related("contact", "company").filter(pk=proposal_id).first()
    if proposal is None or not module_is_enabled("proposals"):
        return False
    return proposal_mail.proposal_email_send(proposal=proposal, kind=kind)


def proposal_due(proposal_id: int) -> str | None:
    proposal = Proposal.objects.filter(pk=proposal_id).first()
    if proposal is None or not module_is_enabled("proposals"):
        return None
    return services.proposal_due(proposal=proposal)
