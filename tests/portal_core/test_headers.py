"""Headers and emails: a Content-Security-Policy with a nonce on every page (the nonce on every
script Portico serves), Permissions-Policy, HSTS over HTTPS; control characters in names and
subjects never stop an email."""

from __future__ import annotations

import re

from django.core import mail
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_context

from ..conftest import PLATFORM_HOST

SCRIPT = re.compile(r"<script\b[^>]*>", re.I)
HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)


def _nonce(response) -> str:
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "object-src 'none'" in policy, policy
    assert "'unsafe-eval'" not in policy
    match = re.search(r"script-src [^;]*'nonce-([^']+)'", policy)
    assert match, policy
    return match.group(1)


def _every_script_carries_it(response):
    nonce = _nonce(response)
    html = response.content.decode()
    tags = SCRIPT.findall(html)
    assert tags, "the page has scripts"
    for tag in tags:
        assert f'nonce="{nonce}"' in tag, tag
    assert not HANDLER.search(html), HANDLER.search(html).group(0)
    assert response["Permissions-Policy"].startswith("camera=()")


def test_every_kind_of_page_has_a_policy_and_nonced_scripts(office_a):
    _every_script_carries_it(Client(HTTP_HOST=PLATFORM_HOST).get("/"))
    _every_script_carries_it(Client(HTTP_HOST=PLATFORM_HOST).get("/signup/"))
    _every_script_carries_it(office_a.client().get("/office/login/"))
    _every_script_carries_it(office_a.staff_client().get("/office/"))
    browser, _ = office_a.portal_client()
    _every_script_carries_it(browser.get("/"))
    _every_script_carries_it(browser.get("/profile/"))
    docs = Client(HTTP_HOST=PLATFORM_HOST).get("/api/v1/docs/")
    _every_script_carries_it(docs)


def test_a_new_nonce_each_time(office_a):
    browser = office_a.client()
    assert _nonce(browser.get("/office/login/")) != _nonce(browser.get("/office/login/"))


def test_the_office_websites_may_frame_the_portal_and_the_policy_stays(office_a):
    from portal_core.models import PortalConfig

    with schema_context(office_a.schema_name):
        config = PortalConfig.objects.get()
        config.cors_origins = ["https://www.office-site.example"]
        config.is_active = True
        config.save()
    connection.set_schema_to_public()
    policy = office_a.client().get("/auth/signin")["Content-Security-Policy"]
    assert "frame-ancestors 'self' https://www.office-site.example" in policy
    assert "default-src 'self'" in policy


def test_hsts_over_https(office_a, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    response = office_a.client().get("/office/login/", secure=True)
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "Strict-Transport-Security" not in office_a.client().get("/office/login/")


def test_the_map_embed_is_allowed_only_where_a_map_is(rf):
    from portal_core.csp import csp_allow, policy_for

    request = rf.get("/")
    assert "openstreetmap" not in policy_for(request)
    csp_allow(request, "frame-src", "https://www.openstreetmap.org")
    assert "frame-src 'self' https://www.openstreetmap.org" in policy_for(request)


def test_control_characters_in_names_never_stop_an_email(office_a):
    from portal_core import access
    from portal_core.emails import header_text
    from portal_core.models import Contact, PortalConfig

    assert header_text("Kim\r\nBcc: evil@example.com\x00\u202e") == "Kim Bcc: evil@example.com"
    with schema_context(office_a.schema_name):
        config = PortalConfig.objects.get()
        config.email_from_name = "Alpha\nRealty\x07"
        config.save()
        contact = Contact.objects.create(
            first_name="Ki\rm\n\x07", last_name="Te\u2028st", email="kim@example.com"
        )
        account = access.portal_account_for(contact=contact)
        mail.outbox.clear()
        access.portal_account_invite(account=account, actor="owner")
    connection.set_schema_to_public()
    assert mail.outbox, "the email was sent"
    message = mail.outbox[-1].message()
    for header in ("Subject", "From"):
        assert "\n" not in str(message[header]).replace("\n ", "")
