"""The office's contacts: list, search, filters, forms, the detail page, every portal-account
action, shared files, the activity log; and every page and action tried by another office."""

from __future__ import annotations

import re
import smtplib

import pytest
from django.contrib.auth.hashers import make_password
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone
from django_tenants.utils import schema_context

from portal_core.access import portal_account_for
from portal_core.models import ActivityEntry, Company, Contact, PortalAccount, SharedFile
from portal_core.profile import shared_file_upload

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def isolated_media(settings, tmp_path):
    """Files go under a temporary MEDIA_ROOT. django-tenants' storage caches the root it first
    saw and ignores later MEDIA_ROOT changes, so forget it before and after each test."""
    from django.core.files.storage import storages

    storages["default"].__dict__.pop("relative_media_root", None)
    settings.MEDIA_ROOT = str(tmp_path)
    yield
    storages["default"].__dict__.pop("relative_media_root", None)


def make_contact(office, first_name="Anna", last_name="Client", *, status=None, company=None, **fields):
    """A contact in ``office`` (and its portal account in ``status``, when given)."""
    with schema_context(office.schema_name):
        if isinstance(company, str):
            company = Company.objects.get_or_create(name=company)[0]
        contact = Contact.objects.create(
            first_name=first_name, last_name=last_name, company=company, **fields
        )
        if status:
            account = portal_account_for(contact=contact)
            account.status = status
            account.invited_at = timezone.now() if status != PortalAccount.Status.NOT_INVITED else None
            account.joined_at = timezone.now() if status == PortalAccount.Status.JOINED else None
            account.save()
    return contact


def shown_ids(response, attribute="data-contact") -> set[int]:
    return {int(pk) for pk in re.findall(rf'{attribute}="(\d+)"', response.content.decode())}


def messages_of(response) -> str:
    return " ".join(str(m) for m in response.context["messages"])


def in_schema(office, func):
    with schema_context(office.schema_name):
        return func()


# --- list, search, filters ----------------------------------------------------------------------


def test_it_lists_searches_and_filters_contacts(office_a):
    anna = make_contact(
        office_a,
        "Anna",
        "de Vries",
        email="anna@example.com",
        phone="+31 (0)6-1234 5678",
        language="nl",
        company="Vries Holding",
    )
    ben = make_contact(office_a, "Ben", "Smith", source=Contact.Source.IMPORT)
    carla = make_contact(
        office_a,
        "Carla",
        "Jones",
        email="carla@example.com",
        status=PortalAccount.Status.INVITED,
        source=Contact.Source.SELF_REGISTRATION,
    )
    dan = make_contact(office_a, "Dan", "Brown", email="dan@example.com", status=PortalAccount.Status.JOINED)
    eve = make_contact(
        office_a, "Eve", "Black", status=PortalAccount.Status.DISABLED, source=Contact.Source.API
    )
    staff = office_a.staff_client()

    everyone = staff.get("/office/contacts/")
    assert everyone.status_code == 200
    assert shown_ids(everyone) == {anna.pk, ben.pk, carla.pk, dan.pk, eve.pk}
    assert 'href="/office/contacts/"' in everyone.content.decode()  # in the navigation

    def found(**query):
        return shown_ids(staff.get("/office/contacts/", query))

    assert found(q="vries") == {anna.pk}
    assert found(q="ben smith") == {ben.pk}
    assert found(q="HOLDING") == {anna.pk}
    assert found(q="example.com") == {anna.pk, carla.pk, dan.pk}
    assert found(q="0612345") == {anna.pk}  # digits match whatever the formatting
    assert found(q="nobody") == set()
    assert found(status="not_invited") == {anna.pk, ben.pk}  # no account yet counts as not invited
    assert found(status="invited") == {carla.pk}
    assert found(status="joined") == {dan.pk}
    assert found(status="disabled") == {eve.pk}
    assert found(source="import") == {ben.pk}
    assert found(source="self_registration") == {carla.pk}
    assert found(source="api") == {eve.pk}
    assert found(language="nl") == {anna.pk}
    assert found(company=str(anna.company_id)) == {anna.pk}
    assert found(q="a", status="joined", source="office") == {dan.pk}
    assert found(status="bogus", company="999999") == {anna.pk, ben.pk, carla.pk, dan.pk, eve.pk}
    assert "No contacts match" in staff.get("/office/contacts/", {"q": "nobody"}).content.decode()


