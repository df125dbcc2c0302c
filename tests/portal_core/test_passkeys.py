"""Passkeys (WebAuthn) for staff and clients, driven by a software authenticator that signs like a
real one: added from the security page, used alone to sign in, and used as the second factor.
Bad answers (a wrong or replayed challenge, another office's credential, a wrong origin, a bad
signature) are refused with a 4xx and change nothing; nobody else can see or remove a passkey."""

from __future__ import annotations

import hashlib
import json
import os
import struct

import cbor2
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from django.contrib.auth import get_user_model
from django.db import connection
from django_tenants.utils import schema_context
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url

from portal_core.models import AuditEvent, Passkey, PortalConfig
from tenants import signin_policy
from tenants.signin_policy import Limits

from ..conftest import CLIENT_PASSWORD, OWNER_PASSWORD

b64 = bytes_to_base64url


class Authenticator:
    """One passkey on one device: an ES256 key, a discoverable credential with user verification."""

    def __init__(self):
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.credential_id = os.urandom(32)
        self.count = 0
        self.user_handle = None

    def _cose(self) -> bytes:
        numbers = self.key.public_key().public_numbers()
        return cbor2.dumps(
            {1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32, "big"), -3: numbers.y.to_bytes(32, "big")}
        )

    @staticmethod
    def _client_data(kind: str, challenge: str, origin: str) -> bytes:
        return json.dumps(
            {"type": kind, "challenge": challenge, "origin": origin, "crossOrigin": False}
        ).encode()

    def create(self, options: dict, *, origin: str, rp_id: str | None = None, challenge=None) -> dict:
        public_key = options["publicKey"]
        self.user_handle = public_key["user"]["id"]
        client_data = self._client_data("webauthn.create", challenge or public_key["challenge"], origin)
        rp_hash = hashlib.sha256((rp_id or public_key["rp"]["id"]).encode()).digest()
        auth_data = (
            rp_hash
            + bytes([0x01 | 0x04 | 0x40])  # user present, user verified, credential data
            + struct.pack(">I", self.count)
            + b"\0" * 16
            + struct.pack(">H", len(self.credential_id))
            + self.credential_id
            + self._cose()
        )
        attestation = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth_data})
        return {
            "id": b64(self.credential_id),
            "rawId": b64(self.credential_id),
            "type": "public-key",
            "response": {
                "clientDataJSON": b64(client_data),
                "attestationObject": b64(attestation),
                "transports": ["internal"],
            },
            "clientExtensionResults": {},
        }

    def get(self, options: dict, *, origin: str, rp_id: str | None = None, bad_signature=False) -> dict:
        public_key = options["publicKey"]
        self.count += 1
        client_data = self._client_data("webauthn.get", public_key["challenge"], origin)
        auth_data = (
            hashlib.sha256((rp_id or public_key["rpId"]).encode()).digest()
            + bytes([0x01 | 0x04])
            + struct.pack(">I", self.count)
        )
        signature = self.key.sign(auth_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256()))
        if bad_signature:
            signature = ec.generate_private_key(ec.SECP256R1()).sign(
                auth_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256())
            )
        response = {
            "clientDataJSON": b64(client_data),
            "authenticatorData": b64(auth_data),
            "signature": b64(signature),
        }
        if self.user_handle:
            response["userHandle"] = self.user_handle
        return {
            "id": b64(self.credential_id),
            "rawId": b64(self.credential_id),
            "type": "public-key",
            "response": response,
            "clientExtensionResults": {},
        }


def _post(browser, path, body=None):
    return browser.post(path, json.dumps(body or {}), content_type="application/json")


def _origin(office) -> str:
    return f"http://{office.host}"


