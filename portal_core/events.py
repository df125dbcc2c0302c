"""The core's own webhook events: their types and example ``data``, registered at start-up like a
module's ``events.py`` (``portal_core.apps``). What each event carries is built in ``payloads``."""

EVENT_TYPES = {
    "client_portal.invitation_sent": "A portal invitation was emailed to a client.",
    "client_portal.token_created": "A new portal access link was created.",
    "client_portal.token_accessed": "A client opened the portal with an access link.",
    "portal_account.created": "A portal account was created for a contact or a company.",
    "portal_account.joined": "A client signed in to the portal for the first time.",
    "portal_account.disabled": "The office disabled a client's portal access.",
    "contact.created": "A contact was added (by the office, the API or self-registration).",
}

_CONTACT = {
    "id": 42,
    "first_name": "Ada",
    "last_name": "Lovelace",
    "name": "Ada Lovelace",
    "email": "ada@example.com",
    "phone": "+31 20 123 4567",
    "language": "en",
    "company_id": 7,
    "source": "api",
    "created": "2025-01-31T09:30:00Z",
}
_ACCOUNT = {
    "id": 12,
    "status": "invited",
    "email": "ada@example.com",
    "contact": _CONTACT,
    "company": None,
    "invited_at": "2025-01-31T09:31:00Z",
    "joined_at": None,
    "disabled_at": None,
}
_TOKEN = {"id": 99, "created": "2025-01-31T09:31:00Z", "expires_at": "2025-02-07T09:31:00Z"}
EVENT_EXAMPLES = {
    "client_portal.invitation_sent": {
        "account": _ACCOUNT,
        "custom_message": "Welcome aboard!",
        "temporary_password": False,
        "sent_by": "api key Integration",
    },
    "client_portal.token_created": {
        "account": _ACCOUNT,
        "token": _TOKEN,
        "created_by": "api key Integration",
    },
    "client_portal.token_accessed": {"account": _ACCOUNT, "token": _TOKEN},
    "portal_account.created": {"account": _ACCOUNT},
    "portal_account.joined": {"account": {**_ACCOUNT, "status": "joined"}, "via": "magic_link"},
    "portal_account.disabled": {
        "account": {**_ACCOUNT, "status": "disabled"},
        "disabled_by": "api key Integration",
    },
    "contact.created": {"contact": _CONTACT, "created_by": "api key Integration"},
}
