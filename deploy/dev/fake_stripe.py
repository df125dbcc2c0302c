"""A small fake of the Stripe API for development and tests (this machine cannot reach Stripe).

It answers just the calls Portico makes, form-encoded as stripe-python sends them, with JSON bodies
shaped as Stripe documents them: Account, AccountLink, checkout Session, PaymentIntent, Charge,
Refund and Event. Calls for an office's account carry ``Stripe-Account`` and only see that
account's objects. What a person does on Stripe's pages (finish onboarding, pay on the Checkout
page) is a page here too (``/onboarding/<account>``, ``/pay/<session>``) or a method for tests;
each sends the events Stripe would, signed with Stripe's scheme (``Stripe-Signature: t=…,v1=…``).

    .venv/bin/python deploy/dev/fake_stripe.py --port 12111 --webhook http://localhost:8000/stripe/connect/webhook/

Point Portico at it with ``STRIPE_API_BASE=http://127.0.0.1:12111``.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import html
import itertools
import json
import re
import secrets
import threading
import time
import urllib.request
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

API_VERSION = "2025-08-27.basil"
DEV_WEBHOOK_SECRET = "whsec_portico_development"  # noqa: S105 (the fake's own)
_ids = itertools.count(1)


def new_id(prefix: str) -> str:
    return f"{prefix}_{next(_ids):06d}{secrets.token_hex(6)}"


def nested(pairs: list[tuple[str, str]]) -> dict:
    """``a[b][0][c]=x`` pairs (how stripe-python encodes params) → nested dicts and lists."""
    root: dict = {}
    for key, value in pairs:
        parts = re.findall(r"[^\[\]]+", key)
        node = root
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            nxt = None if last else parts[index + 1]
            if isinstance(node, list):
                position = int(part)
                while len(node) <= position:
                    node.append({} if not (nxt and nxt.isdigit()) else [])
                if last:
                    node[position] = value
                else:
                    node = node[position]
                continue
            if last:
                node[part] = value
            else:
                node = node.setdefault(part, [] if nxt.isdigit() else {})
    return root


def sign(payload: bytes, secret: str, timestamp: int | None = None) -> str:
    """The ``Stripe-Signature`` header for ``payload``."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


class StripeError(Exception):
    def __init__(
        self, status: int, message: str, kind: str = "invalid_request_error", param: str = "", code: str = ""
    ):
        super().__init__(message)
        error = {"type": kind, "message": message, "param": param or None}
        if code:
            error["code"] = code
        self.status, self.body = status, {"error": error}


