"""The operators' admin on the platform host."""

import gzip
import re
from pathlib import Path

import pytest
from django.contrib.admin.models import DELETION, LogEntry
from django.core import mail
from django.db import connection
from django_tenants.utils import schema_exists

from tenants.models import Tenant


def test_it_lists_offices_with_status_plan_domains_and_counts(operator_client, office_a, office_b):
    html = operator_client.get("/admin/tenants/tenant/").content.decode()
    for text in (
        "Alpha Realty",
        "Bravo Realty",
        "alpha.portico.localhost",
        "bravo.portico.localhost",
        "Starter",
        "Staff",
        "Portal accounts",
    ):
        assert text in html
    assert "t_base" not in html and "Pooled" not in html  # the pool is not an office
    assert html.count('<td class="field-staff_count">1</td>') == 2
    assert html.count('<td class="field-portal_account_count">0</td>') == 2


def test_it_needs_an_operator(platform_client, office_a):
    response = platform_client.get("/admin/tenants/tenant/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    # an office owner's credentials are not operator credentials
    assert not platform_client.login(username=office_a.owner_email, password=office_a.owner_password)


def test_it_suspends_and_resumes_an_office_after_asking_for_a_reason(operator_client, office_a, office_b):
    asked = operator_client.post(
        "/admin/tenants/tenant/", {"action": "suspend", "_selected_action": [office_a.tenant.pk]}
    )
    assert asked.status_code == 302 and "/status/suspend/" in asked["Location"]
    confirm = operator_client.get(asked["Location"]).content.decode()
    assert "Suspend 1 office?" in confirm and office_a.tenant.name in confirm
    assert confirm.count("<h1") == 1  # the page's title, once
    assert Tenant.objects.get(pk=office_a.tenant.pk).status == "active"  # nothing happens before
    refused = operator_client.post(asked["Location"], {"reason": ""})
    assert refused.status_code == 200 and Tenant.objects.get(pk=office_a.tenant.pk).status == "active"
    operator_client.post(asked["Location"], {"reason": "Three invoices unpaid since March."})
    tenant = Tenant.objects.get(pk=office_a.tenant.pk)
    assert tenant.status == "suspended" and tenant.suspension_reason == "Three invoices unpaid since March."
    clients_see = office_a.client().get("/")
    owner_sees = office_a.client().get("/office/login/")
    assert clients_see.status_code == owner_sees.status_code == 403
    assert "Three invoices unpaid" not in clients_see.content.decode()
    page = owner_sees.content.decode()
    assert "Your office is suspended" in page and "Three invoices unpaid since March." in page
    assert "How to resolve it" in page and "mailto:support@" in page
    assert office_b.client().get("/office/login/").status_code == 200
    resumed = operator_client.post(
        "/admin/tenants/tenant/", {"action": "resume", "_selected_action": [office_a.tenant.pk]}
    )
    operator_client.post(resumed["Location"], {"reason": "Paid."})
    assert Tenant.objects.get(pk=office_a.tenant.pk).status == "active"
    assert office_a.client().get("/office/login/").status_code == 200


def test_the_admin_home_shows_the_platform_and_opens_each_office(operator_client, office_a, office_b):
    home = operator_client.get("/admin/").content.decode()
    assert "Platform at a glance" in home and "Sign-ups per week" in home
    assert re.search(r"Active offices</dt><dd>2<", home)
    # The pool's ready schemas and the template they are cloned from are not sign-ups.
    assert Tenant.objects.exclude(status__in=["active", "suspended"]).exists()
    assert re.search(r"Sign-ups, last 12 weeks</dt><dd>2<", home), home
    offices = operator_client.get("/admin/tenants/tenant/").content.decode()
    assert f"//{office_a.host}" in offices and f"{office_a.host}/office/" in offices


@pytest.mark.django_db(transaction=True)  # pg_dump reads committed data through its own connection
def test_it_deletes_only_after_confirmation_and_an_export(
    operator_client, office_a, office_b, settings, tmp_path
):
    settings.PORTICO_EXPORT_DIR = tmp_path
    pk = office_a.tenant.pk
    start = operator_client.post(
        "/admin/tenants/tenant/", {"action": "delete_with_export", "_selected_action": [pk]}
    )
    confirm_url = start["Location"]
    assert confirm_url.endswith(f"/admin/tenants/tenant/{pk}/delete-with-export/")
    assert "Type the office" in operator_client.get(confirm_url).content.decode()

    wrong = operator_client.post(confirm_url, {"confirm_slug": "bravo", "reason": "Asked to close."})
    assert "exactly" in wrong.content.decode()
    no_reason = operator_client.post(confirm_url, {"confirm_slug": "alpha", "reason": ""})
    assert no_reason.status_code == 200 and "This field is required" in no_reason.content.decode()
    assert Tenant.objects.filter(pk=pk).exists() and not list(tmp_path.iterdir())

    mail.outbox.clear()
    done = operator_client.post(
        confirm_url, {"confirm_slug": "alpha", "reason": "The owner asked us to close it."}
    )
    assert done.status_code == 302
    # The reason is recorded in the console's history and emailed to the office's owner.
    logged = LogEntry.objects.get(action_flag=DELETION)
    assert (logged.object_id, logged.change_message) == (str(pk), "Deleted: The owner asked us to close it.")
    [told] = mail.outbox
    assert told.to == ["owner@alpha.example"] and "The owner asked us to close it." in told.body
    connection.set_schema_to_public()
    assert not Tenant.objects.filter(pk=pk).exists()
    assert not schema_exists(office_a.schema_name)
    assert schema_exists(office_b.schema_name)
    [export] = list(Path(tmp_path).iterdir())
    dump = gzip.decompress(export.read_bytes()).decode()
    assert f"CREATE SCHEMA {office_a.schema_name}" in dump
    assert "owner@alpha.example" in dump and "owner@bravo.example" not in dump
    assert office_a.client().get("/office/login/").status_code == 404


def test_it_offers_no_plain_delete_or_add(operator_client, office_a):
    html = operator_client.get("/admin/tenants/tenant/").content.decode()
    assert "delete_selected" not in html
    assert operator_client.get("/admin/tenants/tenant/add/").status_code == 403


def test_it_manages_plans(operator_client, db):
    html = operator_client.get("/admin/tenants/plan/").content.decode()
    assert "Starter" in html and "Professional" in html
    response = operator_client.post(
        "/admin/tenants/plan/add/",
        {
            "name": "Agency",
            "code": "agency",
            "max_portal_accounts": "500",
            "allowed_modules": '["proposals"]',
            "api_requests_per_minute": "120",
            "max_custom_domains": "1",
            "application_fee_percent": "0",
            "monthly_price": "49.00",
            "price_currency": "EUR",
        },
    )
    assert response.status_code == 302
