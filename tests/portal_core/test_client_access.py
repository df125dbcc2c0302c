"""How clients get in, and that nothing crosses from one office to another."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.hashers import make_password
from django.core import mail
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context

from portal_core import access
from portal_core.models import ActivityEntry, Contact, PortalAccount, PortalConfig, PortalToken

from ..conftest import CLIENT_PASSWORD

NEW_PASSWORD = "Brand-new-2026!"


def _in(office, func, *args, **kwargs):
    with schema_context(office.schema_name):
        result = func(*args, **kwargs)
    connection.set_schema_to_public()
    return result


def _activate(office, **fields):
    _in(office, lambda: PortalConfig.objects.update(is_active=True, **fields))


def _contact(
    office, email="kim@example.com", first_name="Kim", language="en", password=None, **account_fields
):
    def make():
        contact = Contact.objects.create(
            first_name=first_name, last_name="Test", email=email, language=language
        )
        account = access.portal_account_for(contact=contact)
        if password:
            account.password = make_password(password)
        for key, value in account_fields.items():
            setattr(account, key, value)
        account.save()
        return account

    return _in(office, make)


def _link(path_prefix: str) -> str:
    match = re.search(rf"https?://[^\s\"]+({re.escape(path_prefix)}[^\s\"<]+)", mail.outbox[-1].body)
    assert match, mail.outbox[-1].body
    return match.group(1)


def _open_link(client, path: str):
    """Open an emailed single-use link: its URL keeps the token's hash and moves to /auth/link."""
    response = client.get(path)
    assert response.status_code == 302 and response["Location"] == "/auth/link"
    assert response["Referrer-Policy"] == "no-referrer"
    return client.get("/auth/link")


def _signed_in_as(client, first_name: str) -> bool:
    page = client.get("/")
    return page.status_code == 200 and f"Hello, {first_name}" in page.content.decode()


# --- password sign-in ---------------------------------------------------------------------------


