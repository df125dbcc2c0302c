"""No dead ends in the office: inviting while the portal is off asks first and offers to switch it
on (one client or many); staff who forgot their password get a link by email."""

import re

from django.core import mail
from django_tenants.utils import schema_context

from portal_core.models import PortalAccount, PortalConfig

from .test_contacts import make_contact


def _portal_on(office) -> bool:
    with schema_context(office.schema_name):
        return PortalConfig.objects.get().is_active


def test_it_asks_before_inviting_while_the_portal_is_off_and_can_switch_it_on(office_a, mailoutbox):
    contact = make_contact(office_a, "Ivy", email="ivy@example.com")
    staff = office_a.staff_client()
    url = f"/office/contacts/{contact.pk}/portal/invite/"
    asked = staff.post(url, {"delivery": "link", "custom_message": "Welcome"})
    page = asked.content.decode()
    assert asked.status_code == 200 and "Your client portal is switched off" in page
    assert 'name="portal" value="on"' in page and 'name="custom_message" value="Welcome"' in page
    assert mailoutbox == [] and not _portal_on(office_a)

    staff.post(url, {"delivery": "link", "custom_message": "Welcome", "portal": "on"})
    assert _portal_on(office_a) and len(mailoutbox) == 1 and "Welcome" in mailoutbox[0].body


def test_it_sends_anyway_and_keeps_the_portal_off_when_the_office_says_so(office_a, mailoutbox):
    contact = make_contact(office_a, "Ivy", email="ivy@example.com")
    office_a.staff_client().post(
        f"/office/contacts/{contact.pk}/portal/invite/", {"delivery": "link", "portal": "off"}
    )
    assert len(mailoutbox) == 1 and not _portal_on(office_a)


def test_it_counts_the_clients_of_a_bulk_invite_before_sending(office_a):
    ids = [make_contact(office_a, f"C{n}", email=f"c{n}@example.com").pk for n in range(3)]
    staff = office_a.staff_client()
    asked = staff.post("/office/contacts/bulk/", {"action": "invite", "contact": ids})
    page = asked.content.decode()
    assert "these 3 clients get" in page and "send 3 emails" in page
    assert len(re.findall(r'name="contact" value="\d+"', page)) == 3
    started = staff.post("/office/contacts/bulk/", {"action": "invite", "contact": ids, "portal": "on"})
    assert started.status_code == 302 and "/office/jobs/" in started["Location"] and _portal_on(office_a)
    with schema_context(office_a.schema_name):
        assert PortalAccount.objects.filter(status="invited").count() == 3


def test_it_asks_nothing_when_the_portal_is_on(office_a, mailoutbox):
    with schema_context(office_a.schema_name):
        config = PortalConfig.objects.get()
        config.is_active = True
        config.save()
    contact = make_contact(office_a, "Ivy", email="ivy@example.com")
    response = office_a.staff_client().post(
        f"/office/contacts/{contact.pk}/portal/invite/", {"delivery": "link"}
    )
    assert response.status_code == 302 and len(mailoutbox) == 1


def test_it_emails_staff_a_link_to_choose_a_new_password(office_a):
    client = office_a.client()
    login = client.get("/office/login/").content.decode()
    assert 'href="/office/password/forgot/"' in login
    sent = client.post("/office/password/forgot/", {"email": office_a.owner_email})
    assert sent.status_code == 302 and sent["Location"] == "/office/password/sent/"
    [email] = mail.outbox
    link = re.search(r"http://\S+/office/password/reset/\S+/", email.body).group(0)
    path = link.split(office_a.host, 1)[1].split(":", 1)[-1]
    path = path[path.index("/office/") :]
    form = client.get(path, follow=True)
    assert "Choose a new password" in form.content.decode()
    done = client.post(
        form.redirect_chain[-1][0] if form.redirect_chain else path,
        {"new_password1": "Brand-new-pass-2026!", "new_password2": "Brand-new-pass-2026!"},
    )
    assert done.status_code == 302 and done["Location"] == "/office/login/"
    assert office_a.client().login  # a fresh client signs in with the new password
    fresh = office_a.client()
    signed = fresh.post(
        "/office/login/", {"username": office_a.owner_email, "password": "Brand-new-pass-2026!"}
    )
    assert signed.status_code == 302


def test_it_gives_the_same_answer_for_an_unknown_email(office_a, office_b):
    unknown = office_a.client().post("/office/password/forgot/", {"email": "nobody@example.com"})
    other_office = office_a.client().post("/office/password/forgot/", {"email": office_b.owner_email})
    assert unknown.status_code == other_office.status_code == 302
    assert unknown["Location"] == other_office["Location"] == "/office/password/sent/"
    assert mail.outbox == []
