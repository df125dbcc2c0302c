"""Schemathesis over every real-estate operation, with the module switched on and real rows to name
(``tests/api/test_schemathesis.py`` runs them too, for an office without the module: 404s).

The machinery is the core's: every check, the same example counts and known-bug list; only the
office's rows, the credentials (``me/…`` gets the client's JWT, the rest an API key) and the
module's rules the schema cannot state (``BEYOND_THE_SCHEMA``) differ."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from django.contrib.auth.hashers import make_password
from django.db import connection
from django_tenants.utils import schema_context

from modules.real_estate import services
from modules.real_estate.models import Feedback, PropertyPhoto
from portal_core.access import portal_account_for
from portal_core.api.auth import jwt_pair
from portal_core.models import Contact
from tenants.models import Plan
from tenants.services import api_key_create
from tests.api import test_schemathesis as core

from . import api_support
from .api_support import BASE
from .conftest import future

office_a, wsgi_app = api_support.office_a, core.wsgi_app
RESOURCES = {"photo_id": "photos"}


def pytest_generate_tests(metafunc):
    if "operation_label" in metafunc.fixturenames:
        metafunc.parametrize(
            "operation_label", [op for op in core.served_operations() if op.split(" ", 1)[1].startswith(BASE)]
        )


STATE = "refused by the state of the row (a rule of the product's, documented as a 400)"
PAIR = "both coordinates or neither: a rule between two optional fields"
ROOMS = "at most rooms: a rule between two fields"
# What the module's schema-valid requests may be refused for (see ``core.BEYOND_THE_SCHEMA``).
BEYOND_THE_SCHEMA = {
    f"POST {BASE}deals/": {"contact": core.RELATED},
    f"POST {BASE}deals/{{id}}/offers/": {"property": core.RELATED, "non_field_errors": STATE},
    **{
        f"{method} {BASE}{path}": {"latitude": PAIR, "longitude": PAIR, "bedrooms": ROOMS}
        for method, path in (
            ("POST", "properties/"),
            ("PUT", "properties/{id}/"),
            ("PATCH", "properties/{id}/"),
        )
    },
    f"DELETE {BASE}properties/{{id}}/": {
        "non_field_errors": "an offered property stays: it is a client's history"
    },
    f"GET {BASE}properties/": {"max_price": "at least min_price: a rule between two parameters"},
    f"GET {BASE}viewings/": {"to": "after from: a rule between two parameters"},
    f"POST {BASE}properties/{{id}}/photos/": {
        "image": "a photo, recognised by its content: the schema can say only that it is a file"
    },
    f"POST {BASE}properties/{{id}}/photos/reorder": {"photo_ids": "every photo of this property, once each"},
    f"POST {BASE}offers/{{id}}/approve": {"non_field_errors": STATE},
    f"POST {BASE}messages/{{id}}/reply": {"non_field_errors": STATE},
    f"POST {BASE}viewings/{{id}}/confirm": {
        "start": "one of the times the client asked for",
        "non_field_errors": STATE,
    },
    **{
        f"POST {BASE}viewings/{{id}}/{action}": {
            "non_field_errors": STATE + "; a time must be in the future, within a year",
        }
        for action in ("propose", "reschedule", "cancel", "mark-visited")
    },
}


@dataclass
class ModuleTarget(core.Target):
    beyond_the_schema: dict[str, dict[str, str]] = field(
        default_factory=lambda: {**core.BEYOND_THE_SCHEMA, **BEYOND_THE_SCHEMA}
    )

    def covers(self, operation) -> bool:
        return True

    def credentials(self, path: str) -> dict[str, str]:
        token = self.client_jwt if path.startswith(f"{BASE}me/") else self.api_key
        return {"Authorization": f"Bearer {token}"}

    def real_path_parameters(self, path: str, names: list[str]) -> dict[str, str] | None:
        """``{id}`` names a row of the path's resource (``me/offers`` → the client's offer),
        ``{photo_id}`` a photo of that property."""
        resource = path.removeprefix(BASE).removeprefix("me/").split("/")[0]
        keys = [RESOURCES.get(name, resource) for name in names]
        if not all(key in self.ids for key in keys):
            return None
        return {name: str(self.ids[key]) for name, key in zip(names, keys, strict=True)}


@pytest.fixture
def target(office_a, wsgi_app) -> ModuleTarget:
    plan = Plan.objects.create(name="Schemathesis", code="schemathesis", api_requests_per_minute=10_000_000)
    office_a.tenant.plan = plan
    office_a.tenant.save(update_fields=["plan"])
    with schema_context(office_a.schema_name):
        contact = Contact.objects.create(first_name="Ada", email="ada@example.com")
        account = portal_account_for(contact=contact)
        account.password = make_password("Client-pass-2026!")
        account.save()
        deal = services.deal_create(contact=contact, title="Search")
        house = services.property_create(title="House", city="Haarlem", price=100000)
        photo = PropertyPhoto.objects.create(property=house, image="real-estate/p/1.jpg", width=8, height=6)
        offer = services.property_offer(deal=deal, property=house)
        viewing = services.viewing_request(offer=offer, account=account, slots=[future(2)])
        feedback = Feedback.objects.create(offered=offer, account=account, rating=4, notes="Nice")
        message = services.agent_contact(account=account, body="Parking?", offer=offer)
    connection.set_schema_to_public()
    base_url = f"http://{office_a.host}"
    return ModuleTarget(
        app=wsgi_app,
        base_url=base_url,
        schema=core.load_schema(wsgi_app, base_url),
        api_key=api_key_create(tenant=office_a.tenant, name="Schemathesis").secret,
        client_jwt=jwt_pair(tenant=office_a.tenant, kind="client", subject_id=account.pk)["access"],
        ids={
            "properties": house.pk,
            "photos": photo.pk,
            "deals": deal.pk,
            "offers": offer.pk,
            "viewings": viewing.pk,
            "feedback": feedback.pk,
            "messages": message.pk,
        },
    )


def test_real_estate_operation_conforms_to_the_schema(operation_label, target):
    core.test_operation_conforms_to_the_schema(operation_label, target)


def test_a_stateful_run_over_the_module_finds_nothing(target):
    core.test_a_stateful_run_reads_no_deleted_row_and_finds_every_created_one(target)
