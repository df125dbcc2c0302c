import re
import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection, connections
from django.utils import timezone
from django_tenants.utils import schema_context

from tenants.models import SignupRequest, Tenant
from tenants.services import SignupError, signup_start, signup_verify_code

from ..conftest import host_for

GOOD = {
    "office_name": "Harbour Homes",
    "subdomain": "harbour",
    "owner_name": "Hana Harbour",
    "email": "hana@harbour.example",
    "password": "Sea-view-2026!",
    "time_zone": "Europe/Lisbon",
}


def _code_from_mail() -> str:
    return re.search(r"\b(\d{6})\b", mail.outbox[-1].subject).group(1)


def _link_token_from_mail() -> str:
    return re.search(r"/signup/confirm/([^/\s]+)/", mail.outbox[-1].body).group(1)


def _signup(platform_client, **overrides):
    return platform_client.post("/signup/", {**GOOD, **overrides})


def schemas_in_database() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT nspname FROM pg_namespace WHERE nspname LIKE 't\\_%'")
        return {row[0] for row in cursor.fetchall()}


def test_it_signs_up_verifies_and_lands_logged_in_on_the_office(platform_client, db):
    response = _signup(platform_client)
    pending = SignupRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/signup/verify/{pending.id}/"
    assert mail.outbox[-1].to == ["hana@harbour.example"]
    assert pending.password_hash.startswith("md5$")  # hashed at submission, never kept in clear
    assert "Sea-view-2026!" not in str(SignupRequest.objects.values().get())

    landed = platform_client.post(f"/signup/verify/{pending.id}/", {"code": _code_from_mail()})
    assert landed.status_code == 302
    match = re.fullmatch(r"http://harbour\.portico\.localhost/office/welcome/([^/]+)/", landed["Location"])
    assert match, landed["Location"]

    office = platform_client.__class__(HTTP_HOST=host_for("harbour"))
    welcome = office.get(f"/office/welcome/{match.group(1)}/")
    assert welcome["Location"] == "/office/"
    home = office.get("/office/")
    assert home.status_code == 200
    html = home.content.decode()
    assert "Set up your client portal" in html
    for item in ("portal_on", "api_key", "company_name", "email", "first_content"):
        assert f'data-item="{item}"' in html
    assert 'data-item="company_name" data-done="true"' in html
    assert 'data-item="portal_on" data-done="false"' in html

    tenant = Tenant.objects.get(slug="harbour")
    assert tenant.status == "active" and tenant.name == "Harbour Homes" and tenant.plan.code == "starter"
    with schema_context(tenant.schema_name):
        from django.contrib.auth import get_user_model

        owner = get_user_model().objects.get()
        assert owner.email == "hana@harbour.example" and owner.is_staff and owner.first_name == "Hana"


def test_it_logs_in_only_once_with_a_handoff_ticket(platform_client, db):
    _signup(platform_client)
    pending = SignupRequest.objects.get()
    landed = platform_client.post(f"/signup/verify/{pending.id}/", {"code": _code_from_mail()})
    path = landed["Location"].split("localhost", 1)[1]
    first = platform_client.__class__(HTTP_HOST=host_for("harbour"))
    assert first.get(path)["Location"] == "/office/"
    replay = platform_client.__class__(HTTP_HOST=host_for("harbour"))
    assert replay.get(path)["Location"] == "/office/login/"
    assert replay.get("/office/").status_code == 302


def test_it_refuses_a_handoff_ticket_on_another_office(platform_client, office_b):
    _signup(platform_client)
    pending = SignupRequest.objects.get()
    landed = platform_client.post(f"/signup/verify/{pending.id}/", {"code": _code_from_mail()})
    path = landed["Location"].split("localhost", 1)[1]
    elsewhere = office_b.client()
    assert elsewhere.get(path)["Location"] == "/office/login/"
    assert elsewhere.get("/office/").status_code == 302


@pytest.mark.parametrize(
    ("subdomain", "message"),
    [
        ("www", "is reserved"),
        ("admin", "is reserved"),
        ("api", "is reserved"),
        ("portal", "is reserved"),
        ("mail", "is reserved"),
        ("static", "is reserved"),
        ("office", "is reserved"),
        ("Bad_Name!", "lower-case letters, digits and hyphens"),
        ("has space", "Use 3 to 40 characters"),
        ("-dash", "Use 3 to 40 characters"),
        ("ab", "Use 3 to 40 characters"),
        ("a--b", "Two hyphens"),
        ("", "This field is required"),
    ],
)
def test_it_refuses_bad_subdomains_with_a_clear_message(platform_client, db, subdomain, message):
    response = _signup(platform_client, subdomain=subdomain)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not SignupRequest.objects.exists()
    assert not mail.outbox


def test_it_lower_cases_a_subdomain_typed_in_capitals(platform_client, db):
    assert _signup(platform_client, subdomain="Harbour-Homes").status_code == 302
    assert SignupRequest.objects.get().slug == "harbour-homes"


def test_it_refuses_a_taken_subdomain(platform_client, office_a):
    response = _signup(platform_client, subdomain="alpha")
    assert "already taken" in response.content.decode()


def test_it_refuses_a_weak_password(platform_client, db):
    response = _signup(platform_client, password="password")
    assert "too common" in response.content.decode()
    assert not SignupRequest.objects.exists()


def test_it_counts_wrong_codes_and_locks_after_five(platform_client, db):
    _signup(platform_client)
    pending = SignupRequest.objects.get()
    code = _code_from_mail()
    wrong = "000000" if code != "000000" else "111111"
    response = platform_client.post(f"/signup/verify/{pending.id}/", {"code": wrong})
    assert "That code is not right. 4 attempts left." in response.content.decode()
    for _ in range(4):
        response = platform_client.post(f"/signup/verify/{pending.id}/", {"code": wrong})
    assert "Too many wrong codes" in response.content.decode()
    response = platform_client.post(f"/signup/verify/{pending.id}/", {"code": code})
    assert "Too many wrong codes" in response.content.decode()
    assert not Tenant.objects.filter(slug="harbour").exists()


