"""``/api/v1/proposals/``: the generic suites of ``tests/api/mixins`` (lists, cursor pages,
filters, the whole isolation suite: another office's key and JWT, read-only keys, client tokens,
the module switched off) on the proposals, their versions and audit trail and send; then the
signed PDF, whose bytes hash to the stored hash, refused to every outsider."""

from __future__ import annotations

import hashlib

import pytest
from django.db import connection

from modules.proposals import services
from modules.proposals.models import Proposal
from portal_core.models import Contact
from tests.api import conftest as api_conftest
from tests.api.conftest import api
from tests.api.mixins import IsolationTests, ListTests, RetrieveTests, client_jwt, in_schema, staff_jwt

from .helpers import draft_for, sent_for, sign, switched

BASE = "/api/v1/proposals/"
api_key_a, api_key_b = api_conftest.api_key_a, api_conftest.api_key_b


@pytest.fixture
def office_a(office_a, django_capture_on_commit_callbacks):
    switched(office_a, django_capture_on_commit_callbacks)
    return office_a


@pytest.fixture
def office_b(office_b, django_capture_on_commit_callbacks):
    switched(office_b, django_capture_on_commit_callbacks)
    return office_b


def _contact(label: str) -> Contact:
    slug = label.lower().replace(" ", "-").replace("'", "")
    return Contact.objects.create(first_name=label.title(), email=f"{slug}@example.com")


class TestProposals(ListTests, RetrieveTests, IsolationTests):
    url = BASE
    model = Proposal
    list_methods = ("get",)
    detail_methods = ("get",)
    actions = ("send",)
    bad_filter = {"status": "maybe", "contact": "x"}

    def endpoints(self, pk):
        return [*super().endpoints(pk), ("get", f"{BASE}{pk}/versions/"), ("get", f"{BASE}{pk}/events/")]

    def make(self, label):
        proposal = draft_for(_contact(label))
        services.proposal_send(proposal=proposal)
        return proposal

    def make_many(self, created):
        contact = _contact("bulk")
        rows = Proposal.objects.bulk_create(
            Proposal(contact=contact, title="Bulk", created=at) for at in created
        )
        return [row.pk for row in rows]

    def filter_cases(self):
        ada, bob = _contact("ada"), _contact("bob")
        mine = draft_for(ada)
        sent = draft_for(bob)
        services.proposal_send(proposal=sent)
        return [
            ({"contact": ada.pk}, {mine.pk}),
            ({"status": "sent", "contact": bob.pk}, {sent.pk}),
            ({"status": "draft", "contact": bob.pk}, set()),
        ]


def test_versions_events_send_and_the_signed_pdf(office_a, office_b, api_key_a, api_key_b):
    client, account = office_a.portal_client()
    proposal = sent_for(office_a, account)
    api_a = api(office_a.host, api_key_a)
    body = api_a.get(f"{BASE}{proposal.pk}/").json()
    assert (body["status"], body["version"], body["total"], body["signature"]) == ("sent", 1, "1331.00", None)
    assert api_a.get(f"{BASE}{proposal.pk}/pdf").status_code == 404  # not signed yet
    again = api_a.post(f"{BASE}{proposal.pk}/send")
    assert again.status_code == 400 and "has this version already" in again.json()["message"]
    [version] = api_a.get(f"{BASE}{proposal.pk}/versions/").json()
    assert version["number"] == 1 and version["content"]["title"] == "Website redesign"
    assert sign(client, proposal).status_code == 302
    body = api_a.get(f"{BASE}{proposal.pk}/").json()
    assert body["status"] == "accepted" and body["signature"]["total"] == "1754.50"
    kinds = [e["kind"] for e in api_a.get(f"{BASE}{proposal.pk}/events/").json()]
    assert kinds == ["created", "sent", "signed"]
    pdf = api_a.get(f"{BASE}{proposal.pk}/pdf", HTTP_ACCEPT="application/pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert hashlib.sha256(pdf.content).hexdigest() == body["signature"]["sealed_sha256"]
    for token in (api_key_b, staff_jwt(office_b)):
        assert api(office_a.host, token).get(f"{BASE}{proposal.pk}/pdf").status_code == 401
    assert api(office_a.host, client_jwt(office_a)).get(f"{BASE}{proposal.pk}/pdf").status_code == 403
    with in_schema(office_b):
        assert not Proposal.objects.exists()
    connection.set_schema_to_public()
