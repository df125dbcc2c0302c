"""Seed 002's examples, run as written: its curl commands with the real ``curl`` and its JavaScript
with the real ``node`` (global ``fetch``), against the live server on the office's own host.

Only what the seed leaves for the reader to fill in is substituted: ``https://your-domain.com``
becomes the live server's address on ``alpha.portico.localhost``, ``your-token`` a real API key of
the office, and the ids 1 real ids. The JavaScript's relative paths get the same origin in front,
as node's ``fetch`` needs absolute URLs; node (unlike curl and browsers) does not resolve
``*.localhost`` by itself, so a small preload sends those names to loopback.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import textwrap
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.db import connection
from django_tenants.utils import schema_context

from portal_core.models import Company, Contact
from portal_core.services import module_enable
from tenants.services import api_key_create

# --- the seed's examples, character for character ------------------------------------------------

CURL_CONFIG = r"""curl -H "Authorization: Bearer your-token" \
https://your-domain.com/api/v1/client-portal/config"""

CURL_CONTACT_INVITE = r"""curl -X POST \
-H "Authorization: Bearer your-token" \
-H "Content-Type: application/json" \
-d '{"custom_message": "Welcome!"}' \
https://your-domain.com/api/v1/client-portal/contacts/1/invite"""

CURL_COMPANY_INVITE = r"""curl -X POST \
-H "Authorization: Bearer your-token" \
-H "Content-Type: application/json" \
-d '{"custom_message": "Welcome!"}' \
https://your-domain.com/api/v1/client-portal/companies/1/invite"""

CURL_TOKEN = r"""curl -X POST \
-H "Authorization: Bearer your-token" \
-H "Content-Type: application/json" \
-d '{"type": "contact", "id": 1}' \
https://your-domain.com/api/v1/client-portal/token"""

JS_INVITE = """// Send invitation
const response = await fetch('/api/v1/client-portal/contacts/1/invite', {
method: 'POST',
headers: {
'Authorization': 'Bearer your-token',
'Content-Type': 'application/json'
},
body: JSON.stringify({
custom_message: 'Welcome to your portal!'
})
});

const data = await response.json();
console.log('Portal token:', data.token);
console.log('Portal URL:', `https://your-domain.com/client-portal/${data.token}`);
"""

JS_CONFIG = """const response = await fetch('/api/v1/client-portal/config', {
headers: {
'Authorization': 'Bearer your-token'
}
});

const { data } = await response.json();
console.log('Portal name:', data.portal_name);
console.log('Enabled modules:', data.enabled_modules);
"""

# The documented configuration (seed 002, “Get Portal Configuration”).
CONFIG_FIELDS = {
    "portal_name",
    "portal_logo",
    "primary_color",
    "secondary_color",
    "welcome_message",
    "enabled_modules",
    "is_active",
    "allow_file_sharing",
    "show_activity_feed",
    "token_expiration_days",
}
SENT = "Portal invitation sent successfully"

# node's fetch resolves names through dns.lookup, which knows nothing of *.localhost here.
LOCALHOST_RESOLVER = textwrap.dedent(
    """
    import dns from 'node:dns';

    const lookup = dns.lookup;
    dns.lookup = function (hostname, options, callback) {
      if (typeof options === 'function') { callback = options; options = {}; }
      if (typeof options === 'number') { options = { family: options }; }
      if (/(^|\\.)localhost$/i.test(hostname)) {
        const address = { address: '127.0.0.1', family: 4 };
        if (options && options.all) { return process.nextTick(callback, null, [address]); }
        return process.nextTick(callback, null, address.address, address.family);
      }
      return lookup.call(this, hostname, options, callback);
    };
    """
)


# --- the office and the people it has ------------------------------------------------------------


@dataclass
class Live:
    base: str  # http://alpha.portico.localhost:<port>
    key: str
    contact: Contact
    company: Company
    no_email: Contact

    def fill_in(self, example: str, *, contact_id: int | None = None, company_id: int | None = None) -> str:
        """The seed's placeholders replaced: address, token, and the ids 1 of its URLs and bodies."""
        contact_id = self.contact.pk if contact_id is None else contact_id
        company_id = self.company.pk if company_id is None else company_id
        filled = example.replace("https://your-domain.com", self.base).replace("your-token", self.key)
        filled = filled.replace("/contacts/1/", f"/contacts/{contact_id}/")
        filled = filled.replace("/companies/1/", f"/companies/{company_id}/")
        filled = filled.replace('"id": 1}', f'"id": {contact_id}}}')
        return re.sub(r"fetch\('(/api/v1/[^']*)'", lambda m: f"fetch('{self.base}{m.group(1)}'", filled)


@pytest.fixture
def live(live_server, office_a) -> Live:
    port = live_server.thread.port or int(re.search(r":(\d+)$", live_server.url).group(1))
    with schema_context(office_a.schema_name):
        connection.set_tenant(office_a.tenant)
        module_enable(key="invoices")
        module_enable(key="proposals")
        contact = Contact.objects.create(first_name="Ada", last_name="Lovelace", email="ada@example.com")
        company = Company.objects.create(name="Acme", email="desk@acme.example")
        no_email = Contact.objects.create(first_name="Nomail")
    connection.set_schema_to_public()
    return Live(
        base=f"http://{office_a.host}:{port}",
        key=api_key_create(tenant=office_a.tenant, name="Seed examples").secret,
        contact=contact,
        company=company,
        no_email=no_email,
    )


