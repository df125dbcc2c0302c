"""The event types an endpoint can subscribe to.

Webhooks only carries events: whoever emits them registers their types (with an example of their
``data``) at start-up, through :func:`event_types_register`. The core registers its own and each
module's; webhooks itself owns only the test event.
"""

from __future__ import annotations

from dataclasses import dataclass, field

TEST_EVENT_TYPE = "webhook.test"
TEST_EVENT_DESCRIPTION = "A test event, sent on request to one endpoint."
TEST_EVENT_EXAMPLE = {"endpoint_id": 3, "message": "A test event from Portico. It worked."}


@dataclass(frozen=True)
class EventType:
    name: str
    description: str
    module: str = ""  # the module's name, for module event types; empty for the core's
    example: dict = field(default_factory=dict, compare=False)


_types: dict[str, EventType] = {}


def event_types_register(
    *, types: dict[str, str], examples: dict[str, dict] | None = None, module: str = ""
) -> None:
    """Add event types (name → description) to the catalogue, with example ``data`` for some.

    Registering the same types again changes nothing; a name already registered by someone else
    is refused, so two emitters never share one type."""
    examples = examples or {}
    unknown = set(examples) - set(types)
    if unknown:
        raise ValueError(f"Examples given for unregistered event types: {', '.join(sorted(unknown))}.")
    for name, description in types.items():
        known = _types.get(name)
        if name == TEST_EVENT_TYPE or (known is not None and known.module != module):
            raise ValueError(f"The event type {name!r} is registered already.")
        _types[name] = EventType(name, str(description), module, dict(examples.get(name, {})))


def event_catalogue() -> list[EventType]:
    """Every event type an endpoint may subscribe to: the core's first, then each module's by name."""
    return sorted(_types.values(), key=lambda t: (bool(t.module), t.module, t.name if t.module else ""))


def event_type_names() -> set[str]:
    return set(_types)
