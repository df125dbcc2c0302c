"""The module's webhook events, written to the outbox in the same transaction as the change
(``services``). Payloads (``payloads``): ``proposal`` ``{id, title, status, contact_id,
company_id, currency, valid_until, version, revised, sent_at, viewed_at, accepted_at,
deposit_paid_at, declined_at, decline_reason, expired_at, created}``; ``signature`` ``{id, role,
version, name, email, signed_at, ip, consent_version, document_sha256, sealed_sha256, total,
deposit}``."""

EVENT_TYPES = {
    "proposals.proposal_sent": "A proposal's version was sent to its client (a revision sends the next "
    "version). Data: proposal, version.",
    "proposals.proposal_viewed": "The client opened a version of the proposal for the first time. Data: "
    "proposal, version.",
    "proposals.proposal_accepted": "The client accepted the proposal with their signature (a deposit, if "
    "asked, is paid next). Data: proposal, signature.",
    "proposals.proposal_declined": "The client declined the proposal. Data: proposal, reason.",
    "proposals.proposal_expired": "An open proposal passed its validity date. Data: proposal.",
    "proposals.contract_signed": "The client signed the document (the sealed PDF is ready). Data: "
    "proposal, signature.",
    "proposals.contract_countersigned": "A staff member countersigned a signed document. Data: proposal, "
    "signature.",
}

_PROPOSAL = {
    "id": 5,
    "title": "Website redesign",
    "status": "sent",
    "contact_id": 42,
    "company_id": None,
    "currency": "EUR",
    "valid_until": "2026-12-31",
    "version": 1,
    "revised": False,
    "sent_at": "2026-12-03T09:30:00Z",
    "viewed_at": None,
    "accepted_at": None,
    "deposit_paid_at": None,
    "declined_at": None,
    "decline_reason": "",
    "expired_at": None,
    "created": "2026-12-02T16:05:11Z",
}
_SIGNATURE = {
    "id": 3,
    "role": "client",
    "version": 1,
    "name": "Kim Jansen",
    "email": "kim@example.com",
    "signed_at": "2026-12-04T10:12:00Z",
    "ip": "203.0.113.7",
    "consent_version": "2026-12",
    "document_sha256": "9f2c…",
    "sealed_sha256": "41ab…",
    "total": "1210.00",
    "deposit": "363.00",
}
_ACCEPTED = {**_PROPOSAL, "status": "accepted", "accepted_at": "2026-12-04T10:12:00Z"}
EVENT_EXAMPLES = {
    "proposals.proposal_sent": {"proposal": _PROPOSAL, "version": 1},
    "proposals.proposal_viewed": {
        "proposal": {**_PROPOSAL, "status": "viewed", "viewed_at": "2026-12-03T18:40:00Z"},
        "version": 1,
    },
    "proposals.proposal_accepted": {"proposal": _ACCEPTED, "signature": _SIGNATURE},
    "proposals.proposal_declined": {
        "proposal": {**_PROPOSAL, "status": "declined", "decline_reason": "Over our budget"},
        "reason": "Over our budget",
    },
    "proposals.proposal_expired": {"proposal": {**_PROPOSAL, "status": "expired"}},
    "proposals.contract_signed": {"proposal": _ACCEPTED, "signature": _SIGNATURE},
    "proposals.contract_countersigned": {
        "proposal": _ACCEPTED,
        "signature": {**_SIGNATURE, "id": 4, "role": "office", "name": "Sam Office"},
    },
}
