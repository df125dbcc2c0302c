"""A proposal from draft to signature: the office sends it, the client chooses (a choice group, an
optional item, a quantity), reviews the exact PDF and signs it; the evidence is written once, the
signed PDF is sealed and verifies on the platform host, and a changed byte does not. Out-of-date
versions, a second signature, an expired or declined proposal are refused."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.utils import timezone

from modules.proposals import services
from modules.proposals.models import Proposal, ProposalEvent, ProposalSignature, ProposalVersion
from portal_core.models import Contact, PortalAccount
from tests.conftest import PLATFORM_HOST
from tests.webhooks.conftest import receiver  # noqa: F401 (fixture)
from webhooks.models import WebhookEvent
from webhooks.services import endpoint_create

from .helpers import (
    D,
    choose_premium_and_training,
    draft_for,
    drawing,
    in_office,
    items,
    proposal_now,
    review,
    sent_for,
    sign,
    sign_form,
    switched,
)


@pytest.fixture
def office_a(office_a, django_capture_on_commit_callbacks, receiver):  # noqa: F811 (the fixture)
    switched(office_a, django_capture_on_commit_callbacks)
    with in_office(office_a):
        endpoint_create(url=receiver.url)  # so that the events are written
    connection.set_schema_to_public()
    return office_a


def verify(content: bytes, name: str = "signed.pdf"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return Client(HTTP_HOST=PLATFORM_HOST).post(
        "/verify/", {"document": SimpleUploadedFile(name, content, content_type="application/pdf")}
    )


def test_formatted_text_is_sanitised_on_save(office_a):
    with in_office(office_a):
        proposal = draft_for(Contact.objects.create(first_name="Kim", email="kim@example.com"))
        assert proposal.intro == "<p>Dear client, <strong>here</strong> is our offer.</p>"
        section = proposal.sections.get()
        assert "<script" not in section.body and "onerror" not in section.body
        assert section.body.startswith("<ul><li>Six pages</li></ul>")


def test_the_client_chooses_options_and_quantities_and_sees_live_totals(office_a):
    client, account = office_a.portal_client()
    proposal = sent_for(office_a, account)
    page = client.get(f"/proposals/{proposal.pk}/").content.decode()
    assert "Website redesign" in page and "Choose one: Hosting" in page
    assert "€1,331" in page  # Design + Basic hosting, 21 % tax: the office's preselection
    live = client.post(f"/proposals/{proposal.pk}/totals", choose_premium_and_training()).content.decode()
    assert "€1,754.50" in live and "€526.35" in live  # 1450 + 21 % tax; a 30 % deposit
    ignored = client.post(
        f"/proposals/{proposal.pk}/totals", {**choose_premium_and_training(), "quantity-0": "5"}
    ).content.decode()
    assert "€1,754.50" in ignored  # the office fixed the design's quantity: a posted one is not read
    refused = client.post(
        f"/proposals/{proposal.pk}/totals", {**choose_premium_and_training(), "quantity-3": "-1"}
    ).content.decode()
    assert "A quantity is more than zero" in refused and "€1,331" in refused
    with in_office(office_a):
        content = Proposal.objects.get(pk=proposal.pk).latest_version.content
        with pytest.raises(ValidationError, match="cannot be changed"):
            services.choices_apply(content, {"quantities": {"0": "5"}, "groups": {"Hosting": "1"}})
        with pytest.raises(ValidationError, match="Choose one of"):
            services.choices_apply(content, {"groups": {"Hosting": "0"}})
        with pytest.raises(ValidationError, match="not in this proposal"):
            services.choices_apply(content, {"optional": ["0"], "groups": {"Hosting": "1"}})
    connection.set_schema_to_public()
    with in_office(office_a):
        found = Proposal.objects.get(pk=proposal.pk)
        assert found.status == "viewed" and found.viewed_at is not None
        assert list(found.events.values_list("kind", flat=True)) == ["created", "sent", "viewed"]
        types = list(WebhookEvent.objects.values_list("type", flat=True))
        assert types.count("proposals.proposal_sent") == 1 and types.count("proposals.proposal_viewed") == 1
    connection.set_schema_to_public()


def test_the_client_signs_the_exact_document_reviewed_and_the_sealed_pdf_verifies(office_a):
    client, account = office_a.portal_client()
    proposal = sent_for(office_a, account)
    review_id, sha256 = review(client, proposal)
    reviewed = client.get(f"/proposals/{proposal.pk}/review/{review_id}/pdf").content
    assert hashlib.sha256(reviewed).hexdigest() == sha256  # the page's hash is the PDF's
    signed = client.post(
        f"/proposals/{proposal.pk}/review/{review_id}/sign",
        sign_form(sha256),
        HTTP_USER_AGENT="Tests/1.0",
        REMOTE_ADDR="203.0.113.9",
        follow=True,
    )
    assert "the proposal is signed" in signed.content.decode()
    with in_office(office_a):
        signature = ProposalSignature.objects.get(proposal=proposal)
        assert (signature.typed_name, signature.email, signature.account_id) == (
            "Chris Client",
            account.email,
            account.pk,
        )
        assert signature.document_sha256 == sha256 and signature.consent_version == services.CONSENT_VERSION
        assert signature.user_agent == "Tests/1.0" and signature.version.number == 1
        assert (signature.total, signature.deposit) == (D("1754.50"), D("526.35"))
        assert signature.choices == {"optional": ["3"], "groups": {"Hosting": "2"}, "quantities": {"3": "3"}}
        stored_hash = signature.sealed_sha256
        assert Proposal.objects.get(pk=proposal.pk).status == "accepted"
        with pytest.raises(ValueError, match="never changed"):
            signature.typed_name = "Someone else"
            signature.save()
        with pytest.raises(ValueError, match="never removed"):
            signature.delete()
        assert (
            list(ProposalEvent.objects.filter(proposal=proposal).values_list("kind", flat=True))[-1]
            == "signed"
        )
    connection.set_schema_to_public()

    served = client.get(f"/proposals/{proposal.pk}/pdf")
    assert served["Content-Type"] == "application/pdf"
    assert hashlib.sha256(served.content).hexdigest() == stored_hash  # the stored hash is the served PDF's
    office_copy = office_a.staff_client().get(f"/office/proposals/{proposal.pk}/pdf").content
    assert office_copy == served.content

    good = verify(served.content)
    assert good.status_code == 200
    text = good.content.decode()
    assert "This is a document sealed by Portico." in text and "Alpha Realty" in text
    assert "Chris" not in text and "Website redesign" not in text  # nothing else is revealed
    changed = bytearray(served.content)
    middle = len(changed) // 2
    changed[middle] = (changed[middle] + 1) % 256
    assert "Not recognised." in verify(bytes(changed)).content.decode()
    assert "Not recognised." in verify(served.content + b"\n").content.decode()
    assert "Not recognised." in verify(reviewed).content.decode()  # unsealed
    assert "Not recognised." in verify(b"hello, not a pdf", "x.txt").content.decode()
    empty = verify(b"")
    assert empty.status_code == 400 and "Not recognised" not in empty.content.decode()


def test_a_huge_upload_is_refused_without_reading_it(office_a, settings, monkeypatch):
    from tenants import sealing

    monkeypatch.setattr(sealing, "MAX_VERIFY_BYTES", 1000)
    answer = verify(b"%PDF-1.7\n" + b"0" * 5000)
    assert answer.status_code == 400 and "larger than any document" in answer.content.decode()


def test_a_revision_makes_a_new_version_and_signing_the_old_one_is_refused(office_a):
    client, account = office_a.portal_client()
    proposal = sent_for(office_a, account)
    review_id, sha256 = review(client, proposal)  # the client reviews version 1 …
    with in_office(office_a):
        first = ProposalVersion.objects.get(proposal=proposal)
        content = dict(first.content)
        services.proposal_change(
            proposal=proposal,
            contact=proposal.contact,
            title="Website redesign, revised",
            items=items()[:3],
            valid_until=proposal.valid_until,
        )
        assert Proposal.objects.get(pk=proposal.pk).revised
        assert ProposalVersion.objects.get(pk=first.pk).content == content  # what was sent stays
        services.proposal_send(proposal=proposal, actor="owner")  # … while the office sends version 2
        assert list(proposal.versions.values_list("number", flat=True)) == [1, 2]
        with pytest.raises(ValueError):
            first.content = {}
            first.save()
    connection.set_schema_to_public()
    refused = client.post(f"/proposals/{proposal.pk}/review/{review_id}/sign", sign_form(sha256))
    assert refused.status_code == 400
    assert "newer version of this proposal" in refused.content.decode()
    assert client.get(f"/proposals/{proposal.pk}/").content.decode().count("revised") >= 1
    old = client.post(f"/proposals/{proposal.pk}/review", choose_premium_and_training(version=1), follow=True)
    assert "newer version" in old.content.decode()
    signed = sign(client, proposal, {"version": "2", "group-0": "1"})
    assert signed.status_code == 302
    with in_office(office_a):
        assert ProposalSignature.objects.get(proposal=proposal).version.number == 2
    connection.set_schema_to_public()


def test_a_second_signature_a_changed_document_and_bad_evidence_are_refused(office_a):
    client, account = office_a.portal_client()
    proposal = sent_for(office_a, account)
    review_id, sha256 = review(client, proposal)
    url = f"/proposals/{proposal.pk}/review/{review_id}/sign"
    for bad, message in (
        ({"document_sha256": "0" * 64}, "not the document you reviewed"),
        ({"consent": ""}, "Tick the box"),
        ({"consent_version": "2001-01"}, "Tick the box"),
        ({"typed_name": " "}, "Type your full name"),
        ({"drawing": ""}, "Draw your signature"),
        ({"drawing": "data:image/png;base64,!!!"}, "Draw your signature"),
        ({"drawing": "data:text/html;base64,PGI+"}, "Draw your signature"),
    ):
        answer = client.post(url, {**sign_form(sha256), **bad})
        assert answer.status_code == 400 and message in answer.content.decode(), bad
    assert client.post(url, sign_form(sha256)).status_code == 302
    again = client.post(url, sign_form(sha256))  # a double submit
    assert again.status_code == 400 and "accepted already" in again.content.decode()
    with in_office(office_a):
        assert ProposalSignature.objects.filter(proposal=proposal).count() == 1
        assert WebhookEvent.objects.filter(type="proposals.contract_signed").count() == 1
    connection.set_schema_to_public()


def test_signing_after_expiry_or_after_declining_is_refused(office_a, django_capture_on_commit_callbacks):
    client, account = office_a.portal_client()
    proposal = sent_for(office_a, account)
    review_id, sha256 = review(client, proposal)
    declined = client.post(f"/proposals/{proposal.pk}/decline", {"reason": "Over our budget"}, follow=True)
    assert "You declined the proposal" in declined.content.decode()
    replayed = client.post(f"/proposals/{proposal.pk}/review/{review_id}/sign", sign_form(sha256))
    assert replayed.status_code == 400 and "was declined" in replayed.content.decode()
    found = proposal_now(office_a, proposal)
    assert (found.status, found.decline_reason) == ("declined", "Over our budget")
    assert (
        "Over our budget" in office_a.staff_client().get(f"/office/proposals/{proposal.pk}/").content.decode()
    )

    other = sent_for(office_a, account)
    review_id, sha256 = review(client, other)
    with in_office(office_a):
        Proposal.objects.filter(pk=other.pk).update(valid_until=timezone.localdate() - timedelta(days=1))
    connection.set_schema_to_public()
    late = client.post(f"/proposals/{other.pk}/review/{review_id}/sign", sign_form(sha256))
    assert late.status_code == 400 and "has expired" in late.content.decode()
    with in_office(office_a), django_capture_on_commit_callbacks(execute=True):
        assert services.proposal_due(proposal=Proposal.objects.get(pk=other.pk)) == "expired"
        assert Proposal.objects.get(pk=other.pk).status == "expired"
        assert WebhookEvent.objects.filter(type="proposals.proposal_expired").count() == 1
        assert WebhookEvent.objects.filter(type="proposals.proposal_declined").count() == 1
    connection.set_schema_to_public()


def test_sending_emails_the_client_a_link_and_a_reminder_goes_once_before_expiry(
    office_a, django_capture_on_commit_callbacks
):
    client, account = office_a.portal_client(language="nl")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        proposal = sent_for(office_a, account)
    [sent] = mail.outbox
    assert sent.to == [account.email] and f"/proposals/{proposal.pk}/" in sent.body
    assert "Website redesign" in sent.subject
    with in_office(office_a), django_capture_on_commit_callbacks(execute=True):
        Proposal.objects.filter(pk=proposal.pk).update(valid_until=timezone.localdate() + timedelta(days=2))
        assert services.proposal_due(proposal=Proposal.objects.get(pk=proposal.pk)) == "reminded"
        assert services.proposal_due(proposal=Proposal.objects.get(pk=proposal.pk)) is None  # once
    connection.set_schema_to_public()
    assert len(mail.outbox) == 2 and "Website redesign" in mail.outbox[1].subject


def test_a_company_account_signs_its_companys_proposal(office_a):
    from portal_core.access import portal_account_for
    from portal_core.models import Company

    with in_office(office_a):
        company = Company.objects.create(name="Acme", email="acme@example.com")
        proposal = draft_for(company=company, deposit="")
        services.proposal_send(proposal=proposal)
        kim = Contact.objects.create(first_name="Kim", email="kim@example.com", company=company)
        PortalAccount.objects.filter(pk=portal_account_for(contact=kim).pk)
    connection.set_schema_to_public()
    client, account = office_a.portal_client("member@example.com")
    with in_office(office_a):
        Contact.objects.filter(pk=PortalAccount.objects.get(pk=account.pk).contact_id).update(company=company)
    connection.set_schema_to_public()
    assert client.get(f"/proposals/{proposal.pk}/").status_code == 200
    assert sign(client, proposal, {"version": "1", "group-0": "1"}).status_code == 302
    assert proposal_now(office_a, proposal).status == "accepted"


def test_the_signed_pdf_carries_the_document_and_a_signature_page_with_the_evidence(office_a):
    from tests.invoices.pdf_text import pdf_text

    client, account = office_a.portal_client()
    proposal = sent_for(office_a, account)
    client.get(f"/proposals/{proposal.pk}/")
    review_id, sha256 = review(client, proposal)
    client.post(
        f"/proposals/{proposal.pk}/review/{review_id}/sign",
        sign_form(sha256),
        HTTP_USER_AGENT="Tests/1.0",
        REMOTE_ADDR="203.0.113.9",
    )
    text = pdf_text(client.get(f"/proposals/{proposal.pk}/pdf").content)
    assert "Website redesign" in text and "Premium hosting" in text and "€1,754.50" in text
    assert "Signature page" in text and "Chris Client" in text and account.email in text
    assert "203.0.113.9" in text and "Tests/1.0" in text and sha256 in text.replace("\n", "")
    assert f"version {services.CONSENT_VERSION}" in text
    for step in ("Created", "Sent", "Viewed", "Signed"):
        assert step in text
    assert "Basic hosting" not in text  # what the client did not choose is not what they signed


def test_the_office_countersigns_and_the_client_is_emailed_the_final_sealed_pdf(
    office_a, django_capture_on_commit_callbacks
):
    from tests.invoices.pdf_text import pdf_text

    client, account = office_a.portal_client()
    proposal = sent_for(office_a, account, deposit="")
    staff = office_a.staff_client()
    early = staff.post(
        f"/office/proposals/{proposal.pk}/countersign", {"typed_name": "Olive Owner", "consent": "yes"}
    )
    assert "The client has not signed" in staff.get(early["Location"]).content.decode()
    assert sign(client, proposal, {"version": "1", "group-0": "1"}).status_code == 302
    client_copy = client.get(f"/proposals/{proposal.pk}/pdf").content
    refused = staff.post(
        f"/office/proposals/{proposal.pk}/countersign", {"typed_name": "Olive Owner"}, follow=True
    )
    assert "Tick the box" in refused.content.decode()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        done = staff.post(
            f"/office/proposals/{proposal.pk}/countersign",
            {"typed_name": "Olive Owner", "consent": "yes", "drawing": drawing()},
            follow=True,
        ).content.decode()
    assert "Countersigned. The client is emailed the final PDF." in done and 'id="countersigned"' in done
    final = client.get(f"/proposals/{proposal.pk}/pdf").content
    assert final != client_copy
    with in_office(office_a):
        signatures = {s.role: s for s in ProposalSignature.objects.filter(proposal=proposal)}
        assert set(signatures) == {"client", "office"}
        assert hashlib.sha256(final).hexdigest() == signatures["office"].sealed_sha256
        assert hashlib.sha256(client_copy).hexdigest() == signatures["client"].sealed_sha256
        assert WebhookEvent.objects.filter(type="proposals.contract_countersigned").count() == 1
    connection.set_schema_to_public()
    text = pdf_text(final)
    assert "Countersigned for the office" in text and "Olive Owner" in text and "Chris Client" in text
    [email] = mail.outbox
    assert email.to == [account.email] and email.attachments[0][1] == final
    for content in (final, client_copy):  # both sealed copies verify
        assert "This is a document sealed by Portico." in verify(content).content.decode()
    again = staff.post(
        f"/office/proposals/{proposal.pk}/countersign",
        {"typed_name": "Olive Owner", "consent": "yes"},
        follow=True,
    )
    assert "countersigned already" in again.content.decode()


def test_merge_fields_are_filled_with_the_client_the_office_and_the_totals_as_chosen(office_a):
    from tests.invoices.pdf_text import pdf_text

    client, account = office_a.portal_client(first_name="<b>Chris</b>")
    terms = services.SectionInput(
        "Agreement",
        "<p>Between {{ office.name }} and {{ client.name }}: {{ proposal.total }} in all, "
        "{{ proposal.deposit }} on signing. {{ unknown.field }}</p>",
    )
    proposal = sent_for(office_a, account, sections=[terms])
    page = client.get(f"/proposals/{proposal.pk}/").content.decode()
    assert (
        "Between Alpha Realty and &lt;b&gt;Chris&lt;/b&gt; Client: €1,331 in all, €399.30 on signing." in page
    )
    assert "{{ unknown.field }}" in page
    review_id, sha256 = review(client, proposal)  # premium hosting and three trainings: the total moves
    text = pdf_text(client.get(f"/proposals/{proposal.pk}/review/{review_id}/pdf").content)
    assert "€1,754.50 in all, €526.35 on signing" in text.replace("\n", " ")


def test_the_database_refuses_to_change_or_remove_a_signature_a_version_or_an_audit_entry(office_a):
    from django.db import IntegrityError, transaction

    client, account = office_a.portal_client()
    proposal = sent_for(office_a, account)
    assert sign(client, proposal).status_code == 302
    with in_office(office_a):
        changes = (
            (ProposalSignature.objects.filter(proposal=proposal), {"typed_name": "Someone else"}),
            (ProposalVersion.objects.filter(proposal=proposal), {"sent_by": "someone"}),
            (ProposalEvent.objects.filter(proposal=proposal), {"actor": "someone"}),
        )
        for rows, change in changes:
            with pytest.raises(IntegrityError, match="never changed or removed"), transaction.atomic():
                rows.update(**change)
            with pytest.raises(IntegrityError, match="never changed or removed"), transaction.atomic():
                rows._raw_delete(rows.db)
        assert ProposalSignature.objects.get(proposal=proposal).typed_name == "Chris Client"
    connection.set_schema_to_public()
