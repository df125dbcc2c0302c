"""The module's webhook events (the issue's eight, and ``viewing_proposed``). Every payload carries
ids as strings and datetimes in ISO 8601 UTC (``…Z``); see ``payloads`` for the shapes:

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
