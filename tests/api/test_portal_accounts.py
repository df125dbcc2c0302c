"""Portal accounts through the API: get-or-create, and one URL per action (disable, enable, invite).
Listing, reading and the isolation suite are in ``test_resources``."""

import pytest
from django.core import mail

from portal_core.access import access_token_get_or_create, portal_account_for
from portal_core.models import Company, Contact, PortalAccount, PortalToken

from ..conftest import PLATFORM_HOST
from .conftest import api
from .mixins import assert_field_errors, in_schema

URL = "/api/v1/portal-accounts/"


def _account(office, *, email="ada@example.com", **contact):
    with in_schema(office):
        return portal_account_for(contact=Contact.objects.create(first_name="Ada", email=email, **contact))


def _post(client, path, body=None):
    return client.post(path, body or {}, content_type="application/json")


def test_it_gets_or_creates_the_account_of_a_contact_or_company(office_a, api_key_a):
    with in_schema(office_a):
        contact = Contact.objects.create(first_name="Ada", email="ada@example.com")
        company = Company.objects.create(name="Acme", email="desk@acme.example")
    client = api(office_a.host, api_key_a)
    created = _post(client, URL, {"contact": contact.pk})
    again = _post(client, URL, {"contact": contact.pk})
    assert (created.status_code, again.status_code) == (201, 200)
    assert created.json() == again.json() and created.json()["contact"] == contact.pk
    for_company = _post(client, URL, {"company": company.pk})
    assert for_company.status_code == 201
    assert for_company.json()["company"] == company.pk and for_company.json()["name"] == "Acme"
    with in_schema(office_a):
        assert PortalAccount.objects.count() == 2


@pytest.mark.parametrize(
    ("holders", "field"),
    [((), "non_field_errors"), (("contact", "company"), "non_field_errors"), (("company=x",), "company")],
)
def test_it_wants_exactly_one_holder(office_a, api_key_a, holders, field):
    with in_schema(office_a):
        ids = {
            "contact": Contact.objects.create(first_name="Ada").pk,
            "company": Company.objects.create(name="A").pk,
        }
    body = {h.split("=")[0]: h.split("=")[1] if "=" in h else ids[h] for h in holders}
    assert_field_errors(_post(api(office_a.host, api_key_a), URL, body), field)


def test_it_cannot_open_an_account_for_another_tenants_contact(office_a, office_b, api_key_b):
    with in_schema(office_b):
        b_ids = set(Contact.objects.values_list("pk", flat=True))
    with in_schema(office_a):
        contact = Contact.objects.create(first_name="Ada")
    assert contact.pk not in b_ids
    response = _post(api(PLATFORM_HOST, api_key_b), URL, {"contact": contact.pk})
    assert_field_errors(response, "contact")
    for office in (office_a, office_b):
        with in_schema(office):
            assert not PortalAccount.objects.exists()


def test_it_disables_and_enables_an_account(office_a, api_key_a):
    account = _account(office_a)
    with in_schema(office_a):
        access_token_get_or_create(account=account)
    client = api(office_a.host, api_key_a)
    disabled = _post(client, f"{URL}{account.pk}/disable")
    assert disabled.status_code == 200 and disabled.json()["status"] == "disabled"
    assert disabled.json()["disabled_at"]
    assert _post(client, f"{URL}{account.pk}/disable").json() == disabled.json()
    with in_schema(office_a):
        assert not PortalToken.objects.filter(account=account, revoked_at=None).exists()
        assert account.activity.filter(verb="disabled").count() == 1
    enabled = _post(client, f"{URL}{account.pk}/enable")
    assert enabled.status_code == 200
    assert enabled.json()["status"] == "not_invited" and enabled.json()["disabled_at"] is None
    assert _post(client, f"{URL}{account.pk}/enable").json() == enabled.json()
    with in_schema(office_a):
        assert account.activity.filter(verb="enabled").count() == 1


def test_it_invites_with_a_link_or_a_temporary_password(office_a, api_key_a):
    account = _account(office_a, language="nl")
    client = api(office_a.host, api_key_a)
    response = _post(client, f"{URL}{account.pk}/invite", {"custom_message": "Welkom!"})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "invited" and response.json()["invited_at"]
    assert mail.outbox[-1].to == ["ada@example.com"] and "Welkom!" in mail.outbox[-1].body
    again = _post(client, f"{URL}{account.pk}/invite", {"temporary_password": True})
    assert again.status_code == 200
    assert again.json()["must_change_password"] is True and again.json()["has_password"] is True
    assert len(mail.outbox) == 2
    with in_schema(office_a):
        entry = account.activity.filter(verb="invitation_sent").latest("id")
        assert entry.actor == "api" and entry.actor_label.startswith("pk_")


def test_it_refuses_to_invite_without_email_or_when_disabled(office_a, api_key_a):
    no_email = _account(office_a, email="")
    client = api(office_a.host, api_key_a)
    response = _post(client, f"{URL}{no_email.pk}/invite")
    assert_field_errors(response, "non_field_errors")
    assert response.json()["message"] == "Contact does not have an email address"
    disabled = _account(office_a, email="bea@example.com")
    _post(client, f"{URL}{disabled.pk}/disable")
    refused = _post(client, f"{URL}{disabled.pk}/invite")
    assert refused.status_code == 400 and "disabled" in refused.json()["message"]
    assert_field_errors(
        _post(client, f"{URL}{disabled.pk}/invite", {"temporary_password": "perhaps"}), "temporary_password"
    )
    assert not mail.outbox


def test_it_reports_a_failed_send_as_500(office_a, api_key_a, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    account = _account(office_a)
    response = _post(api(office_a.host, api_key_a), f"{URL}{account.pk}/invite")
    assert response.status_code == 500
    assert response.json()["message"].startswith("Failed to send portal invitation: ")


def test_it_answers_404_for_actions_on_missing_accounts(office_a, api_key_a):
    client = api(office_a.host, api_key_a)
    for action in ("disable", "enable", "invite"):
        response = _post(client, f"{URL}2000000000/{action}")
        assert response.status_code == 404 and response.json() == {"message": "Portal account not found."}
