"""The registry of modules, filled once at start-up from the installed apps.

A module's parts are loaded from one table, :data:`PARTS`: each part's name, the submodule and
attribute it is read from, and the kind of value it must be. A part of the wrong kind stops the
start-up with an error naming the module and the part.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib import import_module
from importlib.util import find_spec
from typing import Any

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured

from .base import ActivityKind, ModuleConfig, NavItem

KEY_RE = re.compile(r"^[a-z][a-z0-9_]{1,39}$")


# --- the kinds a part may be ---------------------------------------------------------------------


def _url_list(value, module) -> str | None:
    return None if isinstance(value, list | tuple) else "a list of URL patterns"


def _nav_list(value, module) -> str | None:
    ok = isinstance(value, list | tuple) and all(isinstance(v, NavItem) for v in value)
    return None if ok else "a list of NavItem (modules.base.NavItem)"


def _activity_kinds(value, module) -> str | None:
    ok = isinstance(value, list | tuple) and all(isinstance(v, ActivityKind) for v in value)
    return None if ok else "a list of ActivityKind (modules.base.ActivityKind)"


def _callable(value, module) -> str | None:
    return None if callable(value) else "callable"


def _event_types(value, module) -> str | None:
    ok = isinstance(value, dict) and all(
        isinstance(name, str) and name.startswith(f"{module.key}.") for name in value
    )
    return None if ok else f"a dict of '{module.key}.…' event names to descriptions"


def _email_defaults(value, module) -> str | None:
    ok = isinstance(value, dict) and all(
        isinstance(kind, str) and kind.startswith(f"{module.key}.") and isinstance(v, tuple) and len(v) == 2
        for kind, v in value.items()
    )
    return None if ok else f"a dict of '{module.key}.…' email kinds to (subject, body)"


def _email_notifications(value, module) -> str | None:
    ok = isinstance(value, dict) and all(
        isinstance(topic, str)
        and topic.startswith(f"{module.key}.")
        and isinstance(v, tuple)
        and len(v) == 2
        and all(isinstance(kind, str) and kind.startswith(f"{module.key}.") for kind in v[1])
        for topic, v in value.items()
    )
    return None if ok else f"a dict of '{module.key}.…' topics to (label, email kinds)"


def _any(value, module) -> str | None:
    return None


def _none() -> None:
    return None


@dataclass(frozen=True)
class Part:
    """One part of the contract: read from ``<module>.<submodule>.<attribute>`` when that exists."""

    name: str
    submodule: str
    attribute: str
    check: Callable[[Any, Module], str | None]  # None when the value is right, else what it must be
    doc: str
    empty: Callable[[], Any] = list  # the value of an absent part


PARTS: tuple[Part, ...] = (
    Part("portal_urlpatterns", "urls", "portal_urlpatterns", _url_list, "pages at /<key-with-dashes>/"),
    Part(
        "office_urlpatterns", "urls", "office_urlpatterns", _url_list, "pages at /office/<key-with-dashes>/"
    ),
    Part("api_urlpatterns", "api.urls", "urlpatterns", _url_list, "endpoints at /api/v1/<key-with-dashes>/"),
    Part("portal_nav", "navigation", "portal_items", _nav_list, "the client's navigation entries"),
    Part("office_nav", "navigation", "office_items", _nav_list, "the office's navigation entries"),
    Part(
        "office_counts",
        "navigation",
        "office_counts",
        _callable,
        "office_counts(request) -> {url_name: n}: what waits for the office, shown in its navigation",
        _none,
    ),
    Part(
        "statistics", "dashboard", "statistics", _callable, "statistics(request) for the portal home", _none
    ),
    Part("first_content", "checklist", "first_content", _callable, "first_content(request) -> bool", _none),
    Part("event_types", "events", "EVENT_TYPES", _event_types, "webhook event types and descriptions", dict),
    Part("event_examples", "events", "EVENT_EXAMPLES", _any, "example data per event type", dict),
    Part(
        "email_defaults",
        "email_defaults",
        "EMAIL_DEFAULTS",
        _email_defaults,
        "the module's client emails",
        dict,
    ),
    Part(
        "email_notifications",
        "email_defaults",
        "EMAIL_NOTIFICATIONS",
        _email_notifications,
        "which of its emails are notifications a client may unsubscribe from",
        dict,
    ),
    Part("contact_panels", "panels", "contact_panels", _callable, "contact_panels(request, contact)", _none),
    Part("company_panels", "panels", "company_panels", _callable, "company_panels(request, company)", _none),
    Part("demo_seed", "demo", "seed", _callable, "seed(*, contact, owner): demo data", _none),
    Part(
        "activity_kinds",
        "activity",
        "ACTIVITY_KINDS",
        _activity_kinds,
        "the activity entries the module writes and how each reads",
    ),
)
PART_NAMES = frozenset(part.name for part in PARTS)


@dataclass
class Module:
    """A registered module: its AppConfig and the parts it has (absent parts are empty or None)."""

    config: ModuleConfig
    parts: dict[str, Any] = field(default_factory=dict)

    def __getattr__(self, name: str):
        if name in PART_NAMES:
            return self.parts.get(name)
        raise AttributeError(name)

    @property
    def key(self) -> str:
        return self.config.key

    @property
    def name(self) -> str:
        return str(self.config.verbose_name)

    @property
    def package(self) -> str:
        return self.config.name

    @property
    def url_prefix(self) -> str:
        return self.config.url_prefix

    @property
    def portal_namespace(self) -> str:
        return self.key

    @property
    def office_namespace(self) -> str:
        return f"{self.key}_office"

    @property
    def api_namespace(self) -> str:
        return f"{self.key}_api"


def _submodule(package: str, dotted: str):
    """``package.dotted`` imported, or None when it does not exist (its own import errors rise)."""
    name = package
    for piece in dotted.split("."):
        name = f"{name}.{piece}"
        try:
            if find_spec(name) is None:
                return None
        except ModuleNotFoundError:
            return None
    return import_module(name)


def _load_parts(module: Module) -> None:
    loaded: dict[str, object] = {}
    for part in PARTS:
        source = loaded.get(part.submodule)
        if part.submodule not in loaded:
            source = loaded[part.submodule] = _submodule(module.package, part.submodule)
        if source is None or not hasattr(source, part.attribute):
            module.parts[part.name] = part.empty()
            continue
        value = getattr(source, part.attribute)
        problem = part.check(value, module)
        if problem:
            raise ImproperlyConfigured(
                f"Module {module.key!r}, part {part.name!r}: {part.submodule}.{part.attribute} "
                f"must be {problem} (in {module.package})."
            )
        module.parts[part.name] = list(value) if isinstance(value, list | tuple) else value
    examples = module.parts["event_examples"]
    if not isinstance(examples, dict) or not set(examples) <= set(module.parts["event_types"]):
        raise ImproperlyConfigured(
            f"Module {module.key!r}, part 'event_examples': events.EVENT_EXAMPLES must map some of "
            f"its EVENT_TYPES to example data (in {module.package})."
        )


class Registry:
    def __init__(self) -> None:
        self._modules: dict[str, Module] = {}
        self._by_namespace: dict[str, str] = {}
        self._sorted: list[Module] = []
        self.ready = False

    def populate(self) -> None:
        if self.ready:
            return
        for config in apps.get_app_configs():
            if isinstance(config, ModuleConfig):
                self.register(config)
        self.ready = True

    def register(self, config: ModuleConfig) -> Module:
        key = config.key
        if not isinstance(key, str) or not KEY_RE.match(key):
            raise ImproperlyConfigured(f"Module app {config.name!r} needs a key like 'real_estate'.")
        if key in self._modules:
            raise ImproperlyConfigured(
                f"Duplicate module key {key!r}: {self._modules[key].config.name} and {config.name}."
            )
        module = Module(config=config)
        _load_parts(module)
        self._modules[key] = module
        self._sorted = sorted(self._modules.values(), key=lambda m: m.name)
        for ns in (module.portal_namespace, module.office_namespace, module.api_namespace):
            self._by_namespace[ns] = key
        return module

    def __iter__(self):
        return iter(self._sorted)

    def __contains__(self, key: str) -> bool:
        return key in self._modules

    def get(self, key: str) -> Module | None:
        return self._modules.get(key)

    def keys(self) -> list[str]:
        return sorted(self._modules)

    def module_for_namespace(self, namespace: str) -> str | None:
        return self._by_namespace.get(namespace)

    def module_for_code(self, dotted: str) -> Module | None:
        """The module whose package holds the code at ``dotted`` (e.g. a receiver's ``__module__``)."""
        for module in self._sorted:
            if dotted == module.package or dotted.startswith(module.package + "."):
                return module
        return None

    def parts(self, name: str, *, keys: Iterable[str] | None = None) -> list[tuple[Module, Any]]:
        """``(module, value)`` of every module that has the part ``name``, in the modules' order;
        only the modules in ``keys`` when given (the core passes the office's switched-on ones)."""
        if name not in PART_NAMES:
            raise KeyError(f"No module part is called {name!r}.")
        chosen = self._sorted if keys is None else [m for m in self._sorted if m.key in set(keys)]
        return [(m, m.parts[name]) for m in chosen if m.parts.get(name)]

    def merged(self, name: str) -> dict:
        """One dict of every module's dict part ``name`` (their keys carry the module's key)."""
        result: dict = {}
        for _module, value in self.parts(name):
            result.update(value)
        return result

    def event_types(self) -> dict[str, str]:
        return self.merged("event_types")

    def event_examples(self) -> dict[str, dict]:
        return self.merged("event_examples")

    def email_defaults(self) -> dict[str, tuple]:
        """Every module's built-in emails, by kind (kinds carry their module's key, so none clash)."""
        return self.merged("email_defaults")

    def email_notifications(self) -> dict[str, tuple]:
        """Every module's notification topics: topic → (label, the email kinds it covers)."""
        return self.merged("email_notifications")


registry = Registry()
