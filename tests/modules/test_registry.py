import pytest
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django_tenants.utils import schema_context

from modules.base import NavItem
from modules.registry import Registry, registry


def test_it_registers_the_product_modules_and_the_test_module():
    assert {"real_estate", "invoices", "proposals", "notes"} <= set(registry.keys())
    assert registry.get("real_estate").url_prefix == "real-estate"
    assert registry.get("notes").event_types == {"notes.note_created": "A note was shared with a client."}
    assert registry.get("notes").portal_nav == [NavItem(label="Notes", url_name="list", icon="note")]


def test_it_refuses_a_duplicate_key():
    fresh = Registry()
    fresh.register(apps.get_app_config("sample_notes"))
    with pytest.raises(ImproperlyConfigured, match="Duplicate module key 'notes'"):
        fresh.register(apps.get_app_config("sample_notes"))


def test_it_refuses_a_badly_shaped_key():
    config = apps.get_app_config("sample_notes")
    original = config.key
    try:
        config.key = "Not A Key"
        with pytest.raises(ImproperlyConfigured, match="needs a key"):
            Registry().register(config)
    finally:
        config.key = original


def test_it_refuses_navigation_of_the_wrong_type(monkeypatch):
    import tests.sample_module.navigation as nav

    monkeypatch.setattr(nav, "portal_items", [{"label": "Notes"}])
    with pytest.raises(ImproperlyConfigured, match="portal_items must be a list of NavItem"):
        Registry().register(apps.get_app_config("sample_notes"))


def test_it_refuses_events_outside_the_module_prefix(monkeypatch):
    import tests.sample_module.events as events

    monkeypatch.setattr(events, "EVENT_TYPES", {"contact.created": "not ours"})
    with pytest.raises(ImproperlyConfigured, match="EVENT_TYPES"):
        Registry().register(apps.get_app_config("sample_notes"))


def test_it_names_the_module_and_the_part_of_a_wrong_kind(monkeypatch):
    import tests.sample_module.dashboard as dashboard

    monkeypatch.setattr(dashboard, "statistics", ["not", "callable"])
    with pytest.raises(ImproperlyConfigured) as refused:
        Registry().register(apps.get_app_config("sample_notes"))
    message = str(refused.value)
    assert "Module 'notes', part 'statistics'" in message
    assert "dashboard.statistics must be callable" in message


def test_it_reads_every_part_from_the_one_table():
    from modules.registry import PARTS

    notes = registry.get("notes")
    assert {part.name for part in PARTS} <= set(notes.parts)
    assert notes.demo_seed is None and notes.email_defaults == {}  # absent parts are empty
    assert callable(notes.statistics) and notes.portal_urlpatterns


def test_it_gives_a_part_of_the_chosen_modules_in_one_call():
    chosen = dict(
        (module.key, items) for module, items in registry.parts("portal_nav", keys=["notes", "proposals"])
    )
    assert set(chosen) == {"notes", "proposals"}  # not the modules left out (invoices, real estate)
    assert chosen["notes"] == [NavItem(label="Notes", url_name="list", icon="note")]
    assert [m.key for m, _ in registry.parts("portal_nav", keys=[])] == []
    with pytest.raises(KeyError):
        registry.parts("no_such_part")


def test_it_keeps_module_tables_in_every_tenant_schema(office_a, office_b):
    from tests.sample_module.models import Note

    for office in (office_a, office_b):
        with schema_context(office.schema_name):
            assert Note.objects.count() == 0


def test_the_core_never_imports_a_module():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    for package in ("tenants", "portal_core", "platform", "webhooks"):
        for path in (root / package).rglob("*.py"):
            text = path.read_text()
            for key in ("real_estate", "invoices", "proposals"):
                assert f"from modules.{key}" not in text and f"import modules.{key}" not in text, path
