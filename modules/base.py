"""The module contract.

A module is a Django app whose AppConfig subclasses :class:`ModuleConfig` and sets ``key``. The
core finds the rest by fixed submodule names and never imports a module directly:

``<module>.urls``        ``portal_urlpatterns`` (mounted at ``/<key-with-dashes>/``) and
                         ``office_urlpatterns`` (mounted at ``/office/<key-with-dashes>/``)
``<module>.api.urls``    ``urlpatterns`` (mounted at ``/api/v1/<key-with-dashes>/``, namespace
                         ``<key>_api``): views made with the core's resource kit,
                         ``portal_core.api.resources`` (``ListRows``, ``ShowRow``, ``CreateRow``,
                         ``ChangeRow``, ``DeleteRow``, ``RowAction`` on ``OfficeResource`` or
                         ``ClientResource``), which gives them authentication, pages, errors and
                         their schema (operation ids ``<key>_…``, tag ``<key-with-dashes>``, enums
                         named ``<Key>…Enum``). The core answers 404 for the whole API while an
                         office has the module off, on every host (``portal_core.module_gate``);
                         a module never checks it itself
``<module>.navigation``  ``portal_items`` and ``office_items``: lists of :class:`NavItem`; optionally
                         ``office_counts(request) -> dict``: url name → how many things wait for the
                         office there (shown beside the entry in the office's sidebar)
``<module>.dashboard``   ``statistics(request) -> list[Statistic]`` for the portal home
``<module>.checklist``   ``first_content(request) -> bool``: has the office added real content?
``<module>.events``      ``EVENT_TYPES``: dict of event name → description; optionally
                         ``EVENT_EXAMPLES``: event name → an example of its ``data`` (shown with the
                         type in ``/api/v1/webhooks/event-types/``)
``<module>.panels``      ``contact_panels(request, contact) -> list[Panel]``: cards the office sees on
                         a contact's page (rendered HTML, the module's own templates); likewise
                         ``company_panels(request, company)`` for a company's page
``<module>.email_defaults``  ``EMAIL_DEFAULTS``: dict of email kind (``<key>.<name>``) → (subject,
                         body), lazily translated, with ``{{ tokens }}``; sent like the core's own
                         kinds by ``portal_core.emails.send_client_email`` in the client's language;
                         ``EMAIL_NOTIFICATIONS``: topic (``<key>.<name>``) → (label, email kinds), the
                         emails that are notifications (one-click unsubscribe, held for a failing
                         address), not transactional
``<module>.activity``    ``ACTIVITY_KINDS``: the :class:`ActivityKind` s the module writes (its verbs and
                         how each reads, to the office and, translated, to the client)
``<module>.demo``        ``seed(*, contact, owner) -> None``: demo data for the demo office's client
                         ``contact`` (``owner`` is the office's staff user). ``seed_demo`` switches
                         the module on for the demo office and calls it inside that schema on
                         every run, so it must be idempotent.

Every part is optional; :data:`modules.registry.PARTS` is the table of them (part → submodule,
attribute and the kind of value it must be), read once at start-up; a part of the wrong kind stops
the start-up with an error naming the module and the part. The AppConfig may override
:meth:`enabled` and :meth:`disabled`, called inside the tenant's schema when an office switches the
module on or off.

Namespaces: the client's pages are ``<key>:<name>``, the office's ``office:<key>_office:<name>``, the
API's ``<key>_api:<name>``; a :class:`NavItem`'s ``url_name`` is resolved in the matching one.

What the core does for every module, so that a module never checks whether it is on: while an
office has it off, its pages and its API answer 404 on every host (the API after the caller's
credentials are checked: ``{"message": "This module is not enabled."}``), its navigation, panels,
statistics and counts are left out, its events are not emitted (a gate the core puts on
``webhooks``), and receivers of a :class:`portal_core.signals.ModuleSignal` that live in the module
do not run (the core's receivers run first, then the enabled modules' in the registry's order). Its
data stays. The kit a module builds on: the office shell (``portal_core.office.shell``), the
resource API views (``portal_core.api.resources``), module signals (``portal_core.signals``), and
``manage.py startmodule <key>``, which writes a working module to start from.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import AppConfig


@dataclass(frozen=True)
class NavItem:
    """A navigation entry. ``url_name`` is resolved inside the module's namespace."""

    label: str
    url_name: str
    icon: str = ""


@dataclass(frozen=True)
class ActivityKind:
    """What an activity entry's verb means, rendered when it is shown (never stored as a sentence).

    ``office`` is how the office reads it (English, with ``%(name)s`` parameters); ``client`` how the
    client reads it, a lazily translated string rendered in their language, or empty when the entry
    is not for clients. When ``variant`` names a parameter, ``office`` and ``client`` are dicts keyed
    by that parameter's value (``interest`` → ``interested`` / ``not_interested``). A list parameter
    is joined the reader's way (``a, b and c``)."""

    verb: str
    office: str | dict
    client: object = ""
    variant: str = ""


@dataclass(frozen=True)
class Panel:
    """A card on an office page: a title and its body, already rendered (safe) HTML."""

    title: str
    html: str
    key: str = ""


@dataclass(frozen=True)
class Statistic:
    label: str
    value: int | str
    url: str = ""


class ModuleConfig(AppConfig):
    """Base AppConfig for Portico modules; the metadata lives on the class."""

    key: str = ""
    icon: str = "puzzle"
    version: str = "1.0"
    description: str = ""
    # The module takes money from clients (through ``portal_core.payments``): while it is on, the
    # office's set-up checklist asks it to connect Stripe.
    takes_payments: bool = False

    @property
    def url_prefix(self) -> str:
        return self.key.replace("_", "-")

    def enabled(self, tenant) -> None:
        """Called in the tenant's schema after the office switches the module on."""

    def disabled(self, tenant) -> None:
        """Called in the tenant's schema after the office switches the module off. Data stays."""
