"""Each client-portal and contact event, emitted by the service where it happens."""

from __future__ import annotations

import pytest
from standardwebhooks import Webhook

from portal_core import access
from portal_core.contacts import contact_create
from webhooks.services import endpoint_create

CLIENT_PASSWORD = "Client-pass-2026!"


def _endpoint(receiver):
    return endpoint_create(url=receiver.url)


def _last(receiver, endpoint, event_type: str) -> dict:
    [request] = [r for r in receiver.requests if r.json["type"] == event_type]
    return Webhook(endpoint.secret).verify(request.body, request.headers)["data"]


def test_it_emits_contact_created_from_contact_create(in_office_a, receiver):
    endpoint = _endpoint(receiver)
    contact = contact_create(first_name="Kim", last_name="Lee", email="Kim@Example.com", actor="owner@alpha")
    data = _last(receiver, endpoint, "contact.created")
    assert data["contact"]["id"] == contact.pk
    assert data["contact"]["name"] == "Kim Lee" and data["contact"]["email"] == "kim@example.com"
    assert data["created_by"] == "owner@alpha"


def test_it_emits_the_account_lifecycle(in_office_a, receiver):
    endpoint = _endpoint(receiver)
    contact = contact_create(first_name="Kim", email="kim@example.com")
    account = access.portal_account_for(contact=contact)
    assert access.portal_account_for(contact=contact) == account  # the second call creates nothing
    created = _last(receiver, endpoint, "portal_account.created")
    assert created["account"]["id"] == account.pk and created["account"]["status"] == "not_invited"
    assert created["account"]["contact"]["id"] == contact.pk

    invitation = access.portal_account_invite(account=account, custom_message="Welcome!", actor="owner@alpha")
    invited = _last(receiver, endpoint, "client_portal.invitation_sent")
    assert invited["account"]["status"] == "invited" and invited["custom_message"] == "Welcome!"
    assert invitation.raw not in receiver.requests[-1].body.decode()

    access.client_signed_in(account=account, via="password")
    access.client_signed_in(account=account, via="password")
    joined = _last(receiver, endpoint, "portal_account.joined")  # once: only the first sign-in joins
    assert joined["account"]["status"] == "joined" and joined["via"] == "password"

    access.portal_account_disable(account=account, actor="owner@alpha")
    disabled = _last(receiver, endpoint, "portal_account.disabled")
    assert disabled["account"]["status"] == "disabled" and disabled["disabled_by"] == "owner@alpha"


def test_it_emits_token_created_and_accessed_without_the_token(in_office_a, receiver):
    endpoint = _endpoint(receiver)
    account = access.portal_account_for(contact=contact_create(first_name="Kim", email="kim@example.com"))
    issued = access.access_token_get_or_create(account=account, created_by="owner@alpha")
    again = access.access_token_get_or_create(account=account)
    assert not again.created
    created = _last(receiver, endpoint, "client_portal.token_created")
    assert created["token"]["id"] == issued.token.pk
    assert created["token"]["expires_at"].startswith(issued.token.expires_at.isoformat()[:19])
    assert created["account"]["id"] == account.pk

    access.access_token_consume(raw=issued.raw)
    accessed = _last(receiver, endpoint, "client_portal.token_accessed")
    assert accessed["token"]["id"] == issued.token.pk and accessed["account"]["id"] == account.pk
    for request in receiver.requests:
        body = request.body.decode()
        assert issued.raw not in body and issued.token.token_hash not in body


def test_it_emits_contact_created_for_a_self_registered_lead(in_office_a, receiver, monkeypatch):
    endpoint = _endpoint(receiver)
    monkeypatch.setattr(access, "new_code", lambda: "123456")
    request = access.registration_start(
        email="new@example.com", first_name="Noor", last_name="Lead", password=CLIENT_PASSWORD, language="en"
    )
    account = access.registration_verify(request_id=request.pk, code="123456")
    lead = _last(receiver, endpoint, "contact.created")
    assert lead["contact"]["id"] == account.contact_id and lead["contact"]["source"] == "self_registration"
    assert lead["contact"]["email"] == "new@example.com"
    assert _last(receiver, endpoint, "portal_account.created")["account"]["id"] == account.pk


def test_it_emits_nothing_for_a_refused_access_link(in_office_a, receiver):
    _endpoint(receiver)
    with pytest.raises(access.AccessError):
        access.access_token_consume(raw="not-a-token")
    assert receiver.requests == []


def test_it_emits_contact_created_for_each_imported_contact_and_none_for_refused_rows(in_office_a, receiver):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from portal_core.contacts import contacts_import_csv

    endpoint = _endpoint(receiver)
    csv = b"first_name,email,company\nAnna,anna@example.com,Acme\nBad,not-an-email,\nBen,ben@example.com,\n"
    report = contacts_import_csv(file=SimpleUploadedFile("c.csv", csv), actor="owner@alpha")
    assert report.created == 2
    payloads = [
        Webhook(endpoint.secret).verify(r.body, r.headers)["data"]
        for r in receiver.requests
        if r.json["type"] == "contact.created"
    ]
    assert sorted(p["contact"]["first_name"] for p in payloads) == ["Anna", "Ben"]
    assert {p["created_by"] for p in payloads} == {"owner@alpha"}
    assert all(isinstance(p["contact"]["id"], int) for p in payloads)
    anna = next(p["contact"] for p in payloads if p["contact"]["first_name"] == "Anna")
    assert anna["company_id"] is not None