STAFF = {
    "options": "/office/security/passkeys/options",
    "add": "/office/security/passkeys/add",
    "remove": "/office/security/passkeys/{}/remove",
    "signin-options": "/office/passkey/options",
    "signin": "/office/passkey/signin",
    "2fa-options": "/office/two-factor/passkey/options",
    "2fa": "/office/two-factor/passkey",
    "home": "/office/",
}
CLIENT = {
    "options": "/profile/security/passkeys/options",
    "add": "/profile/security/passkeys/add",
    "remove": "/profile/security/passkeys/{}/remove",
    "signin-options": "/auth/passkey/options",
    "signin": "/auth/passkey",
    "2fa-options": "/auth/two-factor/passkey/options",
    "2fa": "/auth/two-factor/passkey",
    "home": "/profile/",
}


def _add(office, browser, urls, device: Authenticator, name="Laptop"):
    options = _post(browser, urls["options"]).json()
    response = _post(
        browser, urls["add"], {"name": name, "credential": device.create(options, origin=_origin(office))}
    )
    assert response.status_code == 200, response.content
    return response


def _in(office, fn):
    with schema_context(office.schema_name):
        result = fn()
    connection.set_schema_to_public()
    return result


def _passkeys(office):
    return _in(office, lambda: list(Passkey.objects.values_list("holder_kind", "holder_id", "name")))


def _kinds(office):
    return _in(office, lambda: list(AuditEvent.objects.values_list("kind", flat=True)))


def _portal_on(office):
    def on():
        config = PortalConfig.objects.get()
        config.is_active = True
        config.save()

    _in(office, on)


def _signed_in(browser, urls) -> bool:
    return browser.get(urls["home"]).status_code == 200


def test_a_staff_member_adds_a_passkey_and_signs_in_with_it_alone(office_a):
    browser = office_a.staff_client()
    device = Authenticator()
    assert _add(office_a, browser, STAFF, device, name="  Work   laptop ").json() == {
        "redirect": "/office/security/"
    }
    assert _passkeys(office_a) == [("staff", office_a.owner_id, "Work laptop")]
    assert "passkey_added" in _kinds(office_a)
    page = browser.get("/office/security/").content.decode()
    assert "Work laptop" in page and "not used yet" in page
    assert 'src="/static/portico/passkeys.js" nonce="' in page

    # a new device, no password: the browser offers the passkey it holds for this host
    other = office_a.client()
    assert "Sign in with a passkey" in other.get("/office/login/").content.decode()
    options = _post(other, STAFF["signin-options"]).json()
    assert options["publicKey"]["rpId"] == office_a.host and not options["publicKey"].get("allowCredentials")
    assert options["publicKey"]["userVerification"] == "required"
    done = _post(other, STAFF["signin"], {"credential": device.get(options, origin=_origin(office_a))})
    assert done.status_code == 200 and done.json() == {"redirect": "/office/"}
    assert _signed_in(other, STAFF)
    used = _in(office_a, lambda: Passkey.objects.get())
    assert used.last_used_at is not None and used.sign_count == 1
    assert "last used" in other.get("/office/security/").content.decode()


def test_a_client_adds_a_passkey_signs_in_with_it_and_uses_it_as_the_second_factor(office_a):
    browser, account = office_a.portal_client("kim@example.com")
    device = Authenticator()
    _add(office_a, browser, CLIENT, device, name="Phone")
    assert _passkeys(office_a) == [("client", account.pk, "Phone")]
    assert "Phone" in browser.get("/profile/security").content.decode()

    # passwordless
    other = office_a.client()
    options = _post(other, CLIENT["signin-options"]).json()
    done = _post(
        other,
        CLIENT["signin"],
        {"credential": device.get(options, origin=_origin(office_a)), "next": "/files/"},
    )
    assert done.status_code == 200 and done.json() == {"redirect": "/files/"}
    assert _signed_in(other, CLIENT)

    # the password alone no longer signs in: the passkey is asked as the second factor
    third = office_a.client()
    response = third.post("/auth/signin", {"email": "kim@example.com", "password": CLIENT_PASSWORD})
    assert response["Location"] == "/auth/two-factor"
    page = third.get("/auth/two-factor").content.decode()
    assert "Use a passkey" in page and 'name="code"' not in page, "no app set up: no code field"
    assert not _signed_in(third, CLIENT)
    options = _post(third, CLIENT["2fa-options"]).json()
    assert [c["id"] for c in options["publicKey"]["allowCredentials"]] == [b64(device.credential_id)]
    done = _post(third, CLIENT["2fa"], {"credential": device.get(options, origin=_origin(office_a))})
    assert done.status_code == 200 and done.json() == {"redirect": "/"}
    assert _signed_in(third, CLIENT)

    # and the API's token asks for a second factor the API cannot take: refused
    api = office_a.client()
    refused = api.post(
        "/api/v1/auth/token",
        {"email": "kim@example.com", "password": CLIENT_PASSWORD, "kind": "client"},
        content_type="application/json",
    )
    assert refused.status_code == 401