def run_curl(command: str) -> tuple[int, dict]:
    """The command through a shell, as a reader pastes it; ``-w`` only reports the status after the body."""
    assert shutil.which("curl"), "curl is not installed"
    done = subprocess.run(
        ["bash", "-c", command + " -w '\\n%{http_code}'"],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    body, _, status = done.stdout.rpartition("\n")
    return int(status), json.loads(body)


def run_node(code: str, tmp_path: Path) -> list[str]:
    node = shutil.which("node")
    assert node, "node is not installed"
    resolver = tmp_path / "localhost-resolver.mjs"
    resolver.write_text(LOCALHOST_RESOLVER)
    script = tmp_path / "example.mjs"
    script.write_text(code)
    done = subprocess.run(
        [node, "--import", resolver.as_uri(), str(script)],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


def http_status(url: str) -> int:
    """The status of a GET, redirects not followed (curl resolves *.localhost itself)."""
    done = subprocess.run(
        ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", url],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    return int(done.stdout)


def node_inspect(values: list[str]) -> str:
    """How console.log prints a short array of strings."""
    return "[ " + ", ".join(f"'{v}'" for v in values) + " ]" if values else "[]"


# --- curl -----------------------------------------------------------------------------------------


def test_the_curl_config_example_returns_the_documented_configuration(live):
    status, body = run_curl(live.fill_in(CURL_CONFIG))
    assert status == 200
    assert set(body) == {"data"}
    data = body["data"]
    assert set(data) == CONFIG_FIELDS
    assert data["portal_name"] == "Alpha Realty"
    assert data["portal_logo"] is None or isinstance(data["portal_logo"], str)
    assert data["primary_color"] == "#3B82F6" and data["secondary_color"] == "#1E40AF"
    assert data["welcome_message"] == "Welcome to your client portal!"
    assert data["enabled_modules"] == ["invoices", "proposals"]
    for flag in ("is_active", "allow_file_sharing", "show_activity_feed"):
        assert isinstance(data[flag], bool)
    assert data["token_expiration_days"] == 30


def test_the_curl_invitation_examples_send_invitations(live):
    status, body = run_curl(live.fill_in(CURL_CONTACT_INVITE))
    assert status == 200
    assert set(body) == {"message", "token"} and body["message"] == SENT
    assert isinstance(body["token"], str) and len(body["token"]) >= 20
    invitation = mail.outbox[-1]
    assert invitation.to == ["ada@example.com"] and "Welcome!" in invitation.body
    assert http_status(f"{live.base}/client-portal/{body['token']}") == 302  # the token opens the portal
    assert run_curl(live.fill_in(CURL_TOKEN))[1]["token"] == body["token"]  # the same active token

    status, body = run_curl(live.fill_in(CURL_COMPANY_INVITE))
    assert status == 200
    assert set(body) == {"message", "token"} and body["message"] == SENT
    assert mail.outbox[-1].to == ["desk@acme.example"] and "Welcome!" in mail.outbox[-1].body


def test_the_curl_token_example_returns_a_token_its_url_and_expiry(live):
    status, body = run_curl(live.fill_in(CURL_TOKEN))
    assert status == 200
    assert set(body) == {"token", "url", "expires_at"}
    assert body["url"] == f"{live.base}/client-portal/{body['token']}"  # the office's own address
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", body["expires_at"])
    expires = datetime.strptime(body["expires_at"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    assert timedelta(days=29) < expires - datetime.now(UTC) <= timedelta(days=30)
    assert http_status(body["url"]) == 302
    # “Get or create”: the same command again returns the same token.
    assert run_curl(live.fill_in(CURL_TOKEN)) == (200, body)


def test_the_curl_examples_report_the_documented_errors(live):
    assert run_curl(live.fill_in(CURL_CONTACT_INVITE, contact_id=999_999)) == (
        404,
        {"message": "Contact not found"},
    )
    assert run_curl(live.fill_in(CURL_CONTACT_INVITE, contact_id=live.no_email.pk)) == (
        400,
        {"message": "Contact does not have an email address"},
    )
    assert run_curl(live.fill_in(CURL_COMPANY_INVITE, company_id=999_999)) == (
        404,
        {"message": "Company not found"},
    )
    assert run_curl(live.fill_in(CURL_TOKEN, contact_id=999_999)) == (404, {"message": "Contact not found"})
    assert mail.outbox == []


# --- JavaScript -----------------------------------------------------------------------------------


def test_the_javascript_invitation_example_prints_the_token_and_portal_url(live, tmp_path):
    lines = run_node(live.fill_in(JS_INVITE), tmp_path)
    assert len(lines) == 2, lines
    token = re.fullmatch(r"Portal token: (\S{20,})", lines[0]).group(1)
    assert lines[1] == f"Portal URL: {live.base}/client-portal/{token}"
    assert mail.outbox[-1].to == ["ada@example.com"]
    assert "Welcome to your portal!" in mail.outbox[-1].body
    assert http_status(f"{live.base}/client-portal/{token}") == 302


def test_the_javascript_config_example_prints_the_portal_name_and_modules(live, tmp_path):
    lines = run_node(live.fill_in(JS_CONFIG), tmp_path)
    assert lines == [
        "Portal name: Alpha Realty",
        f"Enabled modules: {node_inspect(['invoices', 'proposals'])}",
    ]
