"""Writes of proposals: the office's pages, the client's, the API and the worker all go through
these. Totals follow the core's one rule (``portal_core.money``)."""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

import nh3
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django_tenants.utils import schema_context

from portal_core.money import Line, Totals, minor_digits, percentage_of, totals
from portal_core.payments import services as payments
from portal_core.payments.models import Payment
from portal_core.signals import AcceptedItem, AcceptedProposal, proposal_accepted
from tenants import sealing
from tenants.queue import enqueue, enqueue_at
from webhooks.services import event_emit

from .models import (
    Deposit,
    Proposal,
    ProposalEvent,
    ProposalItem,
    ProposalReview,
    ProposalSection,
    ProposalSignature,
    ProposalVersion,
)
from .payloads import proposal_payload, signature_payload

# The disclosure the client agrees to before signing electronically. A new wording gets a new
# version; each signature records the version it was given.
CONSENT_VERSION = "2026-12"
CONSENT_TEXT = (
    "I agree to sign this document electronically. My typed name and drawn signature are my "
    "signature and bind me as a handwritten one would. I have reviewed the document shown, which "
    "I can download and keep; I may ask the office for a paper copy."
)
EMAIL_TASK = "modules.proposals.tasks.proposal_email"
MAX_QUANTITY = Decimal(10000)
MAX_DRAWING_BYTES = 300_000
ALLOWED_TAGS = {"p", "br", "strong", "b", "em", "i", "u", "ul", "ol", "li", "h3", "h4", "blockquote", "a"}