class FakeStripe:
    """The fake's state and behaviour; :meth:`start` serves it on the loopback."""

    def __init__(
        self,
        *,
        webhook_url: str = "",
        webhook_secret: str = DEV_WEBHOOK_SECRET,
        secret_key_prefix="sk_",  # noqa: S107
    ):
        self.webhook_url = webhook_url
        self.webhook_secret = webhook_secret
        self.secret_key_prefix = secret_key_prefix
        self.objects: dict[str, dict] = {}
        self.events: list[dict] = []
        self.requests: list[tuple[str, str, str, dict]] = []  # method, path, Stripe-Account, params
        self.sender: Callable[[bytes, str], int] | None = None
        self.lock = threading.RLock()
        self.server: ThreadingHTTPServer | None = None

    # --- serving ----------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self, host: str = "127.0.0.1", port: int = 0) -> FakeStripe:
        fake = self

        class Handler(_Handler):
            stripe = fake

        self.server = ThreadingHTTPServer((host, port), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server:
            self.server.shutdown()
            self.server.server_close()

    # --- events -----------------------------------------------------------------------------

    def event(self, kind: str, obj: dict, account: str) -> dict:
        event = {
            "id": new_id("evt"),
            "object": "event",
            "api_version": API_VERSION,
            "created": int(time.time()),
            "type": kind,
            "account": account,
            "livemode": False,
            "pending_webhooks": 1,
            "request": {"id": None, "idempotency_key": None},
            "data": {"object": json.loads(json.dumps(obj))},
        }
        with self.lock:
            self.events.append(event)
        return event

    def signed(self, event: dict, secret: str | None = None) -> tuple[bytes, str]:
        payload = json.dumps(event).encode()
        return payload, sign(payload, secret or self.webhook_secret)

    def deliver(self, event: dict) -> int:
        """POST ``event`` to the webhook, signed; returns the answer's status (0: no webhook)."""
        payload, header = self.signed(event)
        if self.sender is not None:
            return self.sender(payload, header)
        if not self.webhook_url:
            return 0
        request = urllib.request.Request(  # noqa: S310 (the webhook URL it was given)
            self.webhook_url,
            data=payload,
            headers={"Content-Type": "application/json", "Stripe-Signature": header},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (loopback)
                return response.status
        except urllib.error.HTTPError as exc:
            return exc.code
        except OSError:  # nobody listens there (yet): Stripe would retry; the fake drops it
            return 0

    def emit(self, kind: str, obj: dict, account: str) -> int:
        return self.deliver(self.event(kind, obj, account))

    # --- what people do on Stripe's pages -----------------------------------------------------

    def complete_onboarding(self, account_id: str, *, charges_enabled: bool = True) -> dict:
        with self.lock:
            account = self.objects[account_id]
            account.update(
                details_submitted=True,
                charges_enabled=charges_enabled,
                payouts_enabled=charges_enabled,
                default_currency=account.get("default_currency") or "eur",
            )
            account["requirements"] = {
                "currently_due": [] if charges_enabled else ["individual.verification.document"],
                "disabled_reason": None if charges_enabled else "requirements.past_due",
            }
        self.emit("account.updated", account, account_id)
        return account

    def pay(self, session_id: str, *, outcome: str = "succeeded", deliver: bool = True) -> list[dict]:
        """The client pays on the Checkout page: ``succeeded`` (a card), ``failed`` (a declined
        card: the session stays open), or ``async`` (a bank debit: completed unpaid, then
        ``async_succeeded`` / ``async_failed`` by calling again). Returns the events sent."""
        with self.lock:
            session = self.objects[session_id]
            account = session["_account"]
            intent = self.objects.get(session.get("payment_intent") or "") or self._intent_for(session)
            events = []
            if outcome == "failed":
                intent["status"] = "requires_payment_method"
                intent["last_payment_error"] = {"code": "card_declined", "message": "Your card was declined."}
                events.append(self.event("payment_intent.payment_failed", intent, account))
            elif outcome in ("succeeded", "async_succeeded"):
                charge = self._charge_for(intent)
                intent.update(
                    status="succeeded", latest_charge=charge["id"], amount_received=intent["amount"]
                )
                session.update(status="complete", payment_status="paid")
                kind = (
                    "checkout.session.async_payment_succeeded"
                    if outcome == "async_succeeded"
                    else ("checkout.session.completed")
                )
                events.append(self.event(kind, self._public(session), account))
            elif outcome == "async":
                intent["status"] = "processing"
                session.update(status="complete", payment_status="unpaid")
                events.append(self.event("checkout.session.completed", self._public(session), account))
            elif outcome == "async_failed":
                intent["status"] = "requires_payment_method"
                events.append(
                    self.event("checkout.session.async_payment_failed", self._public(session), account)
                )
            else:
                raise ValueError(outcome)
        if deliver:
            for event in events:
                self.deliver(event)
        return events

    def _intent_for(self, session: dict) -> dict:
        intent = {
            "id": new_id("pi"),
            "object": "payment_intent",
            "amount": session["amount_total"],
            "amount_received": 0,
            "currency": session["currency"],
            "status": "requires_payment_method",
            "metadata": dict(session.get("_intent_metadata") or {}),
            "application_fee_amount": session.get("_application_fee_amount"),
            "latest_charge": None,
            "last_payment_error": None,
            "created": int(time.time()),
            "livemode": False,
            "_account": session["_account"],
        }
        self.objects[intent["id"]] = intent
        session["payment_intent"] = intent["id"]
        return intent

    def _charge_for(self, intent: dict) -> dict:
        charge = {
            "id": new_id("ch"),
            "object": "charge",
            "amount": intent["amount"],
            "amount_captured": intent["amount"],
            "amount_refunded": 0,
            "currency": intent["currency"],
            "paid": True,
            "refunded": False,
            "status": "succeeded",
            "payment_intent": intent["id"],
            "metadata": dict(intent["metadata"]),
            "payment_method_details": {"type": "card", "card": {"brand": "visa", "last4": "4242"}},
            "created": int(time.time()),
            "livemode": False,
            "_account": intent["_account"],
        }
        self.objects[charge["id"]] = charge
        return charge

    @staticmethod
    def _public(obj: dict) -> dict:
        return {k: v for k, v in obj.items() if not k.startswith("_")}

    # --- the API --------------------------------------------------------------------------------

    def _own(self, object_id: str, account: str, kind: str) -> dict:
        obj = self.objects.get(object_id)
        if obj is None or obj["object"] != kind or (kind != "account" and obj.get("_account") != account):
            raise StripeError(404, f"No such {kind}: '{object_id}'", param="id", code="resource_missing")
        return obj

    def handle(self, method: str, path: str, account: str, params: dict) -> dict:
        with self.lock:
            self.requests.append((method, path, account, params))
            if method == "POST" and path == "/v1/accounts":
                return self._account_create(params)
            if method == "GET" and (m := re.fullmatch(r"/v1/accounts/(acct_\w+)", path)):
                return self._public(self._own(m[1], account, "account"))
            if method == "DELETE" and (m := re.fullmatch(r"/v1/accounts/(acct_\w+)", path)):
                self._own(m[1], account, "account")
                del self.objects[m[1]]
                return {"id": m[1], "object": "account", "deleted": True}
            if method == "POST" and path == "/v1/account_links":
                return self._account_link(params)
            if method == "POST" and path == "/v1/checkout/sessions":
                return self._session_create(params, account)
            if method == "GET" and (m := re.fullmatch(r"/v1/checkout/sessions/(cs_\w+)", path)):
                return self._public(self._own(m[1], account, "checkout.session"))
            if method == "GET" and (m := re.fullmatch(r"/v1/payment_intents/(pi_\w+)", path)):
                return self._public(self._own(m[1], account, "payment_intent"))
            if method == "POST" and path == "/v1/refunds":
                return self._refund(params, account)
        raise StripeError(404, f"Unrecognized request URL ({method}: {path}).")

    def _account_create(self, params: dict) -> dict:
        if params.get("type") != "standard":
            raise StripeError(400, "Portico creates Standard accounts only.", param="type")
        account = {
            "id": new_id("acct"),
            "object": "account",
            "type": "standard",
            "email": params.get("email"),
            "country": params.get("country", "NL"),
            "default_currency": None,
            "charges_enabled": False,
            "payouts_enabled": False,
            "details_submitted": False,
            "requirements": {
                "currently_due": ["business_profile.url", "external_account"],
                "disabled_reason": None,
            },
            "metadata": params.get("metadata", {}),
            "created": int(time.time()),
        }
        self.objects[account["id"]] = account
        return account

    def _account_link(self, params: dict) -> dict:
        account = self._own(params.get("account", ""), "", "account")
        for name in ("refresh_url", "return_url"):
            if not params.get(name):
                raise StripeError(400, f"Missing required param: {name}.", param=name)
        account["_return_url"] = params["return_url"]
        return {
            "object": "account_link",
            "created": int(time.time()),
            "expires_at": int(time.time()) + 300,
            "url": f"{self.base_url}/onboarding/{account['id']}",
        }

    def _session_create(self, params: dict, account: str) -> dict:
        if not account:
            raise StripeError(400, "Portico makes direct charges: Stripe-Account is required.")
        connected = self._own(account, "", "account")
        if not connected["charges_enabled"]:
            raise StripeError(400, "This account cannot currently make live charges.", param="account")
        items = params.get("line_items") or []
        if not items:
            raise StripeError(400, "Missing required param: line_items.", param="line_items")
        currencies = {item["price_data"]["currency"] for item in items}
        if len(currencies) != 1:
            raise StripeError(400, "All line items must have the same currency.", param="line_items")
        total = sum(int(item["price_data"]["unit_amount"]) * int(item.get("quantity", 1)) for item in items)
        intent_data = params.get("payment_intent_data") or {}
        fee = intent_data.get("application_fee_amount")
        session_id = new_id("cs_test")
        session = {
            "id": session_id,
            "object": "checkout.session",
            "mode": params.get("mode", "payment"),
            "amount_total": total,
            "amount_subtotal": total,
            "currency": currencies.pop(),
            "customer_email": params.get("customer_email"),
            "client_reference_id": params.get("client_reference_id"),
            "metadata": params.get("metadata", {}),
            "payment_intent": None,
            "payment_status": "unpaid",
            "status": "open",
            "success_url": params.get("success_url"),
            "cancel_url": params.get("cancel_url"),
            "url": f"{self.base_url}/pay/{session_id}",
            "created": int(time.time()),
            "livemode": False,
            "_account": account,
            "_intent_metadata": intent_data.get("metadata", {}),
            "_application_fee_amount": int(fee) if fee is not None else None,
        }
        self.objects[session_id] = session
        return self._public(session)

    def _refund(self, params: dict, account: str) -> dict:
        intent = self._own(params.get("payment_intent", ""), account, "payment_intent")
        charge = self.objects.get(intent.get("latest_charge") or "")
        if charge is None:
            raise StripeError(
                400, "This PaymentIntent has no successful charge to refund.", param="payment_intent"
            )
        left = charge["amount"] - charge["amount_refunded"]
        amount = int(params.get("amount") or left)
        if amount <= 0 or amount > left:
            raise StripeError(
                400,
                f"Refund amount ({amount}) is greater than unrefunded amount on charge ({left})",
                param="amount",
            )
        charge["amount_refunded"] += amount
        charge["refunded"] = charge["amount_refunded"] == charge["amount"]
        refund = {
            "id": new_id("re"),
            "object": "refund",
            "amount": amount,
            "currency": charge["currency"],
            "charge": charge["id"],
            "payment_intent": intent["id"],
            "status": "succeeded",
            "created": int(time.time()),
            "_account": account,
        }
        self.objects[refund["id"]] = refund
        event = self.event("charge.refunded", self._public(charge), account)
        threading.Thread(target=self.deliver, args=(event,), daemon=True).start()  # after the answer
        return self._public(refund)


class _Handler(BaseHTTPRequestHandler):
    stripe: FakeStripe
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:
        pass

    def _send(self, status: int, body: dict | str, content_type: str = "application/json", headers=None):
        data = (json.dumps(body) if isinstance(body, dict) else body).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Request-Id", new_id("req"))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _params(self) -> dict:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        query = urlsplit(self.path).query
        return nested(parse_qsl(body or query, keep_blank_values=True))

    def _api(self, method: str) -> None:
        path = urlsplit(self.path).path
        params = self._params()
        if path.startswith(("/onboarding/", "/pay/")):
            return self._page(method, path, params)
        auth = self.headers.get("Authorization", "")
        if not auth.startswith(f"Bearer {self.stripe.secret_key_prefix}"):
            return self._send(
                401, {"error": {"type": "invalid_request_error", "message": "Invalid API Key provided."}}
            )
        try:
            self._send(200, self.stripe.handle(method, path, self.headers.get("Stripe-Account", ""), params))
        except StripeError as exc:
            self._send(exc.status, exc.body)

    def _page(self, method: str, path: str, params: dict) -> None:
        fake = self.stripe
        if m := re.fullmatch(r"/onboarding/(acct_\w+)", path):
            account = fake.objects.get(m[1])
            if account is None:
                return self._send(404, "No such account", "text/plain")
            if method == "POST":
                fake.complete_onboarding(account["id"])
                return self._send(303, "", "text/plain", {"Location": account.get("_return_url", "/")})
            return self._send(
                200, _page("Set up payments", f"Account {account['id']}", "Finish setup"), "text/html"
            )
        if m := re.fullmatch(r"/pay/(cs_test_\w+)", path):
            session = fake.objects.get(m[1])
            if session is None:
                return self._send(404, "No such session", "text/plain")
            if method == "POST":
                fake.pay(session["id"], outcome=params.get("outcome", "succeeded"))
                target = (session.get("success_url") or "/").replace("{CHECKOUT_SESSION_ID}", session["id"])
                return self._send(303, "", "text/plain", {"Location": target})
            amount = f"{session['amount_total'] / 100:.2f} {session['currency'].upper()}"
            return self._send(200, _page("Pay", amount, "Pay"), "text/html")
        return self._send(404, "Not found", "text/plain")

    def do_GET(self) -> None:  # noqa: N802
        self._api("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._api("POST")

    def do_DELETE(self) -> None:  # noqa: N802
        self._api("DELETE")


def _page(title: str, detail: str, button: str) -> str:
    return (
        f"<!doctype html><html lang=en><meta name=viewport content='width=device-width'>"
        f"<title>{html.escape(title)} · Stripe (test)</title>"
        "<body style='font-family:sans-serif;max-width:28rem;margin:3rem auto'>"
        f"<p>Stripe test mode (a local fake)</p><h1>{html.escape(title)}</h1><p>{html.escape(detail)}</p>"
        "<form method=post><button type=submit style='padding:.7rem 1.4rem'>"
        f"{html.escape(button)}</button></form>"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=12111)
    parser.add_argument("--webhook", default="", help="where to POST the signed events")
    parser.add_argument("--secret", default=DEV_WEBHOOK_SECRET, help="the webhook signing secret")
    args = parser.parse_args()
    fake = FakeStripe(webhook_url=args.webhook, webhook_secret=args.secret).start(args.host, args.port)
    print(f"Fake Stripe on {fake.base_url}", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        fake.stop()


if __name__ == "__main__":
    main()