def test_it_signs_a_client_in_with_email_and_password_and_rotates_the_session(office_a):
    _activate(office_a)
    _contact(office_a, password=CLIENT_PASSWORD, onboarding_completed=True, tour_completed=True)
    client = office_a.client()
    client.get("/auth/signin")
    before = client.cookies.get("sessionid")
    response = client.post("/auth/signin", {"email": "KIM@example.com", "password": CLIENT_PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.cookies["sessionid"].value != (before.value if before else None)
    assert _signed_in_as(client, "Kim")
    account = _in(office_a, lambda: PortalAccount.objects.get(contact__email="kim@example.com"))
    assert account.status == "joined" and account.last_login is not None
    verbs = _in(office_a, lambda: list(ActivityEntry.objects.values_list("verb", flat=True)))
    assert {"joined", "login", "account_created"} <= set(verbs)


def test_it_answers_the_same_for_a_wrong_password_and_an_unknown_email(office_a):
    _activate(office_a)
    _contact(office_a, password=CLIENT_PASSWORD)
    wrong = office_a.client().post("/auth/signin", {"email": "kim@example.com", "password": "Nope-2026!"})
    unknown = office_a.client().post(
        "/auth/signin", {"email": "nobody@example.com", "password": "Nope-2026!"}
    )
    assert wrong.status_code == unknown.status_code == 200
    message = "Your email or password is not right."
    assert message in wrong.content.decode() and message in unknown.content.decode()


def test_it_rate_limits_sign_in_per_account_with_a_clear_message(office_a):
    _activate(office_a)
    _contact(office_a, password=CLIENT_PASSWORD)
    client = office_a.client()
    for _ in range(10):
        client.post("/auth/signin", {"email": "kim@example.com", "password": "Wrong-2026!"})
    blocked = client.post("/auth/signin", {"email": "kim@example.com", "password": CLIENT_PASSWORD})
    assert blocked.status_code == 429
    assert int(blocked["Retry-After"]) > 0
    assert "Too many attempts" in blocked.content.decode()


def test_it_lets_two_contacts_sharing_an_email_each_use_their_own_account(office_a):
    _activate(office_a)
    _contact(
        office_a,
        email="couple@example.com",
        first_name="Alex",
        password="Alex-pass-2026!",
        onboarding_completed=True,
        tour_completed=True,
    )
    _contact(
        office_a,
        email="couple@example.com",
        first_name="Sam",
        password="Sams-pass-2026!",
        onboarding_completed=True,
        tour_completed=True,
    )
    alex, sam = office_a.client(), office_a.client()
    alex.post("/auth/signin", {"email": "couple@example.com", "password": "Alex-pass-2026!"})
    sam.post("/auth/signin", {"email": "couple@example.com", "password": "Sams-pass-2026!"})
    assert _signed_in_as(alex, "Alex") and _signed_in_as(sam, "Sam")


def test_it_refuses_a_disabled_account(office_a):
    _activate(office_a)
    account = _contact(office_a, password=CLIENT_PASSWORD)
    _in(office_a, access.portal_account_disable, account=account, actor="staff@alpha.example")
    response = office_a.client().post(
        "/auth/signin", {"email": "kim@example.com", "password": CLIENT_PASSWORD}
    )
    assert response.status_code == 200 and "not right" in response.content.decode()


def test_it_signs_out_a_client_whose_password_the_office_reset(office_a):
    client, account = office_a.portal_client()
    _in(office_a, access.portal_account_reset_password, account=account, actor="staff@alpha.example")
    assert client.get("/")["Location"].startswith("/auth/signin")


def test_it_shows_the_inactive_page_while_the_portal_is_off(office_a):
    _contact(office_a, password=CLIENT_PASSWORD)
    page = office_a.client().get("/auth/signin")
    assert "This portal is not active" in page.content.decode()


# --- magic links --------------------------------------------------------------------------------


def test_it_signs_in_once_with_a_magic_link_and_refuses_its_reuse(office_a):
    _activate(office_a)
    _contact(office_a, password=CLIENT_PASSWORD, onboarding_completed=True, tour_completed=True)
    client = office_a.client()
    sent = client.post("/auth/magic", {"email": "kim@example.com"})
    assert "a sign-in link is on its way" in sent.content.decode()
    path = _link("/auth/magic/")
    landing = _open_link(client, path)  # a mail scanner's GET does not use the link
    assert landing.status_code == 200 and "Continue" in landing.content.decode()
    assert client.post("/auth/link")["Location"] == "/"
    assert _signed_in_as(client, "Kim")
    again = _open_link(office_a.client(), path)
    assert again.status_code == 400 and "already used" in again.content.decode()


def test_it_refuses_an_expired_magic_link(office_a):
    _activate(office_a)
    _contact(office_a, password=CLIENT_PASSWORD)
    office_a.client().post("/auth/magic", {"email": "kim@example.com"})
    path = _link("/auth/magic/")
    _in(office_a, lambda: PortalToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1)))
    assert _open_link(office_a.client(), path).status_code == 400


def test_it_says_the_same_when_asked_for_a_magic_link_of_an_unknown_email(office_a):
    _activate(office_a)
    page = office_a.client().post("/auth/magic", {"email": "nobody@example.com"})
    assert "a sign-in link is on its way" in page.content.decode()
    assert mail.outbox == []


# --- access tokens (seed 002) -------------------------------------------------------------------


def test_it_returns_the_same_access_token_until_it_is_revoked(office_a):
    account = _contact(office_a)
    first = _in(office_a, access.access_token_get_or_create, account=account)
    second = _in(office_a, access.access_token_get_or_create, account=account)
    assert first.created and not second.created and first.raw == second.raw
    assert first.token.expires_at - timezone.now() > timedelta(days=29)
    _in(office_a, access.token_revoke, token=first.token)
    third = _in(office_a, access.access_token_get_or_create, account=account)
    assert third.created and third.raw != first.raw
    stored = _in(office_a, lambda: list(PortalToken.objects.values_list("token_hash", "token_encrypted")))
    assert all(first.raw not in h and first.raw not in e for h, e in stored)


