"""What the module's webhook events and API say: ids as integers, datetimes as ISO 8601 in UTC,
money as decimal strings in the currency's minor unit."""

from __future__ import annotations

from portal_core.payloads import iso, money

from .models import Proposal, ProposalSignature


def proposal_payload(proposal: Proposal) -> dict:
    latest = proposal.versions.order_by("-number").values_list("number", flat=True).first()
    return {
        "id": proposal.pk,
        "title": proposal.title,
        "status": proposal.status,
        "contact_id": proposal.contact_id,
        "company_id": proposal.company_id,
        "currency": proposal.currency,
        "valid_until": iso(proposal.valid_until),
        "version": latest,
        "revised": proposal.revised,
        "sent_at": iso(proposal.sent_at),
        "viewed_at": iso(proposal.viewed_at),
        "accepted_at": iso(proposal.accepted_at),
        "deposit_paid_at": iso(proposal.deposit_paid_at),
        "declined_at": iso(proposal.declined_at),
        "decline_reason": proposal.decline_reason,
        "expired_at": iso(proposal.expired_at),
        "created": iso(proposal.created),
    }


def signature_payload(signature: ProposalSignature) -> dict:
    currency = signature.proposal.currency
    return {
        "id": signature.pk,
        "role": signature.role,
        "version": signature.version.number,
        "name": signature.typed_name,
        "email": signature.email,
        "signed_at": iso(signature.signed_at),
        "ip": signature.ip,
        "consent_version": signature.consent_version,
        "document_sha256": signature.document_sha256,
        "sealed_sha256": signature.sealed_sha256,
        "total": money(signature.total, currency),
        "deposit": money(signature.deposit, currency),
    }
