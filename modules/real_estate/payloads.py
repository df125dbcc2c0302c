"""What the module's webhook events say: ids as integers (as in the core's events), datetimes as
ISO 8601 in UTC (``…Z``), amounts as decimal strings. Never a file path or a secret."""

from __future__ import annotations

from datetime import UTC, datetime

from .models import AgentMessage, Feedback, OfferedProperty, Property, Viewing


def iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def property_payload(prop: Property) -> dict:
    return {
        "id": prop.pk,
        "title": prop.title,
        "address": prop.address,
        "city": prop.city,
        "country": prop.country,
        "property_type": prop.property_type,
        "price": None if prop.price is None else str(prop.price),
        "currency": prop.currency,
        "status": prop.status,
    }


def offer_payload(offer: OfferedProperty) -> dict:
    return {
        "id": offer.pk,
        "deal_id": offer.deal_id,
        "contact_id": offer.deal.contact_id,
        "property": property_payload(offer.property),
        "offered_at": iso(offer.offered_at),
        "interest": offer.interest,
        "client_group": offer.client_group,
        "favourite": offer.favourite,
        "seen_at": iso(offer.seen_at),
        "visited_at": iso(offer.visited_at),
        "approved_at": iso(offer.approved_at),
    }


def viewing_payload(viewing: Viewing) -> dict:
    return {
        "id": viewing.pk,
        "offer_id": viewing.offered_id,
        "property_id": viewing.offered.property_id,
        "contact_id": viewing.offered.deal.contact_id,
        "status": viewing.status,
        "preferred_slots": [iso(slot.start) for slot in viewing.slots.all()],
        "start": iso(viewing.start),
        "proposed_start": iso(viewing.proposed_start),
        "note": viewing.note,
        "cancelled_by": viewing.cancelled_by or None,
        "cancel_reason": viewing.cancel_reason,
        "created": iso(viewing.created),
    }


def feedback_payload(feedback: Feedback) -> dict:
    return {
        "id": feedback.pk,
        "offer_id": feedback.offered_id,
        "viewing_id": feedback.viewing_id,
        "rating": feedback.rating,
        "notes": feedback.notes,
        "photos": feedback.photos.count(),
        "voice_notes": feedback.voice_notes.count(),
        "created": iso(feedback.created),
    }


def message_payload(message: AgentMessage) -> dict:
    return {
        "id": message.pk,
        "contact_id": message.contact_id,
        "offer_id": message.offered_id,
        "subject": message.subject,
        "body": message.body,
        "created": iso(message.created),
    }
