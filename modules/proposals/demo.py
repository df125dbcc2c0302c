"""Demo data for the demo office (``modules.base``: ``<module>.demo``): the demo client has one
proposal to choose and sign (with a choice of packages, an option and a deposit) and one signed,
its deposit still to pay (so nothing is invoiced yet).

Idempotent: each is found again by its title."""

from __future__ import annotations

import base64
import io
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from portal_core.access import portal_account_for

from . import services
from .models import Proposal

D = Decimal
TO_SIGN = "Selling your home: our service"
SIGNED = "Valuation report"


def _drawn() -> str:
    """A signature as a canvas would send it."""
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (600, 200), (255, 255, 255, 0))
    ImageDraw.Draw(image).line(
        [(30, 140), (90, 60), (150, 150), (210, 70), (300, 120), (420, 90)], fill=(15, 23, 42, 255), width=4
    )
    out = io.BytesIO()
    image.save(out, format="PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode("ascii")


def _to_sign(contact) -> Proposal:
    found = Proposal.objects.filter(contact=contact, title=TO_SIGN).first()
    if found is not None:
        return found
    proposal = services.proposal_create(
        contact=contact,
        title=TO_SIGN,
        intro="<p>Thank you for inviting us. This is how we would sell your home, and what it costs.</p>",
        sections=[
            services.SectionInput(
                "What we do", "<ul><li>Valuation and advice on the price</li><li>Photos and listing</li></ul>"
            )
        ],
        items=[
            services.ItemInput("Valuation and advice", D("250"), tax_rate=D("21")),
            services.ItemInput(
                "Standard listing", D("900"), tax_rate=D("21"), kind="choice", group="Package"
            ),
            services.ItemInput(
                "Premium listing with video",
                D("1400"),
                tax_rate=D("21"),
                kind="choice",
                group="Package",
                selected=False,
            ),
            services.ItemInput(
                "Open house",
                D("150"),
                tax_rate=D("21"),
                kind="optional",
                selected=False,
                quantity_editable=True,
            ),
        ],  # fmt: skip
        valid_until=timezone.localdate() + timedelta(days=30),
        deposit="percent",
        deposit_value=D("20"),
    )
    services.proposal_send(proposal=proposal, actor="demo")
    return proposal


def _signed(contact) -> Proposal:
    found = Proposal.objects.filter(contact=contact, title=SIGNED).first()
    if found is not None:
        return found
    proposal = services.proposal_create(
        contact=contact,
        title=SIGNED,
        intro="<p>A written valuation of your home by a registered valuer.</p>",
        items=[services.ItemInput("Valuation report", D("350"), tax_rate=D("21"))],
        valid_until=timezone.localdate() + timedelta(days=30),
        deposit="percent",
        deposit_value=D("50"),
    )
    version = services.proposal_send(proposal=proposal, actor="demo")
    account = portal_account_for(contact=contact)
    review = services.review_create(
        proposal=proposal, version_number=version.number, account=account, choices={}
    )
    services.proposal_sign(
        proposal=proposal,
        review_id=review.pk,
        document_sha256=review.sha256,
        account=account,
        typed_name=contact.full_name,
        drawing=_drawn(),
        consent=True,
        consent_version=services.CONSENT_VERSION,
        user_agent="Demo data",
    )
    return proposal


def seed(*, contact, owner) -> None:
    with transaction.atomic():
        _to_sign(contact)
        _signed(contact)
