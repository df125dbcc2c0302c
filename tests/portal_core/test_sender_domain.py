"""Sending from the office's own domain: records shown, checked against the loopback DNS server,
and only once they verify do emails leave from the office's address, DKIM-signed."""

from __future__ import annotations

import re

import dkim
import pytest
from django.core import mail
from django.db import connection
from django_tenants.utils import schema_context, tenant_context

from portal_core import access
from portal_core.models import Contact, PortalConfig, SenderDomain
from tenants.domains import dns_lookup
from tenants.models import QueueTimer
from tenants.queue import timers_fire

ADDRESS = "hello@alpha-agency.test"


def _rows(page: str) -> dict[str, str]:
    return dict(re.findall(r'data-sender-record="(\w+)" data-state="(\w+)"', page))


def _magic_link(office):
    with schema_context(office.schema_name):
        config = PortalConfig.objects.get()
        config.is_active, config.email_reply_to = True, "desk@alpha-agency.test"
        config.save()  # through save(), so the cached configuration is dropped
        contact, _ = Contact.objects.get_or_create(
            first_name="Kim", last_name="Test", email="kim@example.com"
        )
        access.magic_link_send(account=access.portal_account_for(contact=contact))
    connection.set_schema_to_public()
    return mail.outbox[-1]


def _sender(office) -> SenderDomain:
    with schema_context(office.schema_name):
        sender = SenderDomain.objects.get()
    connection.set_schema_to_public()
    return sender


def _dns_txt(name: bytes, timeout: int = 5) -> bytes:
    values = dns_lookup(name.decode().rstrip("."), "TXT")
    return values[0].encode() if values else b""


@pytest.fixture
def staff(office_a):
    return office_a.staff_client()


def test_it_sends_from_the_offices_address_only_once_its_records_verify(office_a, staff, dns_zones):
    page = staff.post("/office/email/sender/", {"sender-address": ADDRESS}, follow=True).content.decode()
    sender = _sender(office_a)
    assert "Add the records below for alpha-agency.test" in page
    assert "v=spf1 include:spf.portico.localhost ~all" in page
    assert "portico._domainkey.alpha-agency.test" in page and sender.public_key in page
    assert "portico-bounces.alpha-agency.test" in page and "bounces.portico.localhost" in page
    assert _rows(page) == {"spf": "missing", "dkim": "missing", "return_path": "missing"}

    before = _magic_link(office_a)
    assert before.from_email == "Alpha Realty <no-reply@portico.localhost>"
    assert before.reply_to == ["desk@alpha-agency.test"] and "DKIM-Signature" not in before.message()

    dns_zones.set("alpha-agency.test", "TXT", "v=spf1 include:_spf.google.com ~all")
    dns_zones.set("portico._domainkey.alpha-agency.test", "TXT", f"v=DKIM1; k=rsa; p={sender.public_key}")
    dns_zones.set("portico-bounces.alpha-agency.test", "CNAME", "bounces.portico.localhost")
    page = staff.post("/office/email/sender/check/", follow=True).content.decode()
    assert _rows(page) == {"spf": "wrong", "dkim": "found", "return_path": "found"}
    assert "seen: v=spf1 include:_spf.google.com ~all" in page
    assert _magic_link(office_a).from_email.endswith("<no-reply@portico.localhost>")

    dns_zones.set(
        "alpha-agency.test", "TXT", "v=spf1 include:_spf.google.com include:spf.portico.localhost ~all"
    )
    page = staff.post("/office/email/sender/check/", follow=True).content.decode()
    assert (
        'data-sender-status="verified"' in page and f"Emails to your clients now come from {ADDRESS}" in page
    )

    signed = _magic_link(office_a)
    assert signed.from_email == f"Alpha Realty <{ADDRESS}>" and signed.reply_to == ["desk@alpha-agency.test"]
    raw = signed.message().as_bytes(linesep="\r\n")
    assert b"d=alpha-agency.test" in raw and b"s=portico" in raw
    assert dkim.verify(raw, dnsfunc=_dns_txt)  # what a receiving server checks, against the test DNS
    assert not dkim.verify(raw.replace(b"Subject: ", b"Subject: Re: "), dnsfunc=_dns_txt)

    dns_zones.set("portico._domainkey.alpha-agency.test", "TXT")  # the key record is removed
    staff.post("/office/email/sender/check/")
    assert _sender(office_a).status == "pending"
    assert _magic_link(office_a).from_email == "Alpha Realty <no-reply@portico.localhost>"