def test_it_signs_in_with_an_access_link_again_and_again_until_revoked(office_a):
    _activate(office_a)
    account = _contact(office_a, password=CLIENT_PASSWORD, onboarding_completed=True, tour_completed=True)
    issued = _in(office_a, access.access_token_get_or_create, account=account)
    path = f"/client-portal/{issued.raw}"
    for _ in range(2):
        client = office_a.client()
        response = client.get(path)
        assert response.status_code == 302 and response["Referrer-Policy"] == "no-referrer"
        assert _signed_in_as(client, "Kim")
    assert _in(office_a, lambda: ActivityEntry.objects.filter(verb="token_accessed").count()) == 2
    _in(office_a, access.token_revoke, token=issued.token)
    assert office_a.client().get(path).status_code == 400


def test_it_refuses_an_access_link_on_another_offices_host(office_a, office_b):
    _activate(office_a)
    _activate(office_b)
    account = _contact(office_a, password=CLIENT_PASSWORD)
    issued = _in(office_a, access.access_token_get_or_create, account=account)
    response = office_b.client().get(f"/client-portal/{issued.raw}")
    assert response.status_code == 400
    assert not _signed_in_as(office_b.client(), "Kim")


@pytest.mark.parametrize("token", ["", "x", "A" * 500, "../../etc/passwd", "%00"])
def test_it_refuses_malformed_tokens(office_a, token):
    _activate(office_a)
    client = office_a.client()
    for path in (f"/client-portal/{token}", f"/auth/magic/{token}", f"/auth/invite/{token}"):
        response = client.get(path, follow=True)
        assert response.status_code in (400, 404)
        assert client.post("/auth/link").status_code in (302, 400)  # nothing usable is held
        assert not _signed_in_as(client, "Kim")


# --- invitations --------------------------------------------------------------------------------


def test_it_walks_an_invited_client_through_password_slides_and_tour(office_a):
    _activate(office_a)
    account = _contact(office_a)
    invitation = _in(
        office_a,
        access.portal_account_invite,
        account=account,
        custom_message="See you soon!",
        actor="staff@alpha.example",
    )
    email = mail.outbox[-1]
    assert "See you soon!" in email.body and "/auth/invite/" in email.body
    assert _in(office_a, lambda: PortalAccount.objects.get(pk=account.pk).status) == "invited"
    client = office_a.client()
    path = invitation.url.split("localhost", 1)[1]
    assert _open_link(client, path).status_code == 200
    assert client.post("/auth/link")["Location"] == "/welcome/password"
    assert client.get("/")["Location"] == "/welcome/password"  # no way around choosing a password
    weak = client.post("/welcome/password", {"password": "weakpass"})
    assert "An upper-case letter" in weak.content.decode()
    assert client.post("/welcome/password", {"password": NEW_PASSWORD})["Location"] == "/welcome/"
    assert client.post("/welcome/")["Location"] == "/?tour=1"
    home = client.get("/?tour=1").content.decode()
    assert "data-tour-overlay" in home and "Skip the tour" in home
    client.post("/welcome/tour-done")
    assert "data-tour-overlay" not in client.get("/").content.decode()
    assert "You joined the portal" in client.get("/").content.decode()
    assert client.post("/profile/restart-tour")["Location"] == "/?tour=1"


def test_it_invites_with_a_temporary_password_to_change_at_first_sign_in(office_a):
    _activate(office_a)
    account = _contact(office_a)
    invitation = _in(office_a, access.portal_account_invite, account=account, temporary_password=True)
    assert invitation.temporary_password in mail.outbox[-1].body
    client = office_a.client()
    response = client.post(
        "/auth/signin", {"email": "kim@example.com", "password": invitation.temporary_password}
    )
    assert response["Location"] == "/welcome/password"
    client.post("/welcome/password", {"password": NEW_PASSWORD})
    fresh = office_a.client()
    assert (
        fresh.post("/auth/signin", {"email": "kim@example.com", "password": NEW_PASSWORD}).status_code == 302
    )
    assert (
        office_a.client()
        .post("/auth/signin", {"email": "kim@example.com", "password": invitation.temporary_password})
        .status_code
        == 200
    )


