"""The module's webhook events (the issue's eight, and ``viewing_proposed``). Every payload carries
ids as integers and datetimes in ISO 8601 UTC (``…Z``); see ``payloads`` for the shapes:

- ``offer``: ``{id, deal_id, contact_id, property: {id, title, address, city, price, currency, …},
  offered_at, interest, client_group, favourite, seen_at, visited_at, approved_at}``
- ``viewing``: ``{id, offer_id, property_id, contact_id, status, preferred_slots: [datetime],
  start, proposed_start, note, cancelled_by, cancel_reason, created}``
- ``feedback``: ``{id, offer_id, viewing_id, rating, notes, photos: int, voice_notes: int, created}``
- ``message``: ``{id, contact_id, offer_id, subject, body, created}``
"""

EVENT_TYPES = {
    "real_estate.property_offered": "A property was offered to a client through a deal. Data: offer, "
    "offered_by.",
    "real_estate.interest_changed": "A client marked an offered property interesting or not (with the "
    "reasons). Data: offer, previous_interest, rejection_reasons, rejection_note.",
    "real_estate.viewing_requested": "A client asked to view a property, with 1 to 3 preferred times. "
    "Data: viewing, offer.",
    "real_estate.viewing_proposed": "The office proposed another time for a requested viewing; it is "
    "confirmed once the client accepts. Data: viewing, offer.",
    "real_estate.viewing_confirmed": "A viewing was confirmed: the office picked a time, the client "
    "accepted the office's proposal, or the office moved a confirmed viewing. Data: viewing, offer, "
    "confirmed_by (office or client), rescheduled (bool).",
    "real_estate.viewing_cancelled": "A viewing was cancelled by the client or the office. Data: "
    "viewing, offer, cancelled_by.",
    "real_estate.feedback_submitted": "A client sent feedback after a viewing (notes, stars, photos, "
    "voice notes). Data: feedback, offer.",
    "real_estate.agent_contacted": "A client wrote to the office from the portal. Data: message, offer "
    "(or null).",
    "real_estate.property_approved": "After a viewing, the office approved a property for the client. "
    "Data: offer, approved_by.",
}

# An example of each event's ``data`` (``payloads`` gives the real ones), for the event catalogue.
_PROPERTY = {
    "id": 7,
    "title": "Canal house",
    "address": "Herengracht 1, 1015 BA Amsterdam, Netherlands",
    "city": "Amsterdam",
    "country": "Netherlands",
    "property_type": "house",
    "price": "1250000.00",
    "currency": "EUR",
    "status": "available",
}
_OFFER = {
    "id": 31,
    "deal_id": 4,
    "contact_id": 42,
    "property": _PROPERTY,
    "offered_at": "2025-01-31T09:30:00Z",
    "interest": "interested",
    "client_group": "interested",
    "favourite": False,
    "seen_at": "2025-01-31T18:02:11Z",
    "visited_at": None,
    "approved_at": None,
}
_VIEWING = {
    "id": 12,
    "offer_id": 31,
    "property_id": 7,
    "contact_id": 42,
    "status": "requested",
    "preferred_slots": ["2025-02-04T16:00:00Z", "2025-02-05T09:30:00Z"],
    "start": None,
    "proposed_start": None,
    "note": "After work if possible.",
    "cancelled_by": None,
    "cancel_reason": "",
    "created": "2025-02-01T10:15:00Z",
}
_CONFIRMED = {**_VIEWING, "status": "confirmed", "start": "2025-02-04T16:00:00Z"}
_VISITED_OFFER = {**_OFFER, "client_group": "visited", "visited_at": "2025-02-04T16:00:00Z"}
EVENT_EXAMPLES = {
    "real_estate.property_offered": {
        "offer": {**_OFFER, "interest": "to_rate", "client_group": "to_rate", "seen_at": None},
        "offered_by": "owner@example.com",
    },
    "real_estate.interest_changed": {
        "offer": {**_OFFER, "interest": "rejected", "client_group": "rejected"},
        "previous_interest": "to_rate",
        "rejection_reasons": ["price", "location"],
        "rejection_note": "Too far from the station.",
    },
    "real_estate.viewing_requested": {"viewing": _VIEWING, "offer": _OFFER},
    "real_estate.viewing_proposed": {
        "viewing": {**_VIEWING, "status": "proposed", "proposed_start": "2025-02-06T11:00:00Z"},
        "offer": _OFFER,
    },
    "real_estate.viewing_confirmed": {
        "viewing": _CONFIRMED,
        "offer": _OFFER,
        "confirmed_by": "office",
        "rescheduled": False,
    },
    "real_estate.viewing_cancelled": {
        "viewing": {
            **_VIEWING,
            "status": "cancelled",
            "cancelled_by": "client",
            "cancel_reason": "Found one.",
        },
        "offer": _OFFER,
        "cancelled_by": "client",
    },
    "real_estate.feedback_submitted": {
        "feedback": {
            "id": 5,
            "offer_id": 31,
            "viewing_id": 12,
            "rating": 4,
            "notes": "Lovely light, small kitchen.",
            "photos": 2,
            "voice_notes": 1,
            "created": "2025-02-04T18:40:00Z",
        },
        "offer": _VISITED_OFFER,
    },
    "real_estate.agent_contacted": {
        "message": {
            "id": 9,
            "contact_id": 42,
            "offer_id": 31,
            "subject": "About Canal house",
            "body": "Is there parking nearby?",
            "created": "2025-02-01T10:20:00Z",
        },
        "offer": _OFFER,
    },
    "real_estate.property_approved": {
        "offer": {**_VISITED_OFFER, "client_group": "approved", "approved_at": "2025-02-05T08:00:00Z"},
        "approved_by": "owner@example.com",
    },
}
