"""``/api/v1/me/``: a client's own profile through their JWT, and nobody else's way in."""

from portal_core.models import ActivityEntry, Company, Contact, PortalAccount

from ..conftest import PLATFORM_HOST
from .conftest import api
from .mixins import assert_field_errors, client_jwt, in_schema, staff_jwt

URL = "/api/v1/me/"
PROFILE = {"id", "type", "name", "first_name", "last_name", "email", "phone", "language", "status"}


def _patch(client, body):
    return client.patch(URL, body, content_type="application/json")


def test_it_shows_the_clients_own_profile(office_a):
    token = client_jwt(office_a, email="kim@example.com")
    response = api(office_a.host, token).get(URL)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == PROFILE
    assert (body["type"], body["name"], body["email"], body["status"]) == (
        "contact",
        "Kim",
        "kim@example.com",
        "not_invited",
    )
    assert response["RateLimit-Policy"] == '"default";q=60;w=60'


def test_it_answers_on_the_platform_host_too(office_a):
    token = client_jwt(office_a)
    assert api(PLATFORM_HOST, token).get(URL).json()["email"] == "kim@example.com"


def test_it_changes_only_what_is_sent(office_a):
    client = api(office_a.host, client_jwt(office_a))
    response = _patch(client, {"last_name": "Jones", "phone": "+31 6 1"})
    assert response.status_code == 200, response.content
    assert (response.json()["first_name"], response.json()["last_name"]) == ("Kim", "Jones")
    language = _patch(client, {"language": "de"})
    assert language.json()["language"] == "de" and language.json()["phone"] == "+31 6 1"
    with in_schema(office_a):
        contact = Contact.objects.get(email="kim@example.com")
        assert (contact.last_name, contact.phone, contact.language) == ("Jones", "+31 6 1", "de")
        entry = ActivityEntry.objects.get(contact=contact, verb="profile_updated")
        assert entry.actor == "client"


def test_it_reports_field_errors(office_a):
    client = api(office_a.host, client_jwt(office_a))
    response = _patch(client, {"first_name": "", "language": "xx", "phone": "1" * 41})
    assert_field_errors(response, "first_name", "language", "phone")
    assert client.get(URL).json()["first_name"] == "Kim"


def test_it_lets_a_company_account_change_only_its_language(office_a):
    client = api(office_a.host, client_jwt(office_a, email="desk@kim.example", company=True))
    assert client.get(URL).json()["type"] == "company"
    assert_field_errors(_patch(client, {"first_name": "Kim", "phone": "1"}), "first_name", "phone")
    assert _patch(client, {"language": "fr"}).json()["language"] == "fr"
    with in_schema(office_a):
        assert Company.objects.get().language == "fr"


def test_it_refuses_keys_staff_tokens_and_other_tenants(office_a, office_b, api_key_a):
    for token in (api_key_a, staff_jwt(office_a)):
        for method in ("get", "patch"):
            response = getattr(api(office_a.host, token), method)(URL, content_type="application/json")
            assert response.status_code == 403, (token[:3], method)
            assert set(response.json()) == {"message"}
    b_client = client_jwt(office_b)
    for method in ("get", "patch"):
        response = getattr(api(office_a.host, b_client), method)(URL, content_type="application/json")
        assert response.status_code == 401
        assert response.json() == {"message": "This token belongs to another portal."}
    assert api(office_a.host).get(URL).status_code == 401


def test_it_refuses_a_disabled_account(office_a):
    token = client_jwt(office_a)
    with in_schema(office_a):
        PortalAccount.objects.update(status=PortalAccount.Status.DISABLED)
    assert api(office_a.host, token).get(URL).status_code == 401