def test_a_staff_member_with_a_password_and_a_passkey_gives_it_as_the_second_factor(office_a):
    browser = office_a.staff_client()
    device = Authenticator()
    _add(office_a, browser, STAFF, device)
    other = office_a.client()
    response = other.post("/office/login/", {"username": office_a.owner_email, "password": OWNER_PASSWORD})
    assert response["Location"] == "/office/two-factor/"
    assert not _signed_in(other, STAFF)
    options = _post(other, STAFF["2fa-options"]).json()
    done = _post(
        other, STAFF["2fa"], {"credential": device.get(options, origin=_origin(office_a)), "remember": True}
    )
    assert done.status_code == 200 and _signed_in(other, STAFF)
    # the device is remembered: the next password sign-in here needs no second factor
    other.post("/office/logout/")
    again = other.post("/office/login/", {"username": office_a.owner_email, "password": OWNER_PASSWORD})
    assert again["Location"] == "/office/"


def test_a_passkey_meets_the_office_requirement_of_two_factor(office_a):
    def require():
        config = PortalConfig.objects.get()
        config.staff_two_factor_required = True
        config.save()

    _in(office_a, require)
    browser = office_a.staff_client()
    assert browser.get("/office/")["Location"] == "/office/security/"
    _add(office_a, browser, STAFF, Authenticator())  # the requirement lets the passkey be added
    assert browser.get("/office/").status_code == 200


# --- refused, and nothing written ---------------------------------------------------------------


def _refused(response, status=400):
    assert response.status_code == status, (response.status_code, response.content)
    return response.json()


def test_registration_refuses_a_wrong_replayed_or_foreign_answer(office_a):
    browser = office_a.staff_client()
    origin = _origin(office_a)

    options = _post(browser, STAFF["options"]).json()
    wrong = Authenticator().create(options, origin=origin, challenge=b64(os.urandom(32)))
    _refused(_post(browser, STAFF["add"], {"name": "A", "credential": wrong}))

    options = _post(browser, STAFF["options"]).json()
    elsewhere = Authenticator().create(options, origin="http://bravo.portico.localhost")
    _refused(_post(browser, STAFF["add"], {"name": "A", "credential": elsewhere}))

    options = _post(browser, STAFF["options"]).json()
    other_rp = Authenticator().create(options, origin=origin, rp_id="bravo.portico.localhost")
    _refused(_post(browser, STAFF["add"], {"name": "A", "credential": other_rp}))

    options = _post(browser, STAFF["options"]).json()
    _refused(_post(browser, STAFF["add"], {"name": "A", "credential": {"id": "x", "response": "nope"}}))
    options = _post(browser, STAFF["options"]).json()
    _refused(
        _post(
            browser, STAFF["add"], {"name": "", "credential": Authenticator().create(options, origin=origin)}
        )
    )
    assert _passkeys(office_a) == [], "nothing was written"

    # a good answer works once: the same answer again finds no challenge
    options = _post(browser, STAFF["options"]).json()
    body = {"name": "A", "credential": Authenticator().create(options, origin=origin)}
    assert _post(browser, STAFF["add"], body).status_code == 200
    _refused(_post(browser, STAFF["add"], body))
    assert len(_passkeys(office_a)) == 1

    # nobody adds a passkey without a session
    _portal_on(office_a)
    anonymous = office_a.client()
    assert _post(anonymous, CLIENT["add"], body).status_code == 302
    assert len(_passkeys(office_a)) == 1


