from django.utils.translation import gettext_lazy as _

from modules.base import NavItem

portal_items = [NavItem(label=_("Proposals"), url_name="list", icon="file-signature")]
office_items = [
    NavItem(label="Proposals", url_name="list", icon="file-signature"),
    NavItem(label="Templates", url_name="templates", icon="copy"),
]


def office_counts(request) -> dict[str, int]:
    """Accepted proposals whose deposit is still due wait for the office: shown beside "Proposals"."""
    from .models import Proposal

    waiting = Proposal.objects.filter(status=Proposal.Status.ACCEPTED, deposit_paid_at__isnull=True)
    return {"list": sum(1 for p in waiting if p.awaits_deposit)}
