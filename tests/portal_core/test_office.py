"""The office console: sign-in, the live set-up checklist, settings, API keys; and isolation."""

import re

from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django_tenants.utils import schema_context

from portal_core.selectors import portal_config_get
from tenants.models import ApiKey
from tenants.services import token_hash


def _checklist(client) -> dict[str, bool]:
    html = client.get("/office/").content.decode()
    return {k: v == "true" for k, v in re.findall(r'data-item="(\w+)" data-done="(true|false)"', html)}


def test_it_sends_anonymous_visitors_to_the_office_login(office_a):
    response = office_a.client().get("/office/")
    assert response.status_code == 302 and response["Location"] == "/office/login/?next=/office/"


def test_it_refuses_a_wrong_password_without_saying_which_part_was_wrong(office_a):
    response = office_a.client().post(
        "/office/login/", {"username": office_a.owner_email, "password": "nope"}
    )
    assert response.status_code == 200
    assert "did not match" in response.content.decode()
    unknown = office_a.client().post("/office/login/", {"username": "nobody@x.example", "password": "nope"})
    assert "did not match" in unknown.content.decode()


def test_it_does_not_let_an_owner_sign_in_on_another_office(office_a, office_b):
    response = office_b.client().post(
        "/office/login/", {"username": office_a.owner_email, "password": office_a.owner_password}
    )
    assert response.status_code == 200 and "did not match" in response.content.decode()


def test_it_ignores_a_session_cookie_from_another_office(office_a, office_b):
    client = office_a.staff_client()
    assert client.get("/office/").status_code == 200
    client.defaults["HTTP_HOST"] = office_b.host  # the same browser cookie sent to another office
    assert client.get("/office/").status_code == 302


def test_it_makes_every_checklist_item_live(office_a, django_capture_on_commit_callbacks):
    staff = office_a.staff_client()
    assert _checklist(staff) == {
        "portal_on": False,
        "api_key": False,
        "company_name": True,
        "email": False,
        "first_content": False,
    }
    staff.post(
        "/office/settings/",
        {
            "is_active": "on",
            "company_name": "Alpha Realty",
            "portal_name": "Alpha",
            "welcome_message": "Hi",
            "primary_color": "#112233",
            "secondary_color": "#445566",
        },
    )
    staff.post("/office/email/", {"email_from_name": "Alpha Realty", "email_reply_to": "desk@alpha.example"})
    staff.post("/office/api-keys/", {"name": "Website", "scopes": ["read"]})
    with django_capture_on_commit_callbacks(execute=True):
        staff.post("/office/modules/notes/", {"enable": "1"})
    assert _checklist(staff) == {
        "portal_on": True,
        "api_key": True,
        "company_name": True,
        "email": True,
        "first_content": False,
    }
    with schema_context(office_a.schema_name):
        from tests.sample_module.models import Note

        Note.objects.create(text="First")
    assert _checklist(staff)["first_content"] is True
    assert "5 of 5 done" in staff.get("/office/").content.decode()

    staff.post(
        "/office/settings/",
        {
            "company_name": "",
            "portal_name": "Alpha",
            "welcome_message": "",
            "primary_color": "#112233",
            "secondary_color": "#445566",
        },
    )
    assert _checklist(staff)["portal_on"] is False and _checklist(staff)["company_name"] is False


def test_it_rejects_bad_settings_with_field_errors(office_a):
    staff = office_a.staff_client()
    response = staff.post(
        "/office/settings/",
        {"company_name": "A", "portal_name": "", "primary_color": "blue", "secondary_color": "#445566"},
    )
    html = response.content.decode()
    assert (
        response.status_code == 200
        and "Use a colour like #3B82F6." in html
        and "This field is required" in html
    )
    response = staff.post("/office/email/", {"email_from_name": "A", "email_reply_to": "not-an-email"})
    assert "Enter a valid email address." in response.content.decode()


def test_it_shows_an_api_key_once_and_stores_only_its_hash(office_a):
    staff = office_a.staff_client()
    created = staff.post("/office/api-keys/", {"name": "Website", "scopes": ["read", "write"]})
    assert created.status_code == 302 and created["Location"] == "/office/api-keys/"
    page = staff.get("/office/api-keys/").content.decode()
    secret = re.search(r'id="new-key">([^<]+)<', page).group(1).strip()
    key = ApiKey.objects.get(tenant=office_a.tenant)
    assert secret.startswith(key.prefix + ".") and len(secret) > 40
    assert key.key_hash == token_hash(secret, purpose="api-key") and secret not in str(
        ApiKey.objects.values().get()
    )
    again = staff.get("/office/api-keys/").content.decode()  # a reload shows it no more, creates nothing
    assert secret not in again and f"{key.prefix}…" in again
    assert ApiKey.objects.filter(tenant=office_a.tenant).count() == 1


def test_it_refuses_a_past_expiry_and_unknown_scopes(office_a):
    staff = office_a.staff_client()
    page = staff.post(
        "/office/api-keys/", {"name": "Old", "scopes": ["read"], "expires_at": "2001-01-01T00:00"}
    ).content.decode()
    assert "must be in the future" in page
    page = staff.post("/office/api-keys/", {"name": "Odd", "scopes": ["admin"]}).content.decode()
    assert "Select a valid choice" in page
    assert not ApiKey.objects.exists()


def test_it_revokes_keys_of_its_own_office_only(office_a, office_b):
    a, b = office_a.staff_client(), office_b.staff_client()
    a.post("/office/api-keys/", {"name": "A key", "scopes": ["read"]})
    key = ApiKey.objects.get(tenant=office_a.tenant)
    assert key.prefix not in b.get("/office/api-keys/").content.decode()
    assert b.post(f"/office/api-keys/{key.pk}/revoke/").status_code == 404
    key.refresh_from_db()
    assert key.revoked_at is None
    assert a.post(f"/office/api-keys/{key.pk}/revoke/").status_code == 302
    key.refresh_from_db()
    assert key.revoked_at is not None and not key.is_active


def test_it_shows_a_clear_page_while_the_portal_is_off(office_a):
    page = office_a.client().get("/")
    assert page.status_code == 200 and "not active" in page.content.decode()
    office_a.staff_client().post(
        "/office/settings/",
        {
            "is_active": "on",
            "company_name": "Alpha Realty",
            "portal_name": "Alpha Portal",
            "welcome_message": "Hello!",
            "primary_color": "#112233",
            "secondary_color": "#445566",
        },
    )
    client, _ = office_a.portal_client(activate=False)
    html = client.get("/").content.decode()
    assert "Alpha Portal" in html and "Hello!" in html and "--brand: #112233" in html
    assert "<title>Alpha Realty</title>" in html


def test_it_keeps_cache_keys_and_media_paths_per_tenant(office_a, office_b, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    keys = {}
    for office in (office_a, office_b):
        with schema_context(office.schema_name):
            assert portal_config_get().company_name == office.tenant.name  # kept per schema
            keys[office.slug] = cache.make_key("any")
            name = default_storage.save("logos/logo.txt", ContentFile(b"x"))
            assert default_storage.path(name).startswith(str(tmp_path / office.schema_name))
    assert keys["alpha"] != keys["bravo"]
    assert office_a.schema_name in keys["alpha"] and office_b.schema_name in keys["bravo"]
    with schema_context(office_a.schema_name):
        assert portal_config_get().company_name == office_a.tenant.name