def test_sign_in_refuses_a_replayed_foreign_or_forged_answer_with_one_answer(office_a, office_b):
    browser = office_a.staff_client()
    device = Authenticator()
    _add(office_a, browser, STAFF, device)
    origin = _origin(office_a)
    before = _in(office_a, lambda: Passkey.objects.values_list("sign_count", "last_used_at").get())

    def attempt(client=None, **kwargs):
        client = client or office_a.client()
        options = _post(client, STAFF["signin-options"]).json()
        return client, _post(client, STAFF["signin"], {"credential": device.get(options, **kwargs)})

    client, bad_signature = attempt(origin=origin, bad_signature=True)
    answer = _refused(bad_signature)
    assert not _signed_in(client, STAFF)
    client, wrong_origin = attempt(origin="http://bravo.portico.localhost")
    assert _refused(wrong_origin) == answer and not _signed_in(client, STAFF)
    client, wrong_rp = attempt(origin=origin, rp_id="bravo.portico.localhost")
    assert _refused(wrong_rp) == answer

    # an unknown credential gets the same answer
    client = office_a.client()
    options = _post(client, STAFF["signin-options"]).json()
    unknown = Authenticator()
    unknown.user_handle = device.user_handle
    assert (
        _refused(_post(client, STAFF["signin"], {"credential": unknown.get(options, origin=origin)}))
        == answer
    )
    # a made-up challenge: no options asked in this session
    fresh = office_a.client()
    fresh.get("/office/login/")
    forged = device.get(
        {"publicKey": {"challenge": b64(os.urandom(32)), "rpId": office_a.host}}, origin=origin
    )
    assert _refused(_post(fresh, STAFF["signin"], {"credential": forged})) == answer
    assert _in(office_a, lambda: Passkey.objects.values_list("sign_count", "last_used_at").get()) == before

    # replayed: a good answer signs in once; the same answer again (here or elsewhere) is refused
    client = office_a.client()
    options = _post(client, STAFF["signin-options"]).json()
    good = {"credential": device.get(options, origin=origin)}
    assert _post(client, STAFF["signin"], good).status_code == 200
    thief = office_a.client()
    thief.get("/office/login/")
    assert _refused(_post(thief, STAFF["signin"], good)) == answer and not _signed_in(thief, STAFF)
    assert _refused(_post(client, STAFF["signin"], good)) == answer

    # another office: the credential of office A is unknown on office B's host
    client = office_b.client()
    options = _post(client, STAFF["signin-options"]).json()
    assert options["publicKey"]["rpId"] == office_b.host
    foreign = _post(client, STAFF["signin"], {"credential": device.get(options, origin=_origin(office_b))})
    assert _refused(foreign) == answer and not _signed_in(client, STAFF)
    assert _passkeys(office_b) == []

    # a staff member's passkey is not a client's way in
    _portal_on(office_a)
    client = office_a.client()
    options = _post(client, CLIENT["signin-options"]).json()
    assert (
        _post(client, CLIENT["signin"], {"credential": device.get(options, origin=origin)}).status_code == 400
    )


