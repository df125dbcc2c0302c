"""The production layout without Docker: gunicorn (production settings, DEBUG off, a real SECRET_KEY),
the worker and Caddy as processes. A new office signs up through Caddy over HTTPS, invites a client
from its office, and the client accepts in the portal; static files arrive hashed and compressed."""

from __future__ import annotations

import re
import subprocess
import sys

import httpx
import pytest
from django.conf import settings
from playwright.sync_api import expect

from tenants.services import pool_top_up
from tests.production_stack import ROOT, ProductionStack, production_env, text_of
from tests.test_deploy_files import healthcheck_command

from .conftest import CHROMIUM, CHROMIUM_ARGS, DESKTOP, PHONE

pytestmark = pytest.mark.browser

OWNER_EMAIL = "ines@harbour-homes.example"
OWNER_PASSWORD = "Harbour-view-2026!"
CLIENT_EMAIL = "maria@example.com"
CLIENT_PASSWORD = "Harbour-light-2026!"
CODE = re.compile(r"(?<!\d)(\d{6})(?!\d)")


def test_production_settings_refuse_a_missing_or_weak_secret_key():
    def check(**env):
        return subprocess.run(  # noqa: S603 - a fixed command line
            [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
            cwd=ROOT,
            env=production_env(**env),
            capture_output=True,
            text=True,
            timeout=120,
        )

    good = check()
    assert good.returncode == 0, good.stderr
    env = production_env()
    del env["SECRET_KEY"]
    missing = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert missing.returncode != 0 and "Set the SECRET_KEY environment variable" in missing.stderr
    weak = check(SECRET_KEY="dev-insecure-portico-secret-key-change-me-in-production")
    assert weak.returncode != 0 and "SECRET_KEY must be a long random secret" in weak.stderr


@pytest.fixture
def stack(transactional_db, tmp_path, collected_static):
    pool_top_up(size=1)  # what the worker's timer keeps ready in production
    static_root = collected_static
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    running = ProductionStack(static_root, mail_dir).start()
    yield running
    running.stop()


def test_an_office_signs_up_and_its_client_gets_in_through_caddy_over_https(stack, browser, artifacts):
    base = settings.PORTICO_BASE_DOMAIN
    office_host = f"harbour.{base}"

    # The image's health check, run as Docker runs it, finds the web healthy.
    healthy = subprocess.run(  # noqa: S603 - the Dockerfile's own command
        ["sh", "-c", healthcheck_command()],
        env={**stack.env, "PORT": str(stack.web_port)},
        capture_output=True,
        timeout=10,
        check=False,
    )
    assert healthy.returncode == 0, healthy.stderr

    # DEBUG is off: an unknown page is the product's own 404, not Django's technical page.
    missing = httpx.get(f"http://127.0.0.1:{stack.web_port}/no-such-page/", headers={"Host": base})
    assert missing.status_code == 404 and "Traceback" not in missing.text and "URLconf" not in missing.text

    trusted = browser.browser_type.launch(
        executable_path=str(CHROMIUM),
        headless=True,
        args=[*CHROMIUM_ARGS, f"--ignore-certificate-errors-spki-list={stack.caddy.intermediate_spki()}"],
    )
    try:
        owner = trusted.new_context(**DESKTOP)
        page = owner.new_page()
        problems: list[str] = []
        page.on("response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 500 else None)

        # Sign-up on the platform host, the code from the email the product sent.
        page.goto(stack.url(base, "/signup/"))
        page.get_by_label("Office name").fill("Harbour Homes")
        page.get_by_label("Subdomain").fill("harbour")
        page.get_by_label("Your name").fill("Ines Harbour")
        page.get_by_label("Work email").fill(OWNER_EMAIL)
        page.get_by_label("Password", exact=True).fill(OWNER_PASSWORD)
        page.get_by_role("button", name="Continue").click()
        expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
        assert page.evaluate("() => window.isSecureContext")
        code_email = stack.wait_for_email(OWNER_EMAIL, "")
        code = CODE.search(code_email["Subject"]) or CODE.search(text_of(code_email))
        page.get_by_label("Verification code").fill(code.group(1))
        page.get_by_role("button", name="Confirm and open my office").click()
        page.wait_for_url(stack.url(office_host, "/office/"))
        expect(page.locator("#setup-checklist")).to_be_visible()
        session = [c for c in owner.cookies() if c["name"] == "sessionid"]
        assert session and session[0]["secure"] and session[0]["httpOnly"], owner.cookies()

        # The stylesheet is served hashed, compressed and cached for good.
        [stylesheet] = page.locator('link[rel="stylesheet"][href*="/static/portico/"]').evaluate_all(
            "links => links.map(l => l.getAttribute('href'))"
        )[:1]
        assert re.search(r"\.[0-9a-f]{12}\.css$", stylesheet), stylesheet
        direct = httpx.get(
            f"http://127.0.0.1:{stack.web_port}{stylesheet}", headers={"Accept-Encoding": "br"}
        )
        assert direct.status_code == 200 and direct.headers["content-encoding"] == "br"
        assert "immutable" in direct.headers["cache-control"]

        # The office switches its portal on and invites a client.
        page.goto(stack.url(office_host, "/office/settings/"))
        page.get_by_label("Portal switched on").check()
        page.get_by_role("button", name="Save").click()
        expect(page.get_by_role("status").filter(has_text="Portal settings saved.")).to_be_visible()
        page.goto(stack.url(office_host, "/office/contacts/new/"))
        page.get_by_label("First name").fill("Maria")
        page.get_by_label("Last name").fill("Santos")
        page.get_by_label("Email").fill(CLIENT_EMAIL)
        page.get_by_role("button", name="Add contact").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Maria Santos")
        page.get_by_text("Invite to the portal").click()
        page.get_by_role("button", name="Send invitation").click()
        expect(
            page.get_by_role("status").filter(has_text=f"Invitation sent to {CLIENT_EMAIL}")
        ).to_be_visible()
        page.screenshot(path=artifacts / "production-stack-office.png", full_page=True)

        # The client accepts on her phone, through Caddy on the office's host.
        invitation = stack.wait_for_email(CLIENT_EMAIL, "Harbour Homes")
        # Built by the worker: the office's host, on the port clients reach Caddy on (443 in production).
        link = re.search(rf"{re.escape(stack.url(office_host, '/auth/invite/'))}[\w-]+", text_of(invitation))
        assert link, text_of(invitation)
        client = trusted.new_context(**PHONE).new_page()
        client.goto(link.group(0))
        expect(client.get_by_role("heading", level=1)).to_contain_text("You are invited to Harbour Homes")
        client.get_by_role("button", name="Accept the invitation").click()
        client.wait_for_url(stack.url(office_host, "/welcome/password"))
        client.get_by_label("New password").fill(CLIENT_PASSWORD)
        client.get_by_role("button", name="Save and continue").click()
        client.wait_for_url(stack.url(office_host, "/welcome/"))
        expect(client.locator("[data-slide]:visible h1")).to_have_text("Welcome to Harbour Homes")
        client.screenshot(path=artifacts / "production-stack-client-phone.png", full_page=True)
        assert not problems, problems
    finally:
        trusted.close()
    assert "Traceback" not in stack.output("web") + stack.output("worker")
