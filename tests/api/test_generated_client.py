"""The schema as an integrator uses it: openapi-python-client, with its default settings, generates a
client from ``/api/v1/schema/`` as the live server serves it, the test imports the generated package
and drives seed 002's flow through it (config, a contact created, invited, its portal token), then
a real-estate property whose energy label is an enum member, and checks the typed answers.

The generator's warnings about the schema are failures; ``HARMLESS`` lists the lines it prints that
are not about the schema. The generated code is formatted by its post-hooks (``ruff``, this
project's, put on the PATH as an integrator would have it installed)."""

from __future__ import annotations

import datetime
import importlib
import json
import os
import re
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from django.core import mail
from django.db import connection
from django_tenants.utils import schema_context

from portal_core.services import module_enable
from tenants.services import api_key_create

PACKAGE = "portico_api_client"
# Lines openapi-python-client prints on a clean run: nothing in them is about the schema.
HARMLESS = re.compile(r"^(Generating .+)?$")


def _served_schema(port: int, host: str) -> bytes:
    """``/api/v1/schema/`` from the live server on the office's host (Python's resolver does not
    know ``*.localhost``, so the request goes to the loopback with the office's Host header)."""
    request = urllib.request.Request(  # noqa: S310 - a fixed http URL on the loopback
        f"http://127.0.0.1:{port}/api/v1/schema/?format=json", headers={"Host": host}
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        assert response.status == 200
        return response.read()


def _generate(schema: bytes, where: Path) -> Path:
    """The client generated from ``schema`` under ``where``, with the generator's default settings;
    fails on any line of output that is not in ``HARMLESS``."""
    tool = shutil.which("openapi-python-client", path=str(Path(sys.executable).parent))
    assert tool, "openapi-python-client is not installed (the dev dependency group)"
    source = where / "schema.json"
    source.write_bytes(schema)
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    done = subprocess.run(
        [tool, "generate", "--path", str(source), "--output-path", str(where / "client")],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        cwd=where,
        check=False,
    )
    output = [line for line in (done.stdout + done.stderr).splitlines() if not HARMLESS.match(line.strip())]
    assert done.returncode == 0 and not output, "\n".join(output) or done.stderr
    return where / "client"


@pytest.fixture
def generated(live_server, office_a, tmp_path):
    """The generated package, imported, and what it needs to reach the office."""
    port = live_server.thread.port or int(re.search(r":(\d+)$", live_server.url).group(1))
    with schema_context(office_a.schema_name):
        connection.set_tenant(office_a.tenant)
        module_enable(key="real_estate")
    connection.set_schema_to_public()
    root = _generate(_served_schema(port, office_a.host), tmp_path)
    sys.path.insert(0, str(root))
    try:
        package = importlib.import_module(PACKAGE)
        client = package.AuthenticatedClient(
            base_url=f"http://127.0.0.1:{port}",
            token=api_key_create(tenant=office_a.tenant, name="Generated client").secret,
            headers={"Host": office_a.host},
            raise_on_unexpected_status=True,
        )
        yield package, client
    finally:
        sys.path.remove(str(root))
        for name in [name for name in sys.modules if name == PACKAGE or name.startswith(f"{PACKAGE}.")]:
            del sys.modules[name]


def _api(name: str):
    return importlib.import_module(f"{PACKAGE}.api.{name}")


def _models():
    return importlib.import_module(f"{PACKAGE}.models")


def test_seed_002s_flow_through_the_generated_client(generated):
    package, client = generated
    models = _models()

    config = _api("client_portal.client_portal_config").sync(client=client)
    assert isinstance(config, models.ConfigResponse)
    assert config.data.portal_name == "Alpha Realty" and config.data.enabled_modules == ["real_estate"]
    assert config.data.token_expiration_days == 30 and config.data.is_active in (True, False)

    body = models.ContactWriteRequest(
        first_name="Ada", last_name="Lovelace", email="ada@example.com", language=models.LanguageEnum.NL
    )
    contact = _api("contacts.contacts_create").sync(client=client, body=body)
    assert isinstance(contact, models.Contact)
    assert (contact.full_name, contact.language) == ("Ada Lovelace", models.LanguageEnum.NL)
    assert contact.source is models.ContactSourceEnum.API
    assert contact.portal_status is models.PortalStatusEnum.NOT_INVITED
    assert isinstance(contact.created, datetime.datetime)

    invite = models.InviteRequest(custom_message="Welcome!")
    sent = _api("client_portal.client_portal_contact_invite").sync(
        str(contact.id), client=client, body=invite
    )
    assert isinstance(sent, models.InvitationSent)
    assert sent.message == "Portal invitation sent successfully" and len(sent.token) >= 20
    assert mail.outbox[-1].to == ["ada@example.com"] and "Welcome!" in mail.outbox[-1].body

    request = models.TokenRequestRequest(type_=models.TypeEnum.CONTACT, id=contact.id)
    token = _api("client_portal.client_portal_token").sync(client=client, body=request)
    assert isinstance(token, models.PortalToken)
    assert token.token == sent.token and token.url.endswith(f"/client-portal/{sent.token}")
    assert token.expires_at.tzinfo is not None
    assert token.expires_at - datetime.datetime.now(datetime.UTC) > datetime.timedelta(days=29)

    listed = _api("contacts.contacts_list").sync(client=client, portal_status=models.PortalStatusEnum.INVITED)
    assert isinstance(listed, models.PaginatedContactList)
    assert [row.id for row in listed.results] == [contact.id]


def test_the_generated_client_types_errors_and_module_enums(generated):
    package, client = generated
    models = _models()

    refused = _api("contacts.contacts_create").sync(
        client=client, body=models.ContactWriteRequest(first_name="Bea", email="not-an-email")
    )
    assert isinstance(refused, models.ValidationError) and "email" in refused.errors.additional_properties
    nobody = _api("client_portal.client_portal_contact_invite").sync("999999", client=client)
    assert isinstance(nobody, models.Message) and nobody.message == "Contact not found"
    no_account = _api("portal_accounts.portal_accounts_create").sync(
        client=client, body=models.PortalAccountCreateRequest(contact=999_999)
    )
    assert (
        isinstance(no_account, models.ValidationError)
        and "contact" in no_account.errors.additional_properties
    )

    label = models.RealEstatePropertyEnergyLabelEnum
    assert [member.name for member in label][:4] == ["A", "A_PLUS", "A_PLUS_PLUS", "A_PLUS_PLUS_PLUS"]
    house = _api("real_estate.real_estate_properties_create").sync(
        client=client,
        body=models.RealEstatePropertyWriteRequest(
            title="Canal house", energy_label=label.A_PLUS_PLUS_PLUS, price="1250000.50"
        ),
    )
    assert isinstance(house, models.RealEstateProperty)
    assert house.energy_label is label.A_PLUS_PLUS_PLUS and house.price == "1250000.50"
    assert house.status is models.RealEstatePropertyStatusEnum.AVAILABLE
    found = _api("real_estate.real_estate_properties_list").sync(
        client=client, status=models.RealEstatePropertyStatusEnum.AVAILABLE
    )
    assert [row.id for row in found.results] == [house.id]
    assert json.loads(json.dumps(house.to_dict()))["energy_label"] == "A+++"