def test_the_second_factor_takes_only_the_pending_persons_passkey(office_a):
    browser, kim = office_a.portal_client("kim@example.com")
    kims = Authenticator()
    _add(office_a, browser, CLIENT, kims)
    other_browser, _lee = office_a.portal_client("lee@example.com")
    lees = Authenticator()
    _add(office_a, other_browser, CLIENT, lees)

    client = office_a.client()
    client.post("/auth/signin", {"email": "kim@example.com", "password": CLIENT_PASSWORD})
    options = _post(client, CLIENT["2fa-options"]).json()
    # Lee's passkey, signed over Kim's challenge, does not finish Kim's sign-in
    _refused(_post(client, CLIENT["2fa"], {"credential": lees.get(options, origin=_origin(office_a))}))
    assert not _signed_in(client, CLIENT)
    # no pending sign-in at all: refused
    nobody = office_a.client()
    assert _post(nobody, CLIENT["2fa-options"]).status_code == 400
    assert _post(nobody, STAFF["2fa-options"]).status_code == 400


def test_nobody_else_sees_or_removes_a_passkey(office_a, office_b):
    owner = office_a.staff_client()
    _add(office_a, owner, STAFF, Authenticator(), name="Owner key")
    kim_browser, kim = office_a.portal_client("kim@example.com")
    _add(office_a, kim_browser, CLIENT, Authenticator(), name="Kim phone")
    owner_key, kim_key = _in(
        office_a,
        lambda: (Passkey.objects.get(holder_kind="staff").pk, Passkey.objects.get(holder_kind="client").pk),
    )

    def colleague():
        get_user_model().objects.create_user(
            "colleague", "colleague@alpha.example", OWNER_PASSWORD, is_staff=True
        )

    _in(office_a, colleague)
    other_staff = office_a.client()
    other_staff.post("/office/login/", {"username": "colleague@alpha.example", "password": OWNER_PASSWORD})
    assert "Owner key" not in other_staff.get("/office/security/").content.decode()
    assert other_staff.post(STAFF["remove"].format(owner_key)).status_code == 404
    assert owner.post(STAFF["remove"].format(kim_key)).status_code == 404, "staff cannot remove a client's"

    lee_browser, _lee = office_a.portal_client("lee@example.com")
    assert "Kim phone" not in lee_browser.get("/profile/security").content.decode()
    assert lee_browser.post(CLIENT["remove"].format(kim_key)).status_code == 404
    assert kim_browser.post(CLIENT["remove"].format(owner_key)).status_code == 404

    b_owner = office_b.staff_client()
    assert b_owner.post(STAFF["remove"].format(owner_key)).status_code == 404
    assert len(_passkeys(office_a)) == 2, "nothing was removed"

    # the holders themselves remove them, and it is written to the audit log
    assert kim_browser.post(CLIENT["remove"].format(kim_key))["Location"] == "/profile/security"
    assert owner.post(STAFF["remove"].format(owner_key))["Location"] == "/office/security/"
    assert _passkeys(office_a) == []
    assert _kinds(office_a).count("passkey_removed") == 2


@pytest.fixture
def tight(monkeypatch):
    monkeypatch.setattr(
        signin_policy, "SURFACES", {key: Limits(ip=3, account=2) for key in signin_policy.SURFACES}
    )


def test_passwordless_sign_in_is_limited_per_ip(office_a, tight):
    client = office_a.client()
    statuses = []
    for _ in range(4):
        options = _post(client, STAFF["signin-options"])
        statuses.append(options.status_code)
    assert statuses[-1] == 429 and int(options["Retry-After"]) > 0
    client = office_a.client()
    for _ in range(4):
        response = _post(client, CLIENT["signin"], {"credential": {"id": b64(os.urandom(16))}})
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    assert "Too many attempts" in response.json()["message"]


def test_the_user_handle_names_nobody(office_a):
    browser = office_a.staff_client()
    options = _post(browser, STAFF["options"]).json()["publicKey"]
    handle = base64url_to_bytes(options["user"]["id"])
    assert len(handle) == 32 and str(office_a.owner_id).encode() not in handle
    assert options["authenticatorSelection"]["residentKey"] == "required"
