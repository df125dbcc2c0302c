"""The module's parts the core finds by name: events, emails, dashboard, checklist, demo data."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from modules.real_estate import checklist, dashboard, demo
from modules.real_estate.models import ClientGroup, Deal, OfferedProperty, Property, PropertyPhoto, Viewing
from modules.real_estate.selectors import viewings_for_client
from modules.real_estate.services import interest_set, offered_property_seen, viewing_confirm, viewing_request
from modules.registry import Registry, registry
from portal_core.access import portal_account_for
from portal_core.emails import send_client_email
from portal_core.services import module_disable
from webhooks.catalogue import event_type_names
from webhooks.models import WebhookEvent

from .conftest import future

ISSUE_EVENTS = {
    "real_estate.property_offered",
    "real_estate.interest_changed",
    "real_estate.viewing_requested",
    "real_estate.viewing_confirmed",
    "real_estate.viewing_cancelled",
    "real_estate.feedback_submitted",
    "real_estate.agent_contacted",
    "real_estate.property_approved",
}


def test_it_registers_its_events_emails_and_demo():
    module = registry.get("real_estate")
    assert ISSUE_EVENTS <= set(module.event_types) <= ISSUE_EVENTS | {"real_estate.viewing_proposed"}
    assert ISSUE_EVENTS <= event_type_names()
    assert "real_estate.viewing_confirmed" in registry.email_defaults()
    assert module.demo_seed is demo.seed


def test_the_registry_refuses_email_kinds_outside_the_module_prefix(monkeypatch):
    from modules.real_estate import email_defaults

    monkeypatch.setattr(email_defaults, "EMAIL_DEFAULTS", {"invitation": ("Hi", "there")})
    with pytest.raises(ImproperlyConfigured, match="EMAIL_DEFAULTS"):
        Registry().register(apps.get_app_config("real_estate"))


def test_a_module_email_is_sent_through_the_core_in_the_clients_language(office):
    mail.outbox.clear()
    send_client_email(
        "real_estate.viewing_confirmed",
        to="kim@example.com",
        language="xx",
        values={
            "contact.first_name": "Kim",
            "property.title": "Villa",
            "property.address": "Dune road 1",
            "viewing.time": "Monday",
            "portal_link": "https://alpha.example/real-estate/",
        },
    )
    [email] = mail.outbox
    assert email.subject == "Your viewing of Villa is confirmed"
    assert "Hello Kim" in email.body and "confirmed for Monday" in email.body


def test_it_emits_nothing_while_switched_off(events, account, offer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        module_disable(key="real_estate")
    interest_set(offer=offer, account=account, interest="interested")
    assert events("real_estate.interest_changed") == []
    assert WebhookEvent.objects.filter(type__startswith="real_estate.").count() == 1  # the offer, before


def test_the_dashboard_counts_only_the_signed_in_clients_own(office, account, offer, deal):
    from modules.real_estate.services import deal_create, property_offer

    from .conftest import make_client, make_property

    other = make_client("Olga", "olga@example.com")
    property_offer(deal=deal_create(contact=other.contact, title="Olga's"), property=make_property("Other"))
    second = property_offer(deal=deal, property=make_property("Second"))
    offered_property_seen(offer=second, account=account)
    slot = future(1)
    viewing_confirm(viewing=viewing_request(offer=second, account=account, slots=[slot]), start=slot)
    viewing_request(
        offer=property_offer(deal=deal, property=make_property("Third")), account=account, slots=[slot]
    )
    stats = dashboard.statistics(SimpleNamespace(client=account))
    assert [(s.label, s.value) for s in stats] == [
        ("New properties", 1),
        ("To rate", 3),
        ("Upcoming viewings", 1),
    ]
    assert dashboard.statistics(SimpleNamespace(client=None)) == []


def test_the_checklist_needs_a_property_offered_through_a_deal(office, deal, house):
    assert not checklist.first_content(None)
    from modules.real_estate.services import property_offer

    property_offer(deal=deal, property=house)
    assert checklist.first_content(None)


def _tabs(account) -> dict[str, int]:
    return {
        tab: viewings_for_client(account=account, tab=tab).count()
        for tab in ("upcoming", "recent", "unconfirmed")
    }


def test_the_demo_fills_every_group_and_tab_and_can_run_again(office, account):
    contact = account.contact
    demo.seed(contact=contact)
    assert Property.objects.count() == 8 and PropertyPhoto.objects.count() == 24
    assert Deal.objects.filter(contact=contact).count() == 1
    offers = OfferedProperty.objects.for_contact(contact)
    assert offers.count() == 6 and offers.new().count() == 1
    counts = offers.group_counts()
    assert counts[ClientGroup.REJECTED] == counts[ClientGroup.APPROVED] == 1
    assert counts[ClientGroup.INTERESTED] == 2 and counts[ClientGroup.TO_RATE] == 2
    assert _tabs(account) == {"upcoming": 1, "recent": 1, "unconfirmed": 1}
    photo = PropertyPhoto.objects.first()
    assert photo.width == 1200 and photo.height == 800

    demo.seed(contact=contact)  # idempotent
    assert Property.objects.count() == 8 and PropertyPhoto.objects.count() == 24 and offers.count() == 6
    assert _tabs(account) == {"upcoming": 1, "recent": 1, "unconfirmed": 1}

    # A week later the upcoming viewing has passed: the next run plans a new one.
    Viewing.objects.filter(status="confirmed").update(start=timezone.now() - timedelta(hours=1))
    demo.seed(contact=contact)
    assert _tabs(account)["upcoming"] == 1 and _tabs(account)["unconfirmed"] == 1
    assert portal_account_for(contact=contact) == account


def test_the_demo_draws_each_kind_of_property():
    from io import BytesIO

    from PIL import Image

    for kind in ("house", "apartment", "villa", "land", "commercial"):
        image = Image.open(BytesIO(demo.illustration(kind, 7)))
        assert image.format == "JPEG" and image.size == (1200, 800)
    assert demo.illustration("house", 1) != demo.illustration("house", 2)
