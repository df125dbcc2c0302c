"""The office's proposal pages: the editor with its live preview, send, revise, duplicate,
templates, the list with its figures, the audit trail and the panels on contact and company pages;
and every page, the client's and the office's, refused to another client and another office."""

from __future__ import annotations

import pytest
from django.db import connection

from modules.proposals import services
from modules.proposals.models import Proposal
from portal_core.models import Company, Contact, PortalAccount

from .helpers import draft_for, in_office, proposal_now, review, sent_for, sign, switched


@pytest.fixture
def office_a(office_a, django_capture_on_commit_callbacks):
    switched(office_a, django_capture_on_commit_callbacks)
    return office_a


@pytest.fixture
def office_b(office_b, django_capture_on_commit_callbacks):
    switched(office_b, django_capture_on_commit_callbacks)
    return office_b


def editor_form(contact_id: int, **more) -> dict:
    return {
        "title": "Garden design",
        "contact": contact_id,
        "intro": "<p>Hello <em>there</em></p><iframe src=x></iframe>",
        "currency": "EUR",
        "deposit": "amount",
        "deposit_value": "100",
        "sections-TOTAL_FORMS": "1",
        "sections-INITIAL_FORMS": "0",
        "sections-0-heading": "Plan",
        "sections-0-body": "<p>Two visits</p>",
        "items-TOTAL_FORMS": "3",
        "items-INITIAL_FORMS": "0",
        "items-0-description": "Drawing",
        "items-0-kind": "included",
        "items-0-quantity": "1",
        "items-0-unit_price": "500",
        "items-0-tax_rate": "21",
        "items-1-description": "Planting",
        "items-1-kind": "optional",
        "items-1-quantity": "1",
        "items-1-unit_price": "200",
        "items-1-tax_rate": "21",
        "items-1-selected": "on",
        "items-2-description": "",
        "items-2-kind": "included",
        **more,
    }


def test_the_office_drafts_previews_sends_and_revises_a_proposal(office_a):
    with in_office(office_a):
        contact = Contact.objects.create(first_name="Kim", email="kim@example.com")
    connection.set_schema_to_public()
    staff = office_a.staff_client()
    assert staff.get("/office/proposals/new/").status_code == 200
    preview = staff.post("/office/proposals/preview", editor_form(contact.pk)).content.decode()
    assert "Garden design" in preview and "€847" in preview  # 700 + 21 % tax, the option preselected
    assert "<iframe" not in preview
    refused = staff.post("/office/proposals/new/", editor_form(contact.pk, **{"items-2-description": "X"}))
    assert "Give the item a price." in refused.content.decode()
    more = staff.post("/office/proposals/new/", editor_form(contact.pk, add="items")).content.decode()
    assert 'name="items-TOTAL_FORMS" value="4"' in more
    saved = staff.post("/office/proposals/new/", editor_form(contact.pk), follow=True).content.decode()
    assert "Saved. Send it when it is ready." in saved
    with in_office(office_a):
        proposal = Proposal.objects.get()
        assert proposal.intro == "<p>Hello <em>there</em></p>" and proposal.items.count() == 2
    connection.set_schema_to_public()
    sent = staff.post(f"/office/proposals/{proposal.pk}/send", follow=True).content.decode()
    assert "Version 1 is in the client&#x27;s portal" in sent
    again = staff.post(f"/office/proposals/{proposal.pk}/send", follow=True).content.decode()
    assert "The client has this version already" in again
    revised = staff.post(
        f"/office/proposals/{proposal.pk}/edit/",
        editor_form(contact.pk, title="Garden design v2"),
        follow=True,
    ).content.decode()
    assert "the client still sees version 1" in revised
    staff.post(f"/office/proposals/{proposal.pk}/send")
    page = staff.get(f"/office/proposals/{proposal.pk}/").content.decode()
    assert "Version 2 · sent" in page and 'data-event="sent"' in page
    listed = staff.get("/office/proposals/?status=sent").content.decode()
    assert "Garden design v2" in listed and "€847" in listed and "2</span> sent" not in listed
    assert "Accepted rate" in listed and 'id="proposal-chart"' in listed
    contact_page = staff.get(f"/office/contacts/{contact.pk}/").content.decode()
    assert "Garden design v2" in contact_page and "1 awaiting the client" in contact_page