def test_it_refuses_to_invite_a_contact_without_email(office_a):
    account = _contact(office_a, email="")
    with pytest.raises(access.AccessError, match="Contact does not have an email address"):
        _in(office_a, access.portal_account_invite, account=account)


# --- forgotten passwords (seed 004) -------------------------------------------------------------


def test_it_resets_a_forgotten_password_by_email(office_a):
    _activate(office_a)
    _contact(office_a, password=CLIENT_PASSWORD, onboarding_completed=True, tour_completed=True)
    client = office_a.client()
    page = client.post("/auth/forgot", {"email": "kim@example.com"})
    assert "If an account uses this email" in page.content.decode()
    path = _link("/auth/reset/")
    assert _open_link(client, path).status_code == 200
    assert client.post("/auth/link", {"password": "weak"}).status_code == 200  # the policy's errors
    assert client.post("/auth/link", {"password": NEW_PASSWORD})["Location"] == "/"
    assert (
        office_a.client()
        .post("/auth/signin", {"email": "kim@example.com", "password": NEW_PASSWORD})
        .status_code
        == 302
    )
    assert _open_link(office_a.client(), path).status_code == 400


def test_it_tells_a_shared_email_to_contact_the_office_without_revealing_it_on_screen(office_a):
    _activate(office_a)
    _contact(office_a, email="couple@example.com", first_name="Alex", password=CLIENT_PASSWORD)
    _contact(office_a, email="couple@example.com", first_name="Sam", password=CLIENT_PASSWORD)
    shared = office_a.client().post("/auth/forgot", {"email": "couple@example.com"}).content.decode()
    [email] = mail.outbox
    assert "Please contact Alpha Realty" in email.body and "/auth/reset/" not in email.body
    unknown = office_a.client().post("/auth/forgot", {"email": "nobody@example.com"}).content.decode()
    assert len(mail.outbox) == 1
    strip = lambda html: re.sub(  # noqa: E731
        r'name="csrfmiddlewaretoken" value="[^"]+"|nonce="[^"]+"', "", html
    )
    assert strip(shared) == strip(unknown)


# --- self-registration (seed 001) ---------------------------------------------------------------


def _register(client, email, first_name="Robin"):
    return client.post(
        "/auth/signup",
        {"first_name": first_name, "last_name": "New", "email": email, "password": NEW_PASSWORD},
    )


def _code() -> str:
    return re.search(r"\b(\d{6})\b", mail.outbox[-1].subject).group(1)


def test_it_registers_a_new_lead(office_a):
    _activate(office_a)
    client = office_a.client()
    assert _register(client, "robin@example.com")["Location"] == "/auth/signup/verify"
    wrong = client.post("/auth/signup/verify", {"code": "000000" if _code() != "000000" else "111111"})
    assert "That code is not right." in wrong.content.decode()
    assert client.post("/auth/signup/verify", {"code": _code()})["Location"] == "/welcome/"
    contact = _in(office_a, lambda: Contact.objects.get(email="robin@example.com"))
    assert contact.source == "self_registration" and contact.first_name == "Robin"
    assert _in(
        office_a, lambda: ActivityEntry.objects.filter(contact=contact, verb="self_registered").exists()
    )


def test_it_links_a_registration_to_the_existing_contact(office_a):
    _activate(office_a)
    _contact(office_a, email="known@example.com", first_name="Known")
    client = office_a.client()
    _register(client, "known@example.com", first_name="Whoever")
    client.post("/auth/signup/verify", {"code": _code()})
    contacts = _in(office_a, lambda: list(Contact.objects.filter(email="known@example.com")))
    assert len(contacts) == 1 and contacts[0].source == "office" and contacts[0].first_name == "Known"
    entry = _in(office_a, lambda: ActivityEntry.objects.get(verb="self_registered"))
    assert entry.data == {"linked_existing_contact": True}


