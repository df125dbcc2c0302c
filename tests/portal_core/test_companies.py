"""The office's companies: list, search, forms, the detail page with its contacts, the
company-level portal account and its actions; and every page tried by another office."""

from __future__ import annotations

import pytest
from django_tenants.utils import schema_context

from portal_core.models import ActivityEntry, Company, PortalAccount
from tests.portal_core.test_contacts import make_contact, messages_of, shown_ids


def make_company(office, name="Acme", **fields) -> Company:
    with schema_context(office.schema_name):
        return Company.objects.create(name=name, **fields)


def test_it_lists_and_searches_companies(office_a):
    acme = make_company(office_a, "Acme Homes", email="desk@acme.example", phone="+31 20 555 0101")
    zeta = make_company(office_a, "Zeta Studio")
    make_contact(office_a, "Ann", company=acme)
    make_contact(office_a, "Bob", company=acme)
    staff = office_a.staff_client()
    response = staff.get("/office/companies/")
    assert shown_ids(response, "data-company") == {acme.pk, zeta.pk}
    html = response.content.decode()
    assert f'href="/office/contacts/?company={acme.pk}">2</a>' in html
    assert 'href="/office/companies/"' in html  # in the navigation
    assert shown_ids(staff.get("/office/companies/", {"q": "acme"}), "data-company") == {acme.pk}
    assert shown_ids(staff.get("/office/companies/", {"q": "555"}), "data-company") == {acme.pk}
    assert "No companies match" in staff.get("/office/companies/", {"q": "nothing"}).content.decode()


def test_it_creates_and_edits_a_company_with_clear_errors(office_a):
    staff = office_a.staff_client()
    bad = staff.post("/office/companies/new/", {"name": "", "email": "nope", "language": "en"})
    assert bad.status_code == 200
    assert (
        "This field is required." in bad.content.decode()
        and "Enter a valid email address." in bad.content.decode()
    )
    response = staff.post(
        "/office/companies/new/",
        {"name": "Acme", "email": "Desk@Acme.example", "website": "acme.example", "language": "nl"},
    )
    with schema_context(office_a.schema_name):
        acme = Company.objects.get()
        assert (acme.email, acme.website, acme.language) == (
            "desk@acme.example",
            "https://acme.example",
            "nl",
        )
        assert ActivityEntry.objects.filter(company=acme, verb="company_created").exists()
    assert response["Location"] == f"/office/companies/{acme.pk}/"
    response = staff.post(f"/office/companies/{acme.pk}/edit/", {"name": "Acme Group", "language": "nl"})
    assert response.status_code == 302
    with schema_context(office_a.schema_name):
        acme.refresh_from_db()
        assert (acme.name, acme.email) == ("Acme Group", "")
        assert ActivityEntry.objects.filter(company=acme, verb="company_updated").exists()


def test_it_shows_a_company_with_its_contacts(office_a):
    acme = make_company(office_a, "Acme")
    ann = make_contact(office_a, "Ann", company=acme, status=PortalAccount.Status.JOINED)
    outsider = make_contact(office_a, "Zed")
    html = office_a.staff_client().get(f"/office/companies/{acme.pk}/").content.decode()
    assert f'href="/office/contacts/{ann.pk}/"' in html and f'/office/contacts/{outsider.pk}/"' not in html
    assert f"/office/contacts/new/?company={acme.pk}" in html
    assert 'data-status="not_invited"' in html  # the company's own account: none yet


def test_it_runs_every_action_on_a_company_account(office_a, mailoutbox):
    acme = make_company(office_a, "Acme", email="desk@acme.example")
    staff = office_a.staff_client()
    base = f"/office/companies/{acme.pk}/portal"
    response = staff.post(
        f"{base}/invite/", {"delivery": "link", "custom_message": "Welcome", "portal": "off"}, follow=True
    )
    assert "Invitation sent to desk@acme.example" in messages_of(response)
    assert mailoutbox[-1].to == ["desk@acme.example"] and "Welcome" in mailoutbox[-1].body
    response = staff.post(f"{base}/direct-link/", follow=True)
    assert "/client-portal/" in response.content.decode()
    staff.post(f"{base}/login-email/")
    assert len(mailoutbox) == 2
    staff.post(f"{base}/reset-password/")
    staff.post(f"{base}/disable/")
    with schema_context(office_a.schema_name):
        account = PortalAccount.objects.get(company=acme)
        assert account.status == "disabled" and account.must_change_password
    staff.post(f"{base}/enable/")
    with schema_context(office_a.schema_name):
        assert PortalAccount.objects.get(company=acme).status == "invited"
        verbs = set(ActivityEntry.objects.filter(company=acme).values_list("verb", flat=True))
    assert {
        "invitation_sent",
        "token_created",
        "login_email_sent",
        "password_reset_by_office",
        "disabled",
        "enabled",
    } <= verbs
    html = staff.get(f"/office/companies/{acme.pk}/").content.decode()
    assert "Portal access enabled" in html and f'action="/office/preview/{account.pk}/"' in html


def test_it_explains_why_a_company_without_email_gets_no_invitation(office_a, mailoutbox):
    acme = make_company(office_a, "Acme")
    response = office_a.staff_client().post(
        f"/office/companies/{acme.pk}/portal/invite/", {"delivery": "link", "portal": "off"}, follow=True
    )
    assert "Contact does not have an email address." in messages_of(response) and not mailoutbox
    with schema_context(office_a.schema_name):
        assert not PortalAccount.objects.filter(company=acme).exists()


@pytest.mark.parametrize(
    ("method", "path", "data"),
    [
        ("get", "/office/companies/", None),
        ("get", "/office/companies/new/", None),
        ("get", "/office/companies/{pk}/", None),
        ("get", "/office/companies/{pk}/edit/", None),
        ("get", "/office/companies/{pk}/portal/invite/", None),
        ("get", "/office/companies/{pk}/files/1/", None),
        ("post", "/office/companies/new/", {"name": "Hijacked", "language": "en"}),
        ("post", "/office/companies/{pk}/edit/", {"name": "Hijacked", "language": "en"}),
        ("post", "/office/companies/{pk}/portal/invite/", {"delivery": "link"}),
        ("post", "/office/companies/{pk}/portal/direct-link/", {}),
        ("post", "/office/companies/{pk}/portal/login-email/", {}),
        ("post", "/office/companies/{pk}/portal/reset-password/", {}),
        ("post", "/office/companies/{pk}/portal/disable/", {}),
        ("post", "/office/companies/{pk}/portal/enable/", {}),
        ("post", "/office/companies/{pk}/portal/preview/", {}),
        ("post", "/office/companies/{pk}/files/", {}),
    ],
)
def test_it_lets_no_other_office_see_or_touch_a_company(office_a, office_b, mailoutbox, method, path, data):
    acme = make_company(office_a, "Acme Secret", email="desk@acme.example")
    stranger = office_b.staff_client()
    template, path = path, path.format(pk=acme.pk)
    if "{pk}" in template:
        assert getattr(stranger, method)(path, data).status_code == 404
    stranger.defaults["HTTP_HOST"] = office_a.host
    response = getattr(stranger, method)(path, data)
    assert response.status_code == 302 and response["Location"].startswith("/office/login/")
    assert b"Acme Secret" not in response.content
    assert not mailoutbox
    with schema_context(office_a.schema_name):
        assert list(Company.objects.values_list("name", flat=True)) == ["Acme Secret"]
        assert not PortalAccount.objects.exists()
