"""The resource kit's reading of requests and its schema, on the core's own resources: query
parameters and bodies read as the schema writes them (400 naming what is wrong, 415 for a body that
is not JSON), signed cursors, and enum names code generators can use."""

from __future__ import annotations

import re
from base64 import b64encode

import pytest
from django.conf import settings

from portal_core.access import portal_account_for
from portal_core.models import Contact

from .conftest import api
from .mixins import assert_field_errors, in_schema, modules_switched

CONTACTS, ACCOUNTS = "/api/v1/contacts/", "/api/v1/portal-accounts/"


@pytest.mark.parametrize(
    ("url", "query", "named"),
    [
        (ACCOUNTS, "status=", "status"),  # an empty value is not a missing one
        (CONTACTS, "q=", "q"),
        (CONTACTS, "updated_since=yesterday", "updated_since"),
        (CONTACTS, "source=robot", "source"),
        (CONTACTS, "company=1.0", "company"),
        (CONTACTS, "company=%201", "company"),
        (CONTACTS, "language=nl&language=de", "language"),  # one value, once
        (CONTACTS, "page_size=0", "page_size"),
        (CONTACTS, "page_size=201", "page_size"),
        (CONTACTS, "page_size=ten", "page_size"),
        (CONTACTS, "cursor=", "cursor"),
        (CONTACTS, "cursor=not-a-cursor", "cursor"),
        ("/api/v1/real-estate/messages/", "unread=yes", "unread"),  # true or false, as written
        ("/api/v1/real-estate/properties/", "min_price=1e3", "min_price"),
    ],
)
def test_it_refuses_a_malformed_query_parameter_by_name(
    office_a, api_key_a, django_capture_on_commit_callbacks, url, query, named
):
    if url.startswith("/api/v1/real-estate/"):
        modules_switched(office_a, django_capture_on_commit_callbacks, ["real_estate"], on=True)
    response = api(office_a.host, api_key_a).get(f"{url}?{query}")
    assert_field_errors(response, named)


def test_it_reports_every_bad_parameter_at_once_and_ignores_unknown_ones(office_a, api_key_a):
    client = api(office_a.host, api_key_a)
    response = client.get(CONTACTS, {"source": "robot", "page_size": "0", "cursor": "x"})
    assert_field_errors(response, "source", "page_size", "cursor")
    assert client.get(CONTACTS, {"colour": "blue"}).status_code == 200


def test_it_refuses_a_forged_cursor(office_a, api_key_a):
    with in_schema(office_a):
        for n in range(3):
            Contact.objects.create(first_name=f"C{n}")
    client = api(office_a.host, api_key_a)
    following = client.get(CONTACTS, {"page_size": 1}).json()["next"]
    assert client.get(following).status_code == 200
    cursor = re.search(r"cursor=([^&]+)", following).group(1)
    forged = b64encode(b"o=0&p=not-a-date").decode()  # well-formed, as DRF's own cursors are, but not signed
    for bad in (forged, cursor[:-2], cursor.replace("%3A", "%3Ax")):
        assert_field_errors(client.get(CONTACTS, {"cursor": bad}), "cursor")


def test_it_takes_json_bodies_only(office_a, api_key_a):
    client = api(office_a.host, api_key_a)
    for content_type, body in (
        ("application/x-www-form-urlencoded", "first_name=Ada"),
        ("text/plain", "Ada"),
    ):
        response = client.post(CONTACTS, body, content_type=content_type)
        assert response.status_code == 415, (content_type, response.content)
        assert set(response.json()) == {"message"}
    form = client.post(CONTACTS, {"first_name": "Ada"})  # the test client's default: multipart
    assert form.status_code == 415 and set(form.json()) == {"message"}
    broken = client.post(CONTACTS, "{", content_type="application/json")
    assert broken.status_code == 400 and set(broken.json()) == {"message"}


def test_it_refuses_json_values_of_another_type_by_name(office_a, api_key_a):
    with in_schema(office_a):
        company = Contact.objects.create(first_name="Ada").pk
    response = api(office_a.host, api_key_a).post(
        CONTACTS,
        {"first_name": 5, "company": str(company), "email": "ada@example.com", "language": ["nl"]},
        content_type="application/json",
    )
    assert_field_errors(response, "first_name", "company", "language")
    assert "email" not in response.json()["errors"]


def test_it_names_a_missing_related_row(office_a, api_key_a):
    client = api(office_a.host, api_key_a)
    response = client.post(ACCOUNTS, {"contact": 999_999}, content_type="application/json")
    assert_field_errors(response, "contact")
    with in_schema(office_a):
        account = portal_account_for(contact=Contact.objects.create(first_name="Ada"))
    response = client.post(ACCOUNTS, {"contact": account.contact_id}, content_type="application/json")
    assert (response.status_code, response.json()["id"]) == (200, account.pk)


def test_the_schema_names_every_enum_for_code_generators(office_a):
    schema = api(office_a.host).get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    components = schema["components"]["schemas"]
    enums = {name: c for name, c in components.items() if "enum" in c}
    assert not [name for name in enums if re.search(r"[0-9a-f]{3}Enum$", name)], "an enum named by a hash"
    label = enums["RealEstatePropertyEnergyLabelEnum"]
    assert label["x-enum-varnames"][:4] == ["A_PLUS_PLUS_PLUS", "A_PLUS_PLUS", "A_PLUS", "A"]
    for name, component in enums.items():
        if component["enum"] == [None]:
            continue  # NullEnum: null, which generators read as an optional value, not a member
        names = component.get("x-enum-varnames")
        assert names and len(set(names)) == len(component["enum"]), name
        assert all(re.fullmatch(r"[A-Z][A-Z0-9_]*", n) for n in names), name
    # A list filter shares the type of the field it filters.
    status = next(p for p in schema["paths"][ACCOUNTS]["get"]["parameters"] if p["name"] == "status")
    assert status["schema"] == {"$ref": "#/components/schemas/PortalAccountStatusEnum"}
    assert "ENUM_NAME_OVERRIDES" not in settings.SPECTACULAR_SETTINGS


def test_the_schema_documents_json_bodies_the_module_gate_and_pages(office_a):
    schema = api(office_a.host).get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            content = operation.get("requestBody", {}).get("content", {})
            if path.endswith("/photos/") and method == "post":
                assert set(content) == {"multipart/form-data"}
            elif content:
                assert set(content) == {"application/json"}, (path, method)
    listed = schema["paths"]["/api/v1/real-estate/deals/"]["get"]
    examples = listed["responses"]["404"]["content"]["application/json"]["examples"]
    assert examples["ModuleOff"]["value"] == {"message": "This module is not enabled."}
    page_size = next(p for p in listed["parameters"] if p["name"] == "page_size")
    assert (page_size["schema"]["minimum"], page_size["schema"]["maximum"]) == (1, 200)
    reorder = schema["paths"]["/api/v1/real-estate/properties/{id}/photos/reorder"]["post"]
    answer = reorder["responses"]["200"]["content"]["application/json"]["schema"]
    assert answer == {"type": "array", "items": {"$ref": "#/components/schemas/RealEstatePropertyPhoto"}}