def test_duplicate_save_as_template_and_start_from_it(office_a):
    with in_office(office_a):
        contact = Contact.objects.create(first_name="Kim", email="kim@example.com")
        company = Company.objects.create(name="Acme")
        proposal = draft_for(contact)
    connection.set_schema_to_public()
    staff = office_a.staff_client()
    assert (
        "A copy was made"
        in staff.post(f"/office/proposals/{proposal.pk}/duplicate", follow=True).content.decode()
    )
    assert (
        "Saved as a template"
        in staff.post(f"/office/proposals/{proposal.pk}/template", follow=True).content.decode()
    )
    with in_office(office_a):
        template = Proposal.objects.get(is_template=True)
        assert (template.contact_id, template.company_id, template.items.count()) == (None, None, 4)
        assert Proposal.objects.filter(is_template=False).count() == 2
        with pytest.raises(Exception, match="A template is not sent"):
            services.proposal_send(proposal=template)
    connection.set_schema_to_public()
    assert "Website redesign" in staff.get("/office/proposals/templates/").content.decode()
    started = staff.post(
        "/office/proposals/templates/", {"template": template.pk, "company": company.pk}, follow=True
    ).content.decode()
    assert "A new draft was started from the template" in started
    with in_office(office_a):
        new = Proposal.objects.filter(company=company).get()
        assert new.items.count() == 4 and new.valid_until is not None and not new.is_template
    connection.set_schema_to_public()
    assert "Website redesign" in staff.get(f"/office/companies/{company.pk}/").content.decode()


def test_the_office_sees_the_signature_the_accepted_items_and_the_audit_trail(office_a):
    client, account = office_a.portal_client()
    proposal = sent_for(office_a, account)
    client.get(f"/proposals/{proposal.pk}/")
    assert sign(client, proposal, REMOTE_ADDR="198.51.100.4").status_code == 302
    page = office_a.staff_client().get(f"/office/proposals/{proposal.pk}/").content.decode()
    assert "Chris Client" in page and "198.51.100.4" in page
    assert "Premium hosting × 1" in page and "Training × 3" in page
    for kind in ("created", "sent", "viewed", "signed"):
        assert f'data-event="{kind}"' in page
    assert "not paid yet" in page


def test_every_page_is_a_404_to_another_client_and_another_office(office_a, office_b):
    chris, account = office_a.portal_client("chris@example.com")
    olga, _ = office_a.portal_client("olga@example.com", first_name="Olga")
    proposal = sent_for(office_a, account)
    review_id, _sha = review(chris, proposal)
    with in_office(office_a):
        draft = draft_for(PortalAccount.objects.get(pk=account.pk).contact)
    connection.set_schema_to_public()
    base = f"/proposals/{proposal.pk}"
    gets = [
        f"{base}/",
        f"{base}/paid",
        f"{base}/pdf",
        f"{base}/review/{review_id}/",
        f"{base}/review/{review_id}/pdf",
    ]
    posts = [
        f"{base}/totals",
        f"{base}/review",
        f"{base}/decline",
        f"{base}/deposit",
        f"{base}/review/{review_id}/sign",
    ]
    assert chris.get(f"/proposals/{draft.pk}/").status_code == 404  # a draft is not the client's yet
    assert chris.get(f"{base}/").status_code == 200
    for path in gets:
        assert olga.get(path).status_code == 404, path
    for path in posts:
        assert olga.post(path, {"reason": "no", "version": "1"}).status_code == 404, path
    # Another office's client, on their own host: the same ids are not theirs.
    other, _ = office_b.portal_client("chris@example.com")
    for path in gets:
        assert other.get(path).status_code == 404, path
    for path in posts:
        assert other.post(path, {"reason": "no", "version": "1"}).status_code == 404, path
    # Another office's staff, on their own host, and on this host (not signed in here).
    staff_b = office_b.staff_client()
    office_pages = ("/", "/edit/", "/pdf")
    for suffix in office_pages:
        assert staff_b.get(f"/office/proposals/{proposal.pk}{suffix}").status_code == 404, suffix
    for suffix in ("/send", "/duplicate", "/template"):
        assert staff_b.post(f"/office/proposals/{proposal.pk}{suffix}").status_code == 404, suffix
    for suffix in office_pages:
        assert (
            staff_b.get(f"/office/proposals/{proposal.pk}{suffix}", HTTP_HOST=office_a.host).status_code
            == 302
        )
        assert chris.get(f"/office/proposals/{proposal.pk}{suffix}").status_code == 302
    # The proposal was not touched by any of it.
    found = proposal_now(office_a, proposal)
    assert (found.status, found.declined_at) == ("viewed", None)


def test_with_the_module_off_its_pages_answer_404(office_a, django_capture_on_commit_callbacks):
    client, account = office_a.portal_client()
    proposal = sent_for(office_a, account)
    switched(office_a, django_capture_on_commit_callbacks, on=False)
    assert client.get(f"/proposals/{proposal.pk}/").status_code == 404
    assert office_a.staff_client().get("/office/proposals/").status_code == 404
    assert proposal_now(office_a, proposal).status == "sent"  # its data stays
