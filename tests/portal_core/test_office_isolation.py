"""Every office page and action, tried by the signed-in owner of another office."""

import pytest

from tenants.models import ApiKey

OFFICE_PAGES = ["/office/", "/office/settings/", "/office/email/", "/office/modules/", "/office/api-keys/"]


@pytest.mark.parametrize("path", OFFICE_PAGES)
def test_it_shows_no_office_page_to_another_offices_owner(office_a, office_b, path):
    stranger = office_b.staff_client()
    stranger.defaults["HTTP_HOST"] = office_a.host
    response = stranger.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/office/login/")
    assert office_a.tenant.name.encode() not in response.content


@pytest.mark.parametrize(
    ("path", "data"),
    [
        (
            "/office/settings/",
            {
                "is_active": "on",
                "company_name": "Hijacked",
                "portal_name": "X",
                "primary_color": "#000000",
                "secondary_color": "#000000",
            },
        ),
        ("/office/email/", {"email_from_name": "Hijacked", "email_reply_to": "evil@bravo.example"}),
        ("/office/modules/notes/", {"enable": "1"}),
        ("/office/api-keys/", {"name": "Hijacked", "scopes": ["read", "write"]}),
    ],
)
def test_it_changes_nothing_for_another_offices_owner(office_a, office_b, path, data):
    stranger = office_b.staff_client()
    stranger.defaults["HTTP_HOST"] = office_a.host
    response = stranger.post(path, data)
    assert response.status_code == 302 and response["Location"].startswith("/office/login/")
    owner = office_a.staff_client()
    home = owner.get("/office/").content.decode()
    assert "Hijacked" not in home
    assert 'data-item="portal_on" data-done="false"' in home
    assert 'data-item="email" data-done="false"' in home
    assert owner.get("/office/notes/").status_code == 404
    assert not ApiKey.objects.filter(tenant=office_a.tenant).exists()


def test_it_lets_no_one_revoke_another_offices_key(office_a, office_b):
    office_a.staff_client().post("/office/api-keys/", {"name": "Alpha", "scopes": ["read"]})
    key = ApiKey.objects.get(tenant=office_a.tenant)
    stranger = office_b.staff_client()
    assert stranger.post(f"/office/api-keys/{key.pk}/revoke/").status_code == 404  # on its own host
    stranger.defaults["HTTP_HOST"] = office_a.host
    assert stranger.post(f"/office/api-keys/{key.pk}/revoke/").status_code == 302  # to the login page
    key.refresh_from_db()
    assert key.is_active
