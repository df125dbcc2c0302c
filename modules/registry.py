"""The registry of modules, filled once at start-up from the installed apps."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured

from .base import ModuleConfig, NavItem

KEY_RE = re.compile(r"^[a-z][a-z0-9_]{1,39}$")


@dataclass
class Module:
    config: ModuleConfig
    portal_urlpatterns: list = field(default_factory=list)
    office_urlpatterns: list = field(default_factory=list)
    api_urlpatterns: list = field(default_factory=list)
    portal_nav: list[NavItem] = field(default_factory=list)
    office_nav: list[NavItem] = field(default_factory=list)
    statistics: object = None
    first_content: object = None
    event_types: dict[str, str] = field(default_factory=dict)
    event_examples: dict[str, dict] = field(default_factory=dict)
    email_defaults: dict[str, tuple] = field(default_factory=dict)
    demo_seed: object = None
    contact_panels: object = None

    @property
    def key(self) -> str:
        return self.config.key

    @property
    def name(self) -> str:
        return str(self.config.verbose_name)

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


def _optional(package: str, name: str):
    dotted = f"{package}.{name}"
    try:
        if find_spec(dotted) is None:
            return None
    except ModuleNotFoundError:
        return None
    return import_module(dotted)


def _check_list(value, kind, module_key, what):
    if not isinstance(value, list | tuple) or not all(isinstance(v, kind) for v in value):
        raise ImproperlyConfigured(f"Module {module_key!r}: {what} must be a list of {kind.__name__}.")
    return list(value)


class Registry:
    def __init__(self) -> None:
        self._modules: dict[str, Module] = {}
        self._by_namespace: dict[str, str] = {}
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
        package = config.name
        if urls := _optional(package, "urls"):
            module.portal_urlpatterns = list(getattr(urls, "portal_urlpatterns", []))
            module.office_urlpatterns = list(getattr(urls, "office_urlpatterns", []))
        if _optional(package, "api") and find_spec(f"{package}.api.urls"):
            module.api_urlpatterns = list(import_module(f"{package}.api.urls").urlpatterns)
        if nav := _optional(package, "navigation"):
            module.portal_nav = _check_list(getattr(nav, "portal_items", []), NavItem, key, "portal_items")
            module.office_nav = _check_list(getattr(nav, "office_items", []), NavItem, key, "office_items")
        if dashboard := _optional(package, "dashboard"):
            module.statistics = getattr(dashboard, "statistics", None)
            if module.statistics is not None and not callable(module.statistics):
                raise ImproperlyConfigured(f"Module {key!r}: dashboard.statistics must be callable.")
        if checklist := _optional(package, "checklist"):
            module.first_content = getattr(checklist, "first_content", None)
        if events := _optional(package, "events"):
            types = getattr(events, "EVENT_TYPES", {})
            if not isinstance(types, dict) or not all(t.startswith(f"{key}.") for t in types):
                raise ImproperlyConfigured(f"Module {key!r}: EVENT_TYPES must be a dict of '{key}.…' names.")
            module.event_types = dict(types)
            examples = getattr(events, "EVENT_EXAMPLES", {})
            if not isinstance(examples, dict) or not set(examples) <= set(types):
                raise ImproperlyConfigured(
                    f"Module {key!r}: EVENT_EXAMPLES must map some of its EVENT_TYPES."
                )
            module.event_examples = dict(examples)
        if emails := _optional(package, "email_defaults"):
            kinds = getattr(emails, "EMAIL_DEFAULTS", {})
            if not isinstance(kinds, dict) or not all(
                k.startswith(f"{key}.") and isinstance(v, tuple) and len(v) == 2 for k, v in kinds.items()
            ):
                raise ImproperlyConfigured(
                    f"Module {key!r}: EMAIL_DEFAULTS must map '{key}.…' kinds to (subject, body)."
                )
            module.email_defaults = dict(kinds)
        if panels := _optional(package, "panels"):
            module.contact_panels = getattr(panels, "contact_panels", None)
            if module.contact_panels is not None and not callable(module.contact_panels):
                raise ImproperlyConfigured(f"Module {key!r}: panels.contact_panels must be callable.")
        if demo := _optional(package, "demo"):
            module.demo_seed = getattr(demo, "seed", None)
            if module.demo_seed is not None and not callable(module.demo_seed):
                raise ImproperlyConfigured(f"Module {key!r}: demo.seed must be callable.")
        self._modules[key] = module
        for ns in (module.portal_namespace, module.office_namespace, module.api_namespace):
            self._by_namespace[ns] = key
        return module

    def __iter__(self):
        return iter(sorted(self._modules.values(), key=lambda m: m.name))

    def __contains__(self, key: str) -> bool:
        return key in self._modules

    def get(self, key: str) -> Module | None:
        return self._modules.get(key)

    def keys(self) -> list[str]:
        return sorted(self._modules)

    def module_for_namespace(self, namespace: str) -> str | None:
        return self._by_namespace.get(namespace)

    def event_types(self) -> dict[str, str]:
        merged: dict[str, str] = {}
        for module in self:
            merged.update(module.event_types)
        return merged

    def event_examples(self) -> dict[str, dict]:
        merged: dict[str, dict] = {}
        for module in self:
            merged.update(module.event_examples)
        return merged

    def email_defaults(self) -> dict[str, tuple]:
        """Every module's built-in emails, by kind (kinds carry their module's key, so none clash)."""
        merged: dict[str, tuple] = {}
        for module in self:
            merged.update(module.email_defaults)
        return merged


registry = Registry()
