"""A module switched on and off by an office: pages, API, navigation, hooks, plan limits."""

import pytest
from django_tenants.utils import schema_context

from tenants.models import Plan
from tests.sample_module.models import HookCall, Note


def _add_note(office, text="Bring the keys"):
    with schema_context(office.schema_name):
        Note.objects.create(text=text)


def _toggle(client, key, enable: bool):
    return client.post(f"/office/modules/{key}/", {"enable": "1" if enable else "0"})


def _activate_portal(office):
    from portal_core.models import PortalConfig

    with schema_context(office.schema_name):
        PortalConfig.objects.update(is_active=True)


def test_it_answers_404_everywhere_while_a_module_is_off(office_a):
    _add_note(office_a)
    staff = office_a.staff_client()
    assert staff.get("/notes/").status_code == 404
    assert staff.get("/office/notes/").status_code == 404
    assert staff.get("/api/v1/notes/").status_code == 404
    assert 'data-module="notes"' not in staff.get("/office/").content.decode()


def test_it_serves_a_module_once_switched_on(office_a, django_capture_on_commit_callbacks):
    _add_note(office_a)
    _activate_portal(office_a)
    staff = office_a.staff_client()
    with django_capture_on_commit_callbacks(execute=True):
        assert _toggle(staff, "notes", True).status_code == 302
    assert "Bring the keys" in staff.get("/notes/").content.decode()
    assert staff.get("/office/notes/").status_code == 200
    assert [n["text"] for n in staff.get("/api/v1/notes/").json()["results"]] == ["Bring the keys"]
    office_home = staff.get("/office/").content.decode()
    assert 'data-module="notes"' in office_home
    client, _ = office_a.portal_client()
    portal_home = client.get("/").content.decode()
    assert 'href="/notes/"' in portal_home and 'data-module="notes"' in portal_home
    assert "Notes" in portal_home  # the module's statistic on the home page
    with schema_context(office_a.schema_name):
        assert list(HookCall.objects.values_list("hook", "tenant_slug")) == [("enabled", "alpha")]


def test_it_keeps_data_and_hides_everything_when_switched_off(office_a, django_capture_on_commit_callbacks):
    _add_note(office_a)
    _activate_portal(office_a)
    staff = office_a.staff_client()
    with django_capture_on_commit_callbacks(execute=True):
        _toggle(staff, "notes", True)
        _toggle(staff, "notes", False)
    assert staff.get("/notes/").status_code == 404
    assert staff.get("/office/notes/").status_code == 404
    assert staff.get("/api/v1/notes/").status_code == 404
    assert 'data-module="notes"' not in staff.get("/office/").content.decode()
    client, _ = office_a.portal_client()
    assert 'href="/notes/"' not in client.get("/").content.decode()
    with schema_context(office_a.schema_name):
        assert Note.objects.count() == 1
        assert list(HookCall.objects.values_list("hook", flat=True)) == ["enabled", "disabled"]


def test_it_enables_a_module_for_one_office_only(office_a, office_b):
    _toggle(office_a.staff_client(), "notes", True)
    assert office_a.staff_client().get("/office/notes/").status_code == 200
    assert office_b.staff_client().get("/office/notes/").status_code == 404


def test_it_refuses_a_module_outside_the_plan(make_office):
    plan = Plan.objects.create(name="Estate only", code="estate-only", allowed_modules=["real_estate"])
    office = make_office("gamma", plan=plan)
    staff = office.staff_client()
    response = _toggle(staff, "notes", True)
    assert response.status_code == 302
    page = staff.get("/office/modules/").content.decode()
    assert "Not in your plan" in page
    follow = staff.post("/office/modules/notes/", {"enable": "1"}, follow=True).content.decode()
    assert "Your plan (Estate only) does not include Notes." in follow
    assert staff.get("/office/notes/").status_code == 404
    assert _toggle(staff, "real_estate", True).status_code == 302
    assert "real_estate" in staff.get("/office/modules/").content.decode()


@pytest.mark.parametrize("key", ["unknown", "real-estate"])
def test_it_answers_404_for_an_unknown_module(office_a, key):
    assert _toggle(office_a.staff_client(), key, True).status_code == 404


def test_it_lets_only_staff_toggle_modules(office_a, office_b):
    assert _toggle(office_a.client(), "notes", True).status_code == 302  # to the login page
    assert office_a.staff_client().get("/office/notes/").status_code == 404
    # a signed-in owner of another office, with their cookie, is a stranger here
    stranger = office_b.staff_client()
    stranger.defaults["HTTP_HOST"] = office_a.host
    response = _toggle(stranger, "notes", True)
    assert response.status_code == 302 and "/office/login/" in response["Location"]
    assert office_a.staff_client().get("/office/notes/").status_code == 404


def test_a_module_adds_its_card_to_the_contact_page_only_while_on(
    office_a, django_capture_on_commit_callbacks
):
    from portal_core.models import Contact

    _add_note(office_a)
    with schema_context(office_a.schema_name):
        contact = Contact.objects.create(first_name="Robin", email="robin@example.com")
    staff = office_a.staff_client()
    page = f"/office/contacts/{contact.pk}/"
    assert 'data-module-panel="notes"' not in staff.get(page).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        _toggle(staff, "notes", True)
    html = staff.get(page).content.decode()
    assert 'data-module-panel="notes"' in html and "<p>1 notes for Robin</p>" in html
    with django_capture_on_commit_callbacks(execute=True):
        _toggle(staff, "notes", False)
    assert 'data-module-panel="notes"' not in staff.get(page).content.decode()