def test_it_answers_a_registration_the_same_whether_the_email_is_known(office_a):
    _activate(office_a)
    _contact(office_a, email="known@example.com", password=CLIENT_PASSWORD)
    known = _register(office_a.client(), "known@example.com")
    unknown = _register(office_a.client(), "fresh@example.com")
    assert known.status_code == unknown.status_code == 302 and known["Location"] == unknown["Location"]


def test_it_refuses_a_weak_password_at_registration(office_a):
    _activate(office_a)
    page = office_a.client().post(
        "/auth/signup", {"first_name": "R", "email": "r@example.com", "password": "password"}
    )
    assert "This password is too common." in page.content.decode()
    assert mail.outbox == []


def test_it_applies_the_length_policy_when_the_office_chose_it(office_a):
    _activate(office_a, password_policy="length")
    client = office_a.client()
    short = client.post("/auth/signup", {"first_name": "R", "email": "r@example.com", "password": "Aa1!aaaa"})
    assert "At least 12 characters" in short.content.decode()
    assert _register(client, "r@example.com").status_code == 302


# --- the platform host's shared link (seed 000) -------------------------------------------------


def test_it_sends_a_shared_link_to_the_offices_portal(office_a, platform_client):
    response = platform_client.get("/auth/signin", {"id": office_a.tenant.portal_id})
    assert (
        response.status_code == 302 and response["Location"] == "http://alpha.portico.localhost/auth/signin"
    )
    by_company = platform_client.get("/auth/signin", {"company_id": office_a.tenant.portal_id})
    assert by_company["Location"] == response["Location"]


@pytest.mark.parametrize(("query", "status"), [({}, 200), ({"id": "unknown"}, 404), ({"id": "x" * 200}, 404)])
def test_it_asks_for_the_agents_link_without_a_known_id(platform_client, db, query, status):
    page = platform_client.get("/auth/signin", query)
    assert page.status_code == status
    assert "Ask your agent for your portal link" in page.content.decode()


def test_it_never_accepts_an_api_key_as_the_portal_id(office_a, platform_client):
    from tenants.services import api_key_create

    issued = api_key_create(tenant=office_a.tenant, name="k")
    assert issued.secret != office_a.tenant.portal_id
    assert platform_client.get("/auth/signin", {"id": issued.secret}).status_code == 404


# --- isolation ----------------------------------------------------------------------------------


def test_it_keeps_a_clients_session_and_credentials_to_their_own_office(office_a, office_b):
    client, _ = office_a.portal_client(email="kim@example.com")
    _activate(office_b)
    client.defaults["HTTP_HOST"] = office_b.host
    assert client.get("/")["Location"].startswith("/auth/signin")
    response = client.post("/auth/signin", {"email": "kim@example.com", "password": CLIENT_PASSWORD})
    assert response.status_code == 200 and "not right" in response.content.decode()


def test_it_gives_no_access_link_for_a_disabled_account(office_a):
    account = _contact(office_a)
    _in(office_a, access.portal_account_disable, account=account, actor="staff@alpha.example")
    with pytest.raises(access.AccessError, match="disabled"):
        _in(office_a, access.access_token_get_or_create, account=account)


def test_it_accepts_the_links_form_posted_by_a_real_browser(office_a):
    """Browsers send an Origin header with a form POST; from a page with ``no-referrer`` it would be
    ``null`` and CSRF protection would refuse it. The form lives on /auth/link, which keeps the default."""
    from django.test import Client

    _activate(office_a)
    _contact(office_a, password=CLIENT_PASSWORD, onboarding_completed=True, tour_completed=True)
    office_a.client().post("/auth/magic", {"email": "kim@example.com"})
    browser = Client(HTTP_HOST=office_a.host, enforce_csrf_checks=True)
    page = _open_link(browser, _link("/auth/magic/"))
    assert page.get("Referrer-Policy", "same-origin") != "no-referrer"
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
    origin = f"http://{office_a.host}"
    response = browser.post(
        "/auth/link", {"csrfmiddlewaretoken": token}, HTTP_ORIGIN=origin, HTTP_REFERER=f"{origin}/auth/link"
    )
    assert response.status_code == 302 and response["Location"] == "/"