def sanitised(text: str) -> str:
    """Formatted text as the office may write it: a few tags, links without scripts, nothing else."""
    return nh3.clean(
        text or "",
        tags=ALLOWED_TAGS,
        attributes={"a": {"href"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    ).strip()


@dataclass(frozen=True)
class SectionInput:
    heading: str
    body: str = ""


@dataclass(frozen=True)
class ItemInput:
    description: str
    unit_price: Decimal
    quantity: Decimal = Decimal(1)
    tax_rate: Decimal = Decimal(0)
    discount_percent: Decimal = Decimal(0)
    kind: str = ProposalItem.Kind.INCLUDED
    group: str = ""
    selected: bool = True
    quantity_editable: bool = False
    details: str = ""


def _office():
    """The office (``Tenant``) whose schema is in use."""
    from tenants.models import Tenant

    tenant = getattr(connection, "tenant", None)
    if isinstance(tenant, Tenant):
        return tenant
    return Tenant.objects.get(schema_name=connection.schema_name)


def _audit(proposal: Proposal, kind: str, *, actor: str = "", ip=None, detail: str = "", version=None):
    ProposalEvent.objects.create(
        proposal=proposal,
        kind=kind,
        actor=actor[:254],
        ip=ip or None,
        detail=detail[:500],
        version_number=version,
    )


def _checked(items: list[ItemInput], currency: str, deposit: str, deposit_value, is_template: bool):
    errors: dict[str, list[str]] = {}
    try:
        minor_digits(currency)
    except ValueError as exc:
        errors["currency"] = [str(exc)]
    if not items and not is_template:
        errors["items"] = ["Add at least one item."]
    groups: dict[str, int] = {}
    for item in items:
        if item.kind not in ProposalItem.Kind.values:
            errors["items"] = ["Each item is included, optional or one of a choice."]
        if item.kind == ProposalItem.Kind.CHOICE:
            if not item.group.strip():
                errors["items"] = ["An item that is one of a choice names its choice (the group)."]
            groups[item.group.strip()] = groups.get(item.group.strip(), 0) + 1
        if item.quantity <= 0 or item.unit_price < 0:
            errors["items"] = ["Quantities are more than zero and prices not negative."]
    if any(count < 2 for count in groups.values()):
        errors["items"] = ["A choice has at least two items to choose from."]
    if deposit:
        if deposit not in Deposit.values or deposit_value is None or deposit_value <= 0:
            errors["deposit_value"] = ["Give the deposit, as an amount or a percentage."]
        elif deposit == Deposit.PERCENT and deposit_value > 100:
            errors["deposit_value"] = ["A deposit is at most 100 percent."]
    if errors:
        raise ValidationError(errors)


def _head_checked(*, is_template, contact, company, title, currency, items, deposit, deposit_value) -> str:
    """The proposal's currency (upper case) once its client, title, items and deposit are right."""
    if not is_template and (contact is None) == (company is None):
        raise ValidationError("A proposal is for one contact or one company.")
    if not title.strip():
        raise ValidationError({"title": "Give the proposal a title."})
    currency = (currency or "EUR").upper()
    _checked(list(items), currency, deposit, deposit_value, is_template)
    return currency


def _fill(proposal: Proposal, sections: list[SectionInput], items: list[ItemInput]) -> None:
    proposal.sections.all().delete()
    proposal.items.all().delete()
    ProposalSection.objects.bulk_create(
        ProposalSection(
            proposal=proposal, position=n, heading=s.heading.strip()[:200], body=sanitised(s.body)
        )
        for n, s in enumerate(sections)
        if s.heading.strip() or s.body.strip()
    )
    ProposalItem.objects.bulk_create(
        ProposalItem(
            proposal=proposal,
            position=n,
            description=i.description.strip()[:300],
            details=i.details.strip()[:500],
            kind=i.kind,
            group=i.group.strip()[:100] if i.kind == ProposalItem.Kind.CHOICE else "",
            selected=i.selected,
            quantity=i.quantity,
            quantity_editable=i.quantity_editable,
            unit_price=i.unit_price,
            tax_rate=i.tax_rate,
            discount_percent=i.discount_percent,
        )
        for n, i in enumerate(items)
    )


def proposal_create(
    *,
    title: str,
    contact=None,
    company=None,
    intro: str = "",
    sections: list[SectionInput] = (),
    items: list[ItemInput] = (),
    currency: str = "EUR",
    prices_include_tax: bool = False,
    discount_percent: Decimal = Decimal(0),
    valid_until: date | None = None,
    deposit: str = "",
    deposit_value: Decimal | None = None,
    is_template: bool = False,
    actor: str = "",
) -> Proposal:
    """A draft proposal (or a template, with no client) with its sections and items."""
    currency = _head_checked(
        is_template=is_template, contact=contact, company=company, title=title, currency=currency,
        items=items, deposit=deposit, deposit_value=deposit_value,
    )  # fmt: skip
    with transaction.atomic():
        proposal = Proposal.objects.create(
            contact=None if is_template else contact,
            company=None if is_template else company,
            is_template=is_template,
            title=title.strip()[:200],
            intro=sanitised(intro),
            currency=currency,
            prices_include_tax=prices_include_tax,
            discount_percent=discount_percent,
            valid_until=valid_until,
            deposit=deposit,
            deposit_value=deposit_value if deposit else None,
        )
        _fill(proposal, list(sections), list(items))
        _audit(proposal, ProposalEvent.Kind.CREATED, actor=actor)
    return proposal


CHANGEABLE = (Proposal.Status.DRAFT, Proposal.Status.SENT, Proposal.Status.VIEWED)


def proposal_change(
    *,
    proposal: Proposal,
    title: str,
    contact=None,
    company=None,
    intro: str = "",
    sections: list[SectionInput] = (),
    items: list[ItemInput] = (),
    currency: str = "EUR",
    prices_include_tax: bool = False,
    discount_percent: Decimal = Decimal(0),
    valid_until: date | None = None,
    deposit: str = "",
    deposit_value: Decimal | None = None,
) -> Proposal:
    """The draft's new content. After sending, this is a revision: what the client was sent stays as
    it was (its version never changes) until the office sends again, which makes the next version."""
    currency = _head_checked(
        is_template=proposal.is_template, contact=contact, company=company, title=title,
        currency=currency, items=items, deposit=deposit, deposit_value=deposit_value,
    )  # fmt: skip
    with transaction.atomic():
        proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
        if proposal.status not in CHANGEABLE:
            raise ValidationError(
                "An accepted, declined or expired proposal no longer changes; duplicate it."
            )
        if proposal.versions.exists() and (
            (contact, company) != (proposal.contact, proposal.company) and not proposal.is_template
        ):
            raise ValidationError("A sent proposal keeps its client; duplicate it for another.")
        if not proposal.is_template:
            proposal.contact, proposal.company = contact, company
        proposal.title, proposal.intro = title.strip()[:200], sanitised(intro)
        proposal.currency, proposal.prices_include_tax = currency, prices_include_tax
        proposal.discount_percent, proposal.valid_until = discount_percent, valid_until
        proposal.deposit, proposal.deposit_value = deposit, deposit_value if deposit else None
        proposal.revised = proposal.versions.exists()
        proposal.save()
        _fill(proposal, list(sections), list(items))
    return proposal


def item_content(position: int, item) -> dict:
    """An item (a ``ProposalItem`` or an ``ItemInput``) as a version holds it, keyed by position."""
    return {
        "key": str(position),
        "description": item.description,
        "details": item.details,
        "kind": item.kind,
        "group": item.group if item.kind == ProposalItem.Kind.CHOICE else "",
        "selected": item.selected,
        "quantity": str(item.quantity.normalize()),
        "quantity_editable": item.quantity_editable,
        "unit_price": str(item.unit_price),
        "tax_rate": str(item.tax_rate),
        "discount_percent": str(item.discount_percent),
    }


def version_content(proposal: Proposal) -> dict:
    """The proposal as the client will see it, as plain data (decimals as strings): what a version
    freezes."""
    return {
        "title": proposal.title,
        "intro": proposal.intro,
        "sections": [{"heading": s.heading, "body": s.body} for s in proposal.sections.all()],
        "items": [item_content(n, i) for n, i in enumerate(proposal.items.all())],
        "currency": proposal.currency,
        "prices_include_tax": proposal.prices_include_tax,
        "discount_percent": str(proposal.discount_percent),
        "valid_until": proposal.valid_until.isoformat() if proposal.valid_until else None,
        "deposit": proposal.deposit,
        "deposit_value": str(proposal.deposit_value) if proposal.deposit_value is not None else None,
    }


def proposal_send(*, proposal: Proposal, actor: str = "") -> ProposalVersion:
    """Freeze the proposal into its next version and open it to the client (emailed, in their
    language, by the worker once this commits). Event ``proposals.proposal_sent``."""
    with transaction.atomic():
        proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
        if proposal.is_template:
            raise ValidationError("A template is not sent; start a proposal from it.")
        if proposal.status not in CHANGEABLE:
            raise ValidationError("This proposal is closed: duplicate it to send it again.")
        latest = proposal.latest_version
        if latest is not None and not proposal.revised:
            raise ValidationError("The client has this version already; change the proposal to revise it.")
        if not proposal.items.exists():
            raise ValidationError("Add at least one item.")
        if proposal.valid_until is not None and proposal.valid_until < timezone.localdate():
            raise ValidationError({"valid_until": "The validity date has passed; choose a later one."})
        version = ProposalVersion.objects.create(
            proposal=proposal,
            number=(latest.number + 1) if latest else 1,
            content=version_content(proposal),
            sent_by=actor[:254],
        )
        proposal.status = Proposal.Status.SENT
        proposal.sent_at = version.sent_at
        proposal.revised = False
        proposal.reminded_at = None
        proposal.save()
        _audit(proposal, ProposalEvent.Kind.SENT, actor=actor, version=version.number)
        event_emit(
            type="proposals.proposal_sent",
            data={"proposal": proposal_payload(proposal), "version": version.number},
        )
        enqueue(EMAIL_TASK, proposal.pk, "proposals.proposal_sent")
        proposal_timers_set(proposal=proposal)
    return version


def proposal_viewed(*, proposal: Proposal, actor: str = "", ip=None) -> None:
    """The client opened the latest version: remembered once per version."""
    version = proposal.latest_version
    if version is None or not proposal.is_open:
        return
    with transaction.atomic():
        proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
        if proposal.events.filter(kind=ProposalEvent.Kind.VIEWED, version_number=version.number).exists():
            return
        now = timezone.now()
        proposal.viewed_at = proposal.viewed_at or now
        if proposal.status == Proposal.Status.SENT:
            proposal.status = Proposal.Status.VIEWED
        proposal.save(update_fields=["viewed_at", "status"])
        _audit(proposal, ProposalEvent.Kind.VIEWED, actor=actor, ip=ip, version=version.number)
        event_emit(
            type="proposals.proposal_viewed",
            data={"proposal": proposal_payload(proposal), "version": version.number},
        )


# --- the client's choices ------------------------------------------------------------------------


@dataclass(frozen=True)
class Chosen:
    """A version's items as the client chose them: ``rows`` (item, quantity) of what is in, the
    figures by the one rule, and the deposit."""

    rows: tuple[tuple[dict, Decimal], ...]
    figures: Totals
    deposit: Decimal
    choices: dict


def _quantity(raw, default: Decimal) -> Decimal:
    try:
        value = Decimal(str(raw).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        raise ValidationError({"quantity": "Give each quantity as a number."}) from None
    if (
        not value.is_finite()
        or value <= 0
        or value > MAX_QUANTITY
        or value != value.quantize(Decimal("0.001"))
    ):
        raise ValidationError({"quantity": "A quantity is more than zero and at most 10,000."})
    return value


def choices_apply(content: dict, choices: dict | None = None) -> Chosen:
    """What the client's ``choices`` make of a version's ``content``: ``{"optional": [keys],
    "groups": {group: key}, "quantities": {key: "2"}}`` (``None``: the office's preselection).
    Anything the version does not allow is refused."""
    items = content["items"]
    by_key = {item["key"]: item for item in items}
    default = choices is None
    choices = choices or {}
    optional = set(choices.get("optional") or [])
    groups = dict(choices.get("groups") or {})
    quantities = dict(choices.get("quantities") or {})
    if not optional <= {k for k, i in by_key.items() if i["kind"] == "optional"}:
        raise ValidationError("That option is not in this proposal.")
    group_names = {i["group"] for i in items if i["kind"] == "choice"}
    if set(groups) - group_names:
        raise ValidationError("That choice is not in this proposal.")
    for key, item in by_key.items():
        if key in quantities and not item["quantity_editable"]:
            raise ValidationError({"quantity": "This quantity cannot be changed."})
    rows = []
    resolved = {"optional": [], "groups": {}, "quantities": {}}
    for group in sorted(group_names):
        members = [i for i in items if i["kind"] == "choice" and i["group"] == group]
        picked = groups.get(group)
        if picked is None and default:
            picked = next((i["key"] for i in members if i["selected"]), members[0]["key"])
        if picked not in {i["key"] for i in members}:
            raise ValidationError({"groups": f"Choose one of “{group}”."})
        resolved["groups"][group] = picked
    for item in items:
        key = item["key"]
        if item["kind"] == "optional":
            chosen = item["selected"] if default else key in optional
            if not chosen:
                continue
            resolved["optional"].append(key)
        elif item["kind"] == "choice" and resolved["groups"].get(item["group"]) != key:
            continue
        quantity = Decimal(item["quantity"])
        if key in quantities:
            quantity = _quantity(quantities[key], quantity)
            resolved["quantities"][key] = str(quantity.normalize())
        rows.append((item, quantity))
    currency = content["currency"]
    figures = totals(
        [
            Line(q, Decimal(i["unit_price"]), Decimal(i["tax_rate"]), Decimal(i["discount_percent"]))
            for i, q in rows
        ],
        currency=currency,
        prices_include_tax=content["prices_include_tax"],
        discount_percent=Decimal(content["discount_percent"]),
    )
    deposit = Decimal(0)
    if content.get("deposit") == Deposit.PERCENT and content.get("deposit_value"):
        deposit = percentage_of(figures.total, Decimal(content["deposit_value"]), currency)
    elif content.get("deposit") == Deposit.AMOUNT and content.get("deposit_value"):
        deposit = min(Decimal(content["deposit_value"]), figures.total)
    return Chosen(rows=tuple(rows), figures=figures, deposit=deposit, choices=resolved)


MERGE_FIELD = re.compile(r"\{\{\s*([a-z_]+\.[a-z_]+|today)\s*\}\}")


def merged(content: dict, *, proposal: Proposal, chosen: Chosen) -> dict:
    """The version's texts with their merge fields filled in (``{{ client.name }}``,
    ``{{ office.name }}``, ``{{ proposal.title }}``, ``{{ proposal.total }}``, ``{{ proposal.deposit }}``,
    ``{{ proposal.valid_until }}``, ``{{ today }}``), the totals as the client chose: what the page and
    the PDF show and the client signs. Unknown fields stay as written; values are escaped."""
    from django.utils.html import escape

    from portal_core.formatting import format_date, format_money
    from portal_core.selectors import portal_config_get

    config = portal_config_get()
    currency = content["currency"]
    values = {
        "client.name": proposal.client_name,
        "office.name": config.company_name or config.portal_name,
        "proposal.title": content["title"],
        "proposal.total": format_money(chosen.figures.total, currency),
        "proposal.deposit": format_money(chosen.deposit, currency),
        "proposal.valid_until": format_date(proposal.valid_until) if proposal.valid_until else "",
        "today": format_date(timezone.localdate()),
    }

    def fill(text: str) -> str:
        return MERGE_FIELD.sub(
            lambda m: escape(values[m.group(1)]) if m.group(1) in values else m.group(0), text
        )

    return {
        **content,
        "intro": fill(content["intro"]),
        "sections": [{**section, "body": fill(section["body"])} for section in content["sections"]],
    }


# --- review, sign, decline -------------------------------------------------------------------------


def _refuse_closed(proposal: Proposal) -> None:
    if proposal.status == Proposal.Status.ACCEPTED:
        raise ValidationError("This proposal is accepted already.")
    if proposal.status == Proposal.Status.DECLINED:
        raise ValidationError("This proposal was declined; ask the office for a new one.")
    if proposal.status == Proposal.Status.EXPIRED or (
        proposal.valid_until is not None and proposal.valid_until < timezone.localdate()
    ):
        raise ValidationError("This proposal has expired; ask the office for a new one.")
    if not proposal.is_open:
        raise ValidationError("This proposal is not open.")


def _current(proposal: Proposal, version_number: int) -> ProposalVersion:
    latest = proposal.latest_version
    if latest is None or latest.number != version_number:
        raise ValidationError(
            "The office has sent a newer version of this proposal since you opened it. "
            "Please review the latest version before you sign."
        )
    return latest


def review_create(*, proposal: Proposal, version_number: int, account, choices: dict) -> ProposalReview:
    """The exact PDF the client will sign: the version with their choices, kept with its SHA-256."""
    from . import pdf

    proposal = Proposal.objects.select_related("contact", "company").get(pk=proposal.pk)
    _refuse_closed(proposal)
    version = _current(proposal, version_number)
    chosen = choices_apply(version.content, choices)
    content = pdf.proposal_pdf(proposal, version, chosen)
    return ProposalReview.objects.create(
        proposal=proposal,
        version=version,
        account_id=account.pk,
        choices=chosen.choices,
        pdf=content,
        sha256=sealing.sha256_of(content),
    )


def _drawing_checked(drawing: str) -> str:
    prefix = "data:image/png;base64,"
    if not drawing.startswith(prefix) or len(drawing) > MAX_DRAWING_BYTES * 4 // 3 + len(prefix):
        raise ValidationError({"drawing": "Draw your signature in the box."})
    try:
        data = base64.b64decode(drawing[len(prefix) :], validate=True)
    except (binascii.Error, ValueError):
        raise ValidationError({"drawing": "Draw your signature in the box."}) from None
    if not data.startswith(b"\x89PNG\r\n\x1a\n") or len(data) < 100:
        raise ValidationError({"drawing": "Draw your signature in the box."})
    return drawing


def _evidence(typed_name, email, ip, user_agent, consent_version, document_sha256) -> dict:
    """What a signature records of its signer and the moment (UTC), as ``ProposalSignature`` fields."""
    return {
        "typed_name": typed_name,
        "email": email,
        "signed_at": timezone.now(),
        "ip": ip or None,
        "user_agent": (user_agent or "")[:500],
        "consent_version": consent_version,
        "document_sha256": document_sha256,
    }


def proposal_sign(
    *,
    proposal: Proposal,
    review_id: int,
    document_sha256: str,
    account,
    typed_name: str,
    drawing: str,
    consent: bool,
    consent_version: str,
    ip=None,
    user_agent: str = "",
) -> ProposalSignature:
    """The client signs the document they reviewed: refused for another version than the latest, a
    document other than the one reviewed, a closed or expired proposal, or a second time. Records the
    evidence once, seals the final PDF, and accepts the proposal (accepted and paid once the
    deposit, if any, arrives). Events ``proposals.contract_signed``, ``proposals.proposal_accepted``."""
    from . import pdf

    if not consent or consent_version != CONSENT_VERSION:
        raise ValidationError({"consent": "Tick the box to agree to sign electronically."})
    typed_name = " ".join((typed_name or "").split())
    if len(typed_name) < 2:
        raise ValidationError({"typed_name": "Type your full name."})
    drawing = _drawing_checked(drawing or "")
    with transaction.atomic():
        proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
        _refuse_closed(proposal)
        review = ProposalReview.objects.filter(pk=review_id, proposal=proposal, account_id=account.pk).first()
        if review is None or review.sha256 != document_sha256:
            raise ValidationError("This is not the document you reviewed; please review it again.")
        version = _current(proposal, review.version.number)
        chosen = choices_apply(version.content, review.choices)
        evidence = _evidence(typed_name, account.email, ip, user_agent, consent_version, review.sha256)
        now = evidence["signed_at"]
        trail = list(proposal.events.all())
        signer = {**evidence, "drawing": drawing, "role": "client"}
        final = pdf.signed_pdf(proposal, version, chosen, signers=[signer], trail=trail)
        sealed = sealing.seal(final, office=_office(), kind="Signed proposal")
        try:
            with transaction.atomic():
                signature = ProposalSignature.objects.create(
                    proposal=proposal,
                    version=version,
                    account_id=account.pk,
                    drawing=drawing,
                    choices=chosen.choices,
                    total=chosen.figures.total,
                    deposit=chosen.deposit,
                    sealed_pdf=sealed,
                    sealed_sha256=sealing.sha256_of(sealed),
                    **evidence,
                )
        except IntegrityError:
            raise ValidationError("This proposal is signed already.") from None
        proposal.status = Proposal.Status.ACCEPTED
        proposal.accepted_at = now
        proposal.save(update_fields=["status", "accepted_at"])
        _audit(
            proposal,
            ProposalEvent.Kind.SIGNED,
            actor=f"{typed_name} <{account.email}>",
            ip=ip,
            version=version.number,
            detail=f"SHA-256 {review.sha256}",
        )
        data = {"proposal": proposal_payload(proposal), "signature": signature_payload(signature)}
        event_emit(type="proposals.contract_signed", data=data)
        event_emit(type="proposals.proposal_accepted", data=data)
        if chosen.deposit <= 0:
            _accepted_after_commit(proposal, signature, None)
    return signature


def _accepted_after_commit(proposal: Proposal, signature: ProposalSignature, payment: Payment | None):
    """Tell the office's other modules (the invoices module invoices it) once this commits."""
    version = signature.version
    content = version.content
    chosen = choices_apply(content, signature.choices)
    accepted = AcceptedProposal(
        proposal_id=proposal.pk,
        title=content["title"],
        contact_id=proposal.contact_id,
        company_id=proposal.company_id,
        currency=content["currency"],
        prices_include_tax=content["prices_include_tax"],
        discount_percent=Decimal(content["discount_percent"]),
        items=tuple(
            AcceptedItem(
                description=item["description"],
                quantity=quantity,
                unit_price=Decimal(item["unit_price"]),
                tax_rate=Decimal(item["tax_rate"]),
                discount_percent=Decimal(item["discount_percent"]),
            )
            for item, quantity in chosen.rows
        ),
        deposit_payment_id=payment.pk if payment is not None else None,
    )
    schema = connection.schema_name

    def send() -> None:
        with schema_context(schema):
            proposal_accepted.send(sender=Proposal, accepted=accepted)

    transaction.on_commit(send)


EVIDENCE = ("typed_name", "email", "signed_at", "ip", "user_agent", "consent_version", "document_sha256")


def proposal_countersign(
    *,
    proposal: Proposal,
    user,
    typed_name: str,
    consent: bool,
    drawing: str = "",
    ip=None,
    user_agent: str = "",
) -> ProposalSignature:
    """A staff member signs the accepted proposal for the office: the final PDF, with both
    signatures on its signature page, is sealed again and is the one served from then on; the
    client is emailed it. Once. Event ``proposals.contract_countersigned``."""
    from . import pdf

    if not consent:
        raise ValidationError({"consent": "Tick the box to agree to sign electronically."})
    typed_name = " ".join((typed_name or "").split())
    if len(typed_name) < 2:
        raise ValidationError({"typed_name": "Type your full name."})
    drawing = _drawing_checked(drawing) if drawing else ""
    with transaction.atomic():
        proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
        client = proposal.signatures.filter(role="client").select_related("version").first()
        if client is None:
            raise ValidationError("The client has not signed this proposal.")
        version = client.version
        chosen = choices_apply(version.content, client.choices)
        evidence = _evidence(typed_name, user.email, ip, user_agent, CONSENT_VERSION, client.document_sha256)
        signers = [
            {
                **{name: getattr(client, name) for name in EVIDENCE},
                "drawing": client.drawing,
                "role": "client",
            },
            {**evidence, "drawing": drawing, "role": "office"},
        ]
        final = pdf.signed_pdf(proposal, version, chosen, signers=signers, trail=list(proposal.events.all()))
        sealed = sealing.seal(final, office=_office(), kind="Countersigned proposal")
        try:
            with transaction.atomic():
                signature = ProposalSignature.objects.create(
                    proposal=proposal,
                    version=version,
                    role="office",
                    staff_user_id=user.pk,
                    drawing=drawing,
                    choices=client.choices,
                    total=client.total,
                    deposit=client.deposit,
                    sealed_pdf=sealed,
                    sealed_sha256=sealing.sha256_of(sealed),
                    **evidence,
                )
        except IntegrityError:
            raise ValidationError("This proposal is countersigned already.") from None
        _audit(
            proposal,
            ProposalEvent.Kind.COUNTERSIGNED,
            actor=f"{typed_name} <{user.email}>",
            ip=ip,
            version=version.number,
        )
        event_emit(
            type="proposals.contract_countersigned",
            data={"proposal": proposal_payload(proposal), "signature": signature_payload(signature)},
        )
        enqueue(EMAIL_TASK, proposal.pk, "proposals.countersigned")
    return signature


def proposal_decline(*, proposal: Proposal, account, reason: str, ip=None) -> Proposal:
    """The client says no, and why. Event ``proposals.proposal_declined``."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError({"reason": "Tell the office why, in a few words."})
    with transaction.atomic():
        proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
        _refuse_closed(proposal)
        proposal.status = Proposal.Status.DECLINED
        proposal.declined_at = timezone.now()
        proposal.decline_reason = reason[:500]
        proposal.save(update_fields=["status", "declined_at", "decline_reason"])
        version = proposal.latest_version
        _audit(
            proposal,
            ProposalEvent.Kind.DECLINED,
            actor=account.email,
            ip=ip,
            detail=reason,
            version=version.number if version else None,
        )
        event_emit(
            type="proposals.proposal_declined",
            data={"proposal": proposal_payload(proposal), "reason": proposal.decline_reason},
        )
    return proposal


# --- the deposit ---------------------------------------------------------------------------------


def deposit_payments(proposal: Proposal):
    return Payment.objects.filter(module="proposals", reference=str(proposal.pk))


def deposit_checkout(*, proposal: Proposal, success_url: str, cancel_url: str, email: str = "") -> str:
    """The Stripe Checkout page that pays the accepted proposal's deposit, on the office's account."""
    if not proposal.awaits_deposit:
        raise ValidationError("No deposit is due on this proposal.")
    _payment, url = payments.checkout_start(
        module="proposals",
        reference=str(proposal.pk),
        amount=proposal.deposit_due,
        currency=proposal.currency,
        description=f"Deposit: {proposal.title}",
        success_url=success_url,
        cancel_url=cancel_url,
        customer_email=email,
    )
    return url


def deposit_apply(*, payment: Payment) -> Proposal | None:
    """A deposit arrived: the proposal is accepted and paid, once (a second payment changes
    nothing here; the office sees it among the payments)."""
    if payment.module != "proposals" or not payment.reference.isdigit():
        return None
    with transaction.atomic():
        proposal = Proposal.objects.select_for_update().filter(pk=int(payment.reference)).first()
        if proposal is None or not proposal.awaits_deposit or payment.currency != proposal.currency:
            return None
        signature = proposal.signatures.filter(role="client").get()
        if payment.amount < signature.deposit:
            return None
        proposal.deposit_paid_at = timezone.now()
        proposal.save(update_fields=["deposit_paid_at"])
        _audit(
            proposal,
            ProposalEvent.Kind.DEPOSIT_PAID,
            detail=f"{payment.amount} {payment.currency}",
            version=signature.version.number,
        )
        _accepted_after_commit(proposal, signature, payment)
    return proposal


# --- copies, templates, expiry -------------------------------------------------------------------


def _inputs_of(proposal: Proposal) -> dict:
    return {
        "title": proposal.title,
        "intro": proposal.intro,
        "sections": [SectionInput(s.heading, s.body) for s in proposal.sections.all()],
        "items": [
            ItemInput(
                description=i.description,
                unit_price=i.unit_price,
                quantity=i.quantity,
                tax_rate=i.tax_rate,
                discount_percent=i.discount_percent,
                kind=i.kind,
                group=i.group,
                selected=i.selected,
                quantity_editable=i.quantity_editable,
                details=i.details,
            )
            for i in proposal.items.all()
        ],
        "currency": proposal.currency,
        "prices_include_tax": proposal.prices_include_tax,
        "discount_percent": proposal.discount_percent,
        "deposit": proposal.deposit,
        "deposit_value": proposal.deposit_value,
    }


def proposal_duplicate(*, proposal: Proposal, actor: str = "") -> Proposal:
    """A new draft with the same client and content (no versions, signatures or dates)."""
    return proposal_create(
        **_inputs_of(proposal),
        contact=proposal.contact,
        company=proposal.company,
        is_template=proposal.is_template,
        actor=actor,
    )


def template_save(*, proposal: Proposal, title: str = "", actor: str = "") -> Proposal:
    """The proposal's content kept as a template (without its client)."""
    fields = _inputs_of(proposal)
    fields["title"] = title.strip() or fields["title"]
    return proposal_create(**fields, is_template=True, actor=actor)


def proposal_from_template(
    *, template: Proposal, contact=None, company=None, valid_days: int = 30, actor: str = ""
) -> Proposal:
    if not template.is_template:
        raise ValidationError("Start from a template.")
    return proposal_create(
        **_inputs_of(template),
        contact=contact,
        company=company,
        valid_until=timezone.localdate() + timedelta(days=valid_days),
        actor=actor,
    )


TIMER_TASK = "modules.proposals.tasks.proposal_due"
TIMER_HOUR = 8
REMIND_DAYS_BEFORE = 3


def _office_morning(day: date):
    from datetime import datetime, time

    from portal_core.time_zones import office_time_zone

    return datetime.combine(day, time(TIMER_HOUR), tzinfo=office_time_zone())


def proposal_timers_set(*, proposal: Proposal) -> None:
    """The timer of the proposal's next date: its reminder (three days before it expires), then its
    expiry (the morning after its validity date)."""
    if not proposal.is_open or proposal.valid_until is None:
        return
    today = timezone.localdate()
    remind_on = proposal.valid_until - timedelta(days=REMIND_DAYS_BEFORE)
    day = (
        remind_on
        if proposal.reminded_at is None and remind_on >= today
        else proposal.valid_until + timedelta(days=1)
    )
    enqueue_at(_office_morning(max(day, today)), TIMER_TASK, proposal.pk)


def proposal_due(*, proposal: Proposal) -> str | None:
    """What the proposal's timer does today: expire it, or remind the client, once each."""
    today = timezone.localdate()
    with transaction.atomic():
        proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
        if not proposal.is_open or proposal.valid_until is None:
            return None
        version = proposal.latest_version
        number = version.number if version else None
        if proposal.valid_until < today:
            proposal.status = Proposal.Status.EXPIRED
            proposal.expired_at = timezone.now()
            proposal.save(update_fields=["status", "expired_at"])
            _audit(proposal, ProposalEvent.Kind.EXPIRED, version=number)
            event_emit(type="proposals.proposal_expired", data={"proposal": proposal_payload(proposal)})
            return "expired"
        done = None
        if (
            proposal.reminded_at is None
            and proposal.valid_until - timedelta(days=REMIND_DAYS_BEFORE) <= today
        ):
            proposal.reminded_at = timezone.now()
            proposal.save(update_fields=["reminded_at"])
            _audit(proposal, ProposalEvent.Kind.REMINDED, version=number)
            enqueue(EMAIL_TASK, proposal.pk, "proposals.proposal_reminder")
            done = "reminded"
        proposal_timers_set(proposal=proposal)
    return done


def proposals_rearm() -> int:
    """Set again the timer of every open proposal (after the module was off)."""
    open_ = Proposal.objects.filter(status__in=[Proposal.Status.SENT, Proposal.Status.VIEWED])
    for proposal in open_:
        proposal_timers_set(proposal=proposal)
    return open_.count()
