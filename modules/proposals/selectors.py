"""Reads of proposals."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db.models import Q, QuerySet
from django.utils import timezone

from .models import Proposal

OPEN = (Proposal.Status.SENT, Proposal.Status.VIEWED)


def proposals_for_client(account) -> QuerySet[Proposal]:
    """The proposals a portal account sees (sent ones, never a draft or a template): a contact's own
    and their company's; a company-level account's, the company's."""
    if account.contact_id:
        mine = Q(contact_id=account.contact_id)
        if account.contact.company_id:
            mine |= Q(company_id=account.contact.company_id)
    else:
        mine = Q(company_id=account.company_id)
    return Proposal.objects.filter(mine, is_template=False, versions__isnull=False).distinct()


def latest_total(proposal: Proposal) -> Decimal:
    """The total of the latest version as the office preselected it (or as signed)."""
    from .services import choices_apply

    # Read through .all(), so that a list that prefetched signatures and versions asks nothing more.
    signature = next((s for s in proposal.signatures.all() if s.role == "client"), None)
    if signature is not None:
        return signature.total
    version = max(proposal.versions.all(), key=lambda v: v.number, default=None)
    if version is None:
        return Decimal(0)
    return choices_apply(version.content).figures.total


def office_figures() -> dict:
    """Sent this month (count and value per currency) and the share of decided proposals accepted."""
    start = timezone.localdate().replace(day=1)
    sent = Proposal.objects.filter(is_template=False, sent_at__date__gte=start)
    values: dict[str, Decimal] = {}
    for proposal in sent:
        values[proposal.currency] = values.get(proposal.currency, Decimal(0)) + latest_total(proposal)
    decided = Proposal.objects.filter(
        status__in=[Proposal.Status.ACCEPTED, Proposal.Status.DECLINED, Proposal.Status.EXPIRED]
    )
    accepted = decided.filter(status=Proposal.Status.ACCEPTED).count()
    total = decided.count()
    months = []
    today = timezone.localdate()
    for back in range(5, -1, -1):
        year, month = divmod(today.year * 12 + today.month - 1 - back, 12)
        first = date(year, month + 1, 1)
        months.append(
            {
                "label": first.strftime("%b"),
                "sent": Proposal.objects.filter(
                    sent_at__year=first.year, sent_at__month=first.month, is_template=False
                ).count(),
                "accepted": Proposal.objects.filter(
                    accepted_at__year=first.year, accepted_at__month=first.month
                ).count(),
            }
        )
    most = max([m["sent"] for m in months] + [1])
    for month in months:
        month["sent_pct"] = round(100 * month["sent"] / most)
        month["accepted_pct"] = round(100 * month["accepted"] / most)
    return {
        "sent_count": sent.count(),
        "sent_values": values,
        "accepted_rate": round(100 * accepted / total) if total else None,
        "months": months,
    }