def test_it_refuses_what_is_not_an_address_and_can_stop_using_one(office_a, staff, dns_zones):
    page = staff.post("/office/email/sender/", {"sender-address": "not an address"}).content.decode()
    assert "Enter an email address such as hello@youragency.com." in page
    staff.post("/office/email/sender/", {"sender-address": ADDRESS})
    page = staff.post("/office/email/sender/remove/", follow=True).content.decode()
    assert "come from Portico&#x27;s address again" in page or "come from Portico's address again" in page
    with schema_context(office_a.schema_name):
        assert not SenderDomain.objects.exists()


@pytest.mark.parametrize("action", ["", "check/", "remove/"])
def test_another_office_cannot_touch_the_sender(office_a, office_b, staff, dns_zones, action):
    staff.post("/office/email/sender/", {"sender-address": ADDRESS})
    connection.set_schema_to_public()
    stranger = office_b.staff_client()
    stranger.defaults["HTTP_HOST"] = office_a.host
    answer = stranger.post(f"/office/email/sender/{action}", {"sender-address": "evil@bravo.test"})
    assert answer["Location"].startswith("/office/login/")
    assert _sender(office_a).address == ADDRESS


def test_a_background_check_moves_the_sender_as_records_change(office_a, staff, dns_zones):
    staff.post("/office/email/sender/", {"sender-address": ADDRESS})
    connection.set_schema_to_public()
    sender = _sender(office_a)
    timer = QueueTimer.objects.get(func="portal_core.sender_domains.sender_domain_recheck", args=[sender.pk])
    assert timer.schema_name == office_a.schema_name
    dns_zones.set("alpha-agency.test", "TXT", "v=spf1 include:spf.portico.localhost ~all")
    dns_zones.set("portico._domainkey.alpha-agency.test", "TXT", f"v=DKIM1; k=rsa; p={sender.public_key}")
    dns_zones.set("portico-bounces.alpha-agency.test", "CNAME", "bounces.portico.localhost")
    assert timers_fire(now=timer.due_at)[0] == 1  # the worker's timer loop runs the check
    assert _sender(office_a).status == "verified"
    assert _magic_link(office_a).from_email == f"Alpha Realty <{ADDRESS}>"


def test_a_notification_from_the_offices_domain_is_signed_over_its_unsubscribe_headers(
    office_a, staff, dns_zones
):
    from portal_core.emails import send_client_email
    from portal_core.services import module_enable

    staff.post("/office/email/sender/", {"sender-address": ADDRESS})
    sender = _sender(office_a)
    dns_zones.set("portico._domainkey.alpha-agency.test", "TXT", f"v=DKIM1; k=rsa; p={sender.public_key}")
    with tenant_context(office_a.tenant):
        SenderDomain.objects.update(status=SenderDomain.Status.VERIFIED)
        module_enable(key="real_estate")
        kim = Contact.objects.create(first_name="Kim", email="kim@example.com")
        mail.outbox.clear()
        assert send_client_email(
            "real_estate.viewing_cancelled",
            to=kim.email,
            language="en",
            contact=kim,
            values={
                "contact.first_name": "Kim",
                "property.title": "Villa",
                "property.address": "Dune road 1",
                "viewing.reason": "Sold.",
                "portal_link": "https://alpha.portico.localhost/real-estate/",
            },
        )
    connection.set_schema_to_public()
    raw = mail.outbox[-1].message().as_bytes(linesep="\r\n")
    signature = raw.split(b"DKIM-Signature:", 1)[1].split(b"b=", 1)[0].lower()
    assert b"list-unsubscribe" in signature and b"list-unsubscribe-post" in signature
    assert dkim.verify(raw, dnsfunc=_dns_txt)
    assert not dkim.verify(raw.replace(b"=One-Click", b"=One-Clack"), dnsfunc=_dns_txt)