def test_it_refuses_an_expired_code(platform_client, db):
    _signup(platform_client)
    pending = SignupRequest.objects.get()
    SignupRequest.objects.filter(pk=pending.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = platform_client.post(f"/signup/verify/{pending.id}/", {"code": _code_from_mail()})
    assert "This code has expired" in response.content.decode()
    assert not Tenant.objects.filter(slug="harbour").exists()


def test_it_refuses_a_replayed_code(platform_client, db):
    _signup(platform_client)
    pending = SignupRequest.objects.get()
    code = _code_from_mail()
    assert platform_client.post(f"/signup/verify/{pending.id}/", {"code": code}).status_code == 302
    again = platform_client.post(f"/signup/verify/{pending.id}/", {"code": code})
    assert again.status_code == 200
    assert "already used" in again.content.decode()
    assert Tenant.objects.filter(slug="harbour").count() == 1


def test_it_confirms_by_link_only_after_a_click(platform_client, db):
    _signup(platform_client)
    token = _link_token_from_mail()
    page = platform_client.get(f"/signup/confirm/{token}/")
    assert (
        page.status_code == 200 and not Tenant.objects.filter(slug="harbour").exists()
    )  # scanners are harmless
    confirmed = platform_client.post(f"/signup/confirm/{token}/")
    assert (
        confirmed.status_code == 302 and "harbour.portico.localhost/office/welcome/" in confirmed["Location"]
    )
    replay = platform_client.post(f"/signup/confirm/{token}/")
    assert replay.status_code == 400 and "already used" in replay.content.decode()
    assert platform_client.post("/signup/confirm/not-a-real-token/").status_code == 400


def test_it_lets_the_loser_of_a_subdomain_race_pick_another(platform_client, db):
    _signup(platform_client)
    first = SignupRequest.objects.get()
    first_code = _code_from_mail()
    _signup(platform_client, email="other@harbour.example")
    second = SignupRequest.objects.exclude(pk=first.pk).get()
    second_code = _code_from_mail()
    assert platform_client.post(f"/signup/verify/{first.id}/", {"code": first_code}).status_code == 302

    lost = platform_client.post(f"/signup/verify/{second.id}/", {"code": second_code})
    assert "was just taken" in lost.content.decode() or "already taken" in lost.content.decode()
    assert 'name="subdomain"' in lost.content.decode()
    platform_client.post(f"/signup/verify/{second.id}/", {"subdomain": "harbour-two"})
    won = platform_client.post(f"/signup/verify/{second.id}/", {"code": second_code})
    assert "harbour-two.portico.localhost" in won["Location"]


@pytest.mark.django_db(transaction=True)
def test_it_lets_exactly_one_of_two_concurrent_signups_win(settings):
    from tenants.services import pool_top_up

    settings.PORTICO_TASKS_EAGER = False  # the pool refill stays queued: the pool's count is asserted
    pool_top_up(size=2)
    pooled_before = Tenant.objects.filter(status="pooled").count()
    schemas_before = schemas_in_database()
    pending = []
    for email in ("one@race.example", "two@race.example"):
        signup_start(
            office_name="Race",
            slug="race",
            owner_name="R",
            email=email,
            password="Race-2026-pw!",
            verify_url_base="http://portico.localhost",
        )
        pending.append((SignupRequest.objects.get(email=email).id, _code_from_mail()))

    barrier = threading.Barrier(2)
    outcomes = []

    def verify(signup_id, code):
        try:
            barrier.wait()
            signup_verify_code(signup_id=signup_id, code=code)
            outcomes.append("won")
        except SignupError as exc:
            outcomes.append(exc.message)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=verify, args=item) for item in pending]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert outcomes.count("won") == 1, outcomes
    loser = next(o for o in outcomes if o != "won")
    assert "race" in loser and "taken" in loser
    assert Tenant.objects.filter(slug="race").count() == 1
    # one pooled schema was used, the loser's claim went back to the pool; no schema without a tenant
    assert Tenant.objects.filter(status="pooled").count() == pooled_before - 1
    assert schemas_in_database() == schemas_before
    assert Tenant.objects.get(slug="race").schema_name in schemas_before


def test_the_office_starts_in_the_time_zone_chosen_at_sign_up(platform_client, db):
    from portal_core.models import PortalConfig

    page = platform_client.get("/signup/").content.decode()
    assert "data-guess-time-zone" in page and '<option value="America/New_York">' in page
    _signup(platform_client, time_zone="America/New_York")
    pending = SignupRequest.objects.get()
    assert pending.time_zone == "America/New_York"
    assert (
        platform_client.post(f"/signup/verify/{pending.id}/", {"code": _code_from_mail()}).status_code == 302
    )
    with schema_context(Tenant.objects.get(slug="harbour").schema_name):
        assert PortalConfig.objects.get().time_zone == "America/New_York"
    connection.set_schema_to_public()


@pytest.mark.parametrize("zone", ["", "Mars/Olympus_Mons", "Europe/Amsterdam'--"])
def test_a_sign_up_without_a_real_time_zone_is_refused_and_keeps_what_was_typed(platform_client, db, zone):
    response = _signup(platform_client, time_zone=zone)
    assert response.status_code == 200 and not SignupRequest.objects.exists() and not mail.outbox
    html = response.content.decode()
    assert "Time zone" in html and ("This field is required" in html or "Select a valid choice" in html)
    assert 'value="Harbour Homes"' in html and 'value="hana@harbour.example"' in html
