"""The event types an endpoint can subscribe to: the core's, then each module's own."""

from __future__ import annotations

from dataclasses import dataclass

CORE_EVENT_TYPES = {
    "client_portal.invitation_sent": "A portal invitation was emailed to a client.",
    "client_portal.token_created": "A new portal access link was created.",
    "client_portal.token_accessed": "A client opened the portal with an access link.",
    "portal_account.created": "A portal account was created for a contact or a company.",
    "portal_account.joined": "A client signed in to the portal for the first time.",
    "portal_account.disabled": "The office disabled a client's portal access.",
    "contact.created": "A contact was added (by the office, the API or self-registration).",
}
TEST_EVENT_TYPE = "webhook.test"


@dataclass(frozen=True)
class EventType:
    name: str
    description: str
    module: str = ""  # the module's name, for module event types


def event_catalogue() -> list[EventType]:
    """Every event type an endpoint may subscribe to, core types first."""
    from modules.registry import registry

    types = [EventType(name, text) for name, text in CORE_EVENT_TYPES.items()]
    for module in registry:
        types += [EventType(name, text, module.name) for name, text in sorted(module.event_types.items())]
    return types


def event_type_names() -> set[str]:
    return {event_type.name for event_type in event_catalogue()}
