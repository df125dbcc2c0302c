"""What the proposals tests share: the module switched on, a proposal with a choice group, an
optional item and a quantity the client may change, a drawn signature, and the client's path
through review and signing."""

from __future__ import annotations

import base64
import io
import re
from datetime import timedelta
from decimal import Decimal

from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context, tenant_context
from PIL import Image, ImageDraw

from modules.proposals import services
from modules.proposals.models import Proposal
from portal_core.models import PortalAccount
from portal_core.services import module_disable, module_enable

D = Decimal


def switched(office, capture, key: str = "proposals", *, on: bool = True) -> None:
    with tenant_context(office.tenant), capture(execute=True):
        (module_enable if on else module_disable)(key=key)
    connection.set_schema_to_public()


def in_office(office):
    return schema_context(office.schema_name)


def drawing() -> str:
    """A signature drawn on a canvas, as the browser sends it."""
    image = Image.new("RGBA", (600, 200), (255, 255, 255, 0))
    pen = ImageDraw.Draw(image)
    pen.line([(20, 150), (120, 40), (220, 160), (320, 50), (420, 140)], fill=(15, 23, 42, 255), width=3)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode("ascii")


def items() -> list[services.ItemInput]:
    """Design (included) 1000; a choice of hosting: Basic 100 or Premium 300 (Basic preselected);
    an optional Training of 50 a session, 2 sessions, the client may change how many. All at 21 %."""
    kind = "choice"
    return [
        services.ItemInput("Design", D("1000"), tax_rate=D("21")),
        services.ItemInput("Basic hosting", D("100"), tax_rate=D("21"), kind=kind, group="Hosting"),
        services.ItemInput(
            "Premium hosting", D("300"), tax_rate=D("21"), kind=kind, group="Hosting", selected=False
        ),
        services.ItemInput(
            "Training", D("50"), quantity=D("2"), tax_rate=D("21"), kind="optional", selected=False,
            quantity_editable=True,
        ),
    ]  # fmt: skip


def draft_for(
    contact=None, *, company=None, deposit: str = "percent", deposit_value="30", **more
) -> Proposal:
    fields = {
        "title": "Website redesign",
        "intro": "<p>Dear client, <strong>here</strong> is our offer.</p><script>alert(1)</script>",
        "sections": [
            services.SectionInput("Scope", "<ul><li>Six pages</li></ul><img src=x onerror=alert(1)>")
        ],
        "items": items(),
        "valid_until": timezone.localdate() + timedelta(days=30),
        "deposit": deposit,
        "deposit_value": D(deposit_value) if deposit else None,
        **more,
    }
    return services.proposal_create(contact=contact, company=company, **fields)


def sent_for(office, account, **more) -> Proposal:
    """A proposal sent to the account's contact."""
    with in_office(office):
        contact = PortalAccount.objects.get(pk=account.pk).contact
        proposal = draft_for(contact, **more)
        services.proposal_send(proposal=proposal, actor="owner")
    connection.set_schema_to_public()
    return proposal


def choose_premium_and_training(version: int = 1, sessions: str = "3") -> dict:
    return {"version": str(version), "group-0": "2", "optional": ["3"], "quantity-3": sessions}


def review(client, proposal, choices=None) -> tuple[int, str]:
    """The client reviews their choices: (the review's id, the SHA-256 on the page)."""
    answer = client.post(f"/proposals/{proposal.pk}/review", choices or choose_premium_and_training())
    assert answer.status_code == 302, answer.content[:500]
    review_id = int(answer["Location"].rstrip("/").rsplit("/", 1)[1])
    page = client.get(answer["Location"]).content.decode()
    found = re.search(r'name="document_sha256" value="([0-9a-f]{64})"', page)
    assert found, "the review page carries the document's hash"
    return review_id, found.group(1)


def sign_form(sha256: str, **more) -> dict:
    return {
        "document_sha256": sha256,
        "consent": "yes",
        "consent_version": services.CONSENT_VERSION,
        "typed_name": "Chris Client",
        "drawing": drawing(),
        **more,
    }


def sign(client, proposal, choices=None, **headers):
    """The client reviews ``choices`` and signs (``headers``: the request's, e.g. ``REMOTE_ADDR``)."""
    review_id, sha256 = review(client, proposal, choices)
    return client.post(
        f"/proposals/{proposal.pk}/review/{review_id}/sign",
        sign_form(sha256),
        **{"HTTP_USER_AGENT": "Tests/1.0", **headers},
    )


def proposal_now(office, proposal) -> Proposal:
    with in_office(office):
        found = Proposal.objects.get(pk=proposal.pk)
    connection.set_schema_to_public()
    return found