def test_it_paginates_fifty_contacts_a_page(office_a):
    with schema_context(office_a.schema_name):
        Contact.objects.bulk_create(Contact(first_name=f"C{n:03}", last_name="Page") for n in range(51))
    staff = office_a.staff_client()
    first = staff.get("/office/contacts/", {"q": "page"})
    assert len(shown_ids(first)) == 50
    html = first.content.decode()
    assert "Page 1 of 2" in html and "q=page&amp;page=2" in html
    assert len(shown_ids(staff.get("/office/contacts/", {"q": "page", "page": "2"}))) == 1


def test_it_shows_a_friendly_page_when_there_are_no_contacts(office_a):
    html = office_a.staff_client().get("/office/contacts/").content.decode()
    assert "No contacts yet" in html and "/office/contacts/import/" in html


# --- create and edit ----------------------------------------------------------------------------


def test_it_refuses_a_contact_without_first_name_or_with_a_bad_email(office_a):
    staff = office_a.staff_client()
    response = staff.post(
        "/office/contacts/new/", {"first_name": "", "email": "not-an-email", "language": "en"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "This field is required." in html and "Enter a valid email address." in html
    response = staff.post("/office/contacts/new/", {"first_name": "X", "language": "xx"})
    assert "Select a valid choice" in response.content.decode()
    assert in_schema(office_a, Contact.objects.count) == 0


def test_it_creates_and_edits_a_contact(office_a):
    staff = office_a.staff_client()
    company = in_schema(office_a, lambda: Company.objects.create(name="Acme"))
    form = staff.get(f"/office/contacts/new/?company={company.pk}").content.decode()
    assert f'<option value="{company.pk}" selected>Acme</option>' in form
    response = staff.post(
        "/office/contacts/new/",
        {
            "first_name": " Jane ",
            "last_name": "Doe",
            "email": "Jane@Example.COM",
            "phone": "+44 20 7946 0000",
            "language": "fr",
            "company": company.pk,
            "owner": office_a.owner_id,
        },
    )
    assert response.status_code == 302
    with schema_context(office_a.schema_name):
        jane = Contact.objects.get()
        assert (jane.first_name, jane.email, jane.language, jane.source) == (
            "Jane",
            "jane@example.com",
            "fr",
            "office",
        )
        assert jane.company == company and jane.owner_id == office_a.owner_id
        assert ActivityEntry.objects.filter(contact=jane, verb="contact_created").exists()
    assert response["Location"] == f"/office/contacts/{jane.pk}/"
    page = staff.get(response["Location"]).content.decode()
    assert (
        "Jane Doe" in page and "Français" in page and "Added by the office" in page and "Not invited" in page
    )

    bad = staff.post(
        f"/office/contacts/{jane.pk}/edit/", {"first_name": "Jane", "email": "nope", "language": "fr"}
    )
    assert bad.status_code == 200 and "Enter a valid email address." in bad.content.decode()
    response = staff.post(
        f"/office/contacts/{jane.pk}/edit/",
        {"first_name": "Jane", "last_name": "Smith", "email": "jane@example.com", "language": "de"},
    )
    assert response.status_code == 302
    with schema_context(office_a.schema_name):
        jane.refresh_from_db()
        assert (jane.last_name, jane.language, jane.company) == ("Smith", "de", None)
        entry = ActivityEntry.objects.get(contact=jane, verb="contact_updated")
        assert set(entry.data["fields"]) == {"last_name", "phone", "language", "company", "owner"}


def test_it_offers_only_this_offices_staff_as_owner(office_a):
    from django.contrib.auth import get_user_model

    with schema_context(office_a.schema_name):
        get_user_model().objects.create_user("nostaff", "nostaff@alpha.example", "x", is_staff=False)
    html = office_a.staff_client().get("/office/contacts/new/").content.decode()
    assert office_a.owner_email in html and "nostaff@alpha.example" not in html


# --- the detail page ----------------------------------------------------------------------------


def test_it_warns_of_an_email_conflict_only_when_the_email_is_shared(office_a):
    one = make_contact(office_a, "One", email="shared@example.com")
    two = make_contact(office_a, "Two", email="other@example.com")
    no_email = make_contact(office_a, "Three")
    make_contact(office_a, "Four")
    staff = office_a.staff_client()
    for contact in (one, two, no_email):
        assert "Email conflict" not in staff.get(f"/office/contacts/{contact.pk}/").content.decode()

    response = staff.post(
        f"/office/contacts/{two.pk}/edit/",
        {"first_name": "Two", "email": "SHARED@example.com", "language": "en"},
        follow=True,
    )
    assert "Another contact also uses shared@example.com" in messages_of(response)
    for contact, other in ((one, two), (two, one)):
        html = staff.get(f"/office/contacts/{contact.pk}/").content.decode()
        assert 'id="email-conflict"' in html and "Email conflict" in html
        assert f'href="/office/contacts/{other.pk}/"' in html
    listing = staff.get("/office/contacts/").content.decode()
    assert listing.count('title="Another contact uses this email"') == 2


def test_it_shows_the_portal_account_state(office_a):
    contact = make_contact(office_a, "Dana", email="dana@example.com", status=PortalAccount.Status.JOINED)
    with schema_context(office_a.schema_name):
        PortalAccount.objects.filter(contact=contact).update(must_change_password=True)
    html = office_a.staff_client().get(f"/office/contacts/{contact.pk}/").content.decode()
    assert 'data-status="joined"' in html and "Must choose a new password" in html


def test_it_shows_the_whole_activity_log_newest_first_a_page_at_a_time(office_a):
    contact = make_contact(office_a, "Log")
    with schema_context(office_a.schema_name):
        for n in range(25):
            ActivityEntry.objects.create(contact=contact, verb="note", summary=f"Entry {n:02}")
    staff = office_a.staff_client()
    html = staff.get(f"/office/contacts/{contact.pk}/").content.decode()
    assert html.index("Entry 24") < html.index("Entry 23") and "Entry 04" not in html
    assert "activity=2#activity" in html
    older = staff.get(f"/office/contacts/{contact.pk}/?activity=2").content.decode()
    assert "Entry 04" in older and "Entry 00" in older and "Entry 05" not in older


# --- account actions ----------------------------------------------------------------------------


def test_it_invites_with_a_link_to_set_a_password(office_a, mailoutbox):
    contact = make_contact(office_a, "Ivy", email="ivy@example.com")
    staff = office_a.staff_client()
    response = staff.post(
        f"/office/contacts/{contact.pk}/portal/invite/",
        {"delivery": "link", "custom_message": "Your documents are ready.", "portal": "off"},
        follow=True,
    )
    assert "Invitation sent to ivy@example.com with a link to set their password." in messages_of(response)
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["ivy@example.com"]
    assert "Your documents are ready." in mailoutbox[0].body and "/auth/invite/" in mailoutbox[0].body
    with schema_context(office_a.schema_name):
        account = PortalAccount.objects.get(contact=contact)
        assert account.status == "invited" and account.invited_at and not account.must_change_password
        assert ActivityEntry.objects.filter(contact=contact, verb="invitation_sent").exists()
    assert 'data-status="invited"' in response.content.decode()


def test_it_invites_with_a_temporary_password(office_a, mailoutbox):
    contact = make_contact(office_a, "Tom", email="tom@example.com")
    office_a.staff_client().post(
        f"/office/contacts/{contact.pk}/portal/invite/", {"delivery": "temporary_password", "portal": "off"}
    )
    assert "temporary password" in mailoutbox[0].body
    with schema_context(office_a.schema_name):
        assert PortalAccount.objects.get(contact=contact).must_change_password


def test_it_shows_the_invite_form_again_when_it_is_wrong(office_a, mailoutbox):
    contact = make_contact(office_a, "Wes", email="wes@example.com")
    staff = office_a.staff_client()
    assert staff.get(f"/office/contacts/{contact.pk}/portal/invite/").status_code == 200
    response = staff.post(
        f"/office/contacts/{contact.pk}/portal/invite/", {"delivery": "pigeon", "custom_message": "x" * 501}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Select a valid choice" in html and "at most 500 characters" in html
    assert not mailoutbox


def test_it_explains_why_a_contact_without_email_gets_no_email(office_a, mailoutbox):
    contact = make_contact(office_a, "Noah")
    staff = office_a.staff_client()
    for path, data in (("invite/", {"delivery": "link", "portal": "off"}), ("login-email/", {})):
        response = staff.post(f"/office/contacts/{contact.pk}/portal/{path}", data, follow=True)
        assert "Contact does not have an email address." in messages_of(response)
        assert 'class="error"' in response.content.decode()
    assert not mailoutbox
    with schema_context(office_a.schema_name):
        assert not PortalAccount.objects.filter(contact=contact).exists()  # nothing half-written


class BrokenSMTP(BaseEmailBackend):
    """The mail server is down (the network edge)."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


def test_it_changes_nothing_when_the_email_cannot_be_sent(office_a, settings, mailoutbox):
    settings.EMAIL_BACKEND = "tests.portal_core.test_contacts.BrokenSMTP"
    contact = make_contact(office_a, "Sam", email="sam@example.com")
    staff = office_a.staff_client()
    for path, data in (
        ("invite/", {"delivery": "temporary_password", "portal": "off"}),
        ("login-email/", {}),
    ):
        response = staff.post(f"/office/contacts/{contact.pk}/portal/{path}", data, follow=True)
        assert "The email could not be sent just now, so nothing was changed." in messages_of(response)
    with schema_context(office_a.schema_name):
        assert not PortalAccount.objects.filter(contact=contact).exists()
        assert not ActivityEntry.objects.filter(contact=contact).exclude(verb="contact_created").exists()


def test_it_gives_the_direct_link_with_a_copy_button(office_a):
    contact = make_contact(office_a, "Lou", email="lou@example.com")
    staff = office_a.staff_client()
    response = staff.post(f"/office/contacts/{contact.pk}/portal/direct-link/", follow=True)
    html = response.content.decode()
    link = re.search(r'id="direct-link-url">(http[^<]+/client-portal/[^<]+)<', html).group(1)
    assert 'data-copy="direct-link-url"' in html
    assert link not in staff.get(f"/office/contacts/{contact.pk}/").content.decode()  # shown once
    partial = staff.post(f"/office/contacts/{contact.pk}/portal/direct-link/", HTTP_HX_REQUEST="true")
    assert link in partial.content.decode() and "<html" not in partial.content.decode()  # the same link
    with schema_context(office_a.schema_name):
        assert ActivityEntry.objects.filter(contact=contact, verb="token_created").count() == 1
    assert office_a.client().get(link.split(office_a.host, 1)[1]).status_code == 302


def test_it_sends_a_login_email(office_a, mailoutbox):
    contact = make_contact(office_a, "Mo", email="mo@example.com", status=PortalAccount.Status.JOINED)
    response = office_a.staff_client().post(f"/office/contacts/{contact.pk}/portal/login-email/", follow=True)
    assert "Login email sent to mo@example.com." in messages_of(response)
    assert len(mailoutbox) == 1 and "/auth/magic/" in mailoutbox[0].body
    with schema_context(office_a.schema_name):
        assert ActivityEntry.objects.filter(contact=contact, verb="login_email_sent").exists()


def test_it_resets_a_password(office_a):
    contact = make_contact(office_a, "Rae", email="rae@example.com", status=PortalAccount.Status.JOINED)
    with schema_context(office_a.schema_name):
        PortalAccount.objects.filter(contact=contact).update(password=make_password("Old-pass-2026!"))
    response = office_a.staff_client().post(
        f"/office/contacts/{contact.pk}/portal/reset-password/", follow=True
    )
    assert "Password reset" in messages_of(response)
    with schema_context(office_a.schema_name):
        account = PortalAccount.objects.get(contact=contact)
        assert account.must_change_password and not account.has_usable_password()
        assert ActivityEntry.objects.filter(contact=contact, verb="password_reset_by_office").exists()


def test_it_disables_and_enables_portal_access(office_a, mailoutbox):
    contact = make_contact(office_a, "Di", email="di@example.com", status=PortalAccount.Status.INVITED)
    staff = office_a.staff_client()
    response = staff.post(f"/office/contacts/{contact.pk}/portal/disable/", follow=True)
    assert "Portal access disabled" in messages_of(response)
    html = response.content.decode()
    assert 'data-status="disabled"' in html and "Enable portal access" in html
    refused = staff.post(f"/office/contacts/{contact.pk}/portal/login-email/", follow=True)
    assert "This portal account is disabled." in messages_of(refused) and not mailoutbox
    link = staff.post(f"/office/contacts/{contact.pk}/portal/direct-link/", HTTP_HX_REQUEST="true")
    assert "disabled" in link.content.decode() and "/client-portal/" not in link.content.decode()
    again = staff.post(f"/office/contacts/{contact.pk}/portal/disable/", follow=True)
    assert "already disabled" in messages_of(again)
    response = staff.post(f"/office/contacts/{contact.pk}/portal/enable/", follow=True)
    assert "Portal access enabled." in messages_of(response)
    with schema_context(office_a.schema_name):
        assert PortalAccount.objects.get(contact=contact).status == "invited"
        verbs = list(ActivityEntry.objects.filter(contact=contact).values_list("verb", flat=True))
        assert "disabled" in verbs and "enabled" in verbs


def test_it_previews_the_portal_as_the_client(office_a):
    contact = make_contact(office_a, "Pia", email="pia@example.com")
    staff = office_a.staff_client()
    html = staff.get(f"/office/contacts/{contact.pk}/").content.decode()
    assert f'action="/office/contacts/{contact.pk}/portal/preview/"' in html  # no account yet
    response = staff.post(f"/office/contacts/{contact.pk}/portal/preview/")
    assert response.status_code == 302 and response["Location"] == "/"
    account = in_schema(office_a, lambda: PortalAccount.objects.get(contact=contact))
    html = staff.get(f"/office/contacts/{contact.pk}/").content.decode()
    assert f'action="/office/preview/{account.pk}/"' in html
    with schema_context(office_a.schema_name):
        assert ActivityEntry.objects.filter(contact=contact, verb="previewed").exists()
    assert staff.post("/office/preview/end/")["Location"] == f"/office/contacts/{contact.pk}/"


def test_it_shares_files_both_ways(office_a):
    contact = make_contact(office_a, "Fay", email="fay@example.com")
    other = make_contact(office_a, "Gus", email="gus@example.com")
    staff = office_a.staff_client()
    upload = SimpleUploadedFile("contract.pdf", PDF, content_type="application/pdf")
    response = staff.post(f"/office/contacts/{contact.pk}/files/", {"file": upload}, follow=True)
    assert "contract.pdf is shared with Fay Client." in messages_of(response)
    bad = SimpleUploadedFile("tool.exe", b"MZ\x90\x00binary", content_type="application/octet-stream")
    response = staff.post(f"/office/contacts/{contact.pk}/files/", {"file": bad}, follow=True)
    assert "This kind of file cannot be shared" in messages_of(response)
    assert "Choose a file" in messages_of(staff.post(f"/office/contacts/{contact.pk}/files/", follow=True))
    with schema_context(office_a.schema_name):
        account = PortalAccount.objects.get(contact=contact)
        client_file = shared_file_upload(
            account=account, upload=SimpleUploadedFile("notes.txt", b"hello office"), uploaded_by="client"
        )
        office_file = SharedFile.objects.get(uploaded_by="staff")
    html = staff.get(f"/office/contacts/{contact.pk}/").content.decode()
    assert "contract.pdf" in html and "notes.txt" in html
    download = staff.get(f"/office/contacts/{contact.pk}/files/{client_file.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"hello office"
    assert (
        b"".join(staff.get(f"/office/contacts/{contact.pk}/files/{office_file.pk}/").streaming_content) == PDF
    )
    assert staff.get(f"/office/contacts/{other.pk}/files/{client_file.pk}/").status_code == 404


# --- another office -----------------------------------------------------------------------------

PAGES = [
    "/office/contacts/",
    "/office/contacts/new/",
    "/office/contacts/import/",
    "/office/contacts/import/sample.csv",
    "/office/contacts/{contact}/",
    "/office/contacts/{contact}/edit/",
    "/office/contacts/{contact}/portal/invite/",
    "/office/contacts/{contact}/files/{file}/",
]
ACTIONS = [
    ("/office/contacts/new/", {"first_name": "Hijacked", "language": "en"}),
    ("/office/contacts/{contact}/edit/", {"first_name": "Hijacked", "language": "en"}),
    ("/office/contacts/{contact}/portal/invite/", {"delivery": "link", "portal": "off"}),
    ("/office/contacts/{contact}/portal/direct-link/", {}),
    ("/office/contacts/{contact}/portal/login-email/", {}),
    ("/office/contacts/{contact}/portal/reset-password/", {}),
    ("/office/contacts/{contact}/portal/disable/", {}),
    ("/office/contacts/{contact}/portal/enable/", {}),
    ("/office/contacts/{contact}/portal/preview/", {}),
    ("/office/contacts/{contact}/files/", {}),
    ("/office/contacts/bulk/", {"action": "disable", "contact": ["{contact}"]}),
    ("/office/contacts/import/", {}),
]


@pytest.fixture
def victim(office_a):
    """A contact of office A with an account, a file and a password: what a stranger must not touch."""
    contact = make_contact(office_a, "Victor", email="victor@example.com", status=PortalAccount.Status.JOINED)
    with schema_context(office_a.schema_name):
        account = PortalAccount.objects.get(contact=contact)
        account.password = make_password("Victor-pass-2026!")
        account.save()
        shared = shared_file_upload(
            account=account, upload=SimpleUploadedFile("secret.pdf", PDF), uploaded_by="client"
        )
    return {"contact": contact.pk, "file": shared.pk}


def _fill(template: str, ids: dict) -> str:
    return template.format(**ids)


def _assert_untouched(office_a, victim, mailoutbox):
    assert not mailoutbox
    with schema_context(office_a.schema_name):
        contact = Contact.objects.get(pk=victim["contact"])
        assert contact.first_name == "Victor"
        assert not Contact.objects.filter(first_name="Hijacked").exists()
        account = PortalAccount.objects.get(contact=contact)
        assert account.status == "joined" and account.has_usable_password()
        assert set(ActivityEntry.objects.filter(contact=contact).values_list("verb", flat=True)) <= {
            "account_created",
            "file_shared",
        }


@pytest.mark.parametrize("page", PAGES)
def test_it_shows_no_contact_page_to_another_offices_owner(office_a, office_b, victim, page):
    stranger = office_b.staff_client()
    path = _fill(page, victim)
    if "{contact}" in page:
        assert stranger.get(path).status_code == 404  # office A's ids mean nothing on office B
    stranger.defaults["HTTP_HOST"] = office_a.host
    response = stranger.get(path)
    assert response.status_code == 302 and response["Location"].startswith("/office/login/")
    assert b"Victor" not in response.content


@pytest.mark.parametrize(("action", "data"), ACTIONS)
def test_it_lets_no_other_office_act_on_a_contact(office_a, office_b, victim, mailoutbox, action, data):
    stranger = office_b.staff_client()
    path = _fill(action, victim)
    data = {
        k: [_fill(v, victim) for v in value] if isinstance(value, list) else value
        for k, value in data.items()
    }
    on_own_host = stranger.post(path, data)
    if "{contact}" in action:
        assert on_own_host.status_code == 404
    elif action == "/office/contacts/bulk/":
        assert on_own_host.status_code == 302 and on_own_host["Location"] == "/office/contacts/"
    stranger.defaults["HTTP_HOST"] = office_a.host
    response = stranger.post(path, data)
    assert response.status_code == 302 and response["Location"].startswith("/office/login/")
    _assert_untouched(office_a, victim, mailoutbox)


def test_it_sends_anonymous_visitors_to_the_login(office_a, victim):
    anonymous = office_a.client()
    for page in PAGES:
        response = anonymous.get(_fill(page, victim))
        assert response.status_code == 302 and response["Location"].startswith("/office/login/?next=")
