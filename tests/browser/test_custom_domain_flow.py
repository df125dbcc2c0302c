"""An office puts its portal on its own domain, in a real Chromium: it adds the domain, reads the
records, the test's DNS server gets them one by one, and the page goes pending → verified → active;
then the portal loads through a real Caddy on that domain, over HTTPS from Caddy's own CA."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tenants.models import Plan
from tests.caddy_proxy import CaddyProxy

from ..conftest import OWNER_PASSWORD
from .axe import assert_accessible
from .conftest import CHROMIUM, CHROMIUM_ARGS, DESKTOP

pytestmark = pytest.mark.browser

DOMAIN = "portal.alpha-agency.test"


def _status(page: Page) -> str:
    return page.locator(f'[data-domain="{DOMAIN}"]').get_attribute("data-domain-status")


def _record(page: Page, key: str):
    return page.locator(f'[data-domain="{DOMAIN}"] tr[data-record="{key}"]')


def _check_now(page: Page) -> None:
    page.locator(f'[data-domain="{DOMAIN}"]').get_by_role("button", name="Check now").click()
    page.wait_for_load_state()


@pytest.mark.parametrize("viewport", ["phone"])
def test_an_office_puts_its_portal_on_its_own_domain(
    make_office, site, open_window, browser, dns_zones, settings, live_server, artifacts, viewport
):
    office = make_office("alpha", plan=Plan.objects.get(code="professional"))
    page = open_window(phone=viewport == "phone")
    page.goto(f"{site.office('alpha')}/office/login/")
    page.get_by_label("Email").fill(office.owner_email)
    page.get_by_label("Password").fill(OWNER_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.goto(f"{site.office('alpha')}/office/domain/")
    expect(page.get_by_text("Your plan includes 3 custom domains.")).to_be_visible()

    page.get_by_role("textbox", name="Domain").fill(DOMAIN)
    page.get_by_role("button", name="Add domain").click()
    expect(page.locator("[data-toasts] .toast").filter(has_text=f"{DOMAIN} is added")).to_be_visible()
    assert _status(page) == "pending"
    expect(_record(page, "verify")).to_have_attribute("data-state", "missing")
    expect(_record(page, "route")).to_contain_text("alpha.portico.localhost")
    txt_name = _record(page, "verify").locator("td").nth(1).inner_text()
    txt_value = _record(page, "verify").locator("td").nth(2).inner_text()
    assert txt_name == f"_portico-verify.{DOMAIN}" and txt_value.startswith("portico-verify=")
    assert_accessible(page, f"office domain page, pending ({viewport})")
    scroll, width = page.evaluate("() => [document.documentElement.scrollWidth, innerWidth]")
    assert scroll <= width + 1, f"the domain page scrolls sideways ({scroll} > {width})"
    page.screenshot(path=artifacts / f"office-domain-pending-{viewport}.png", full_page=True)

    dns_zones.set(txt_name, "TXT", txt_value)  # the office adds the TXT record first
    dns_zones.set(DOMAIN, "CNAME", "old-host.example")  # and its domain still points elsewhere
    _check_now(page)
    assert _status(page) == "pending"
    expect(_record(page, "verify")).to_have_attribute("data-state", "found")
    expect(_record(page, "route")).to_have_attribute("data-state", "wrong")
    expect(_record(page, "route")).to_contain_text("seen: old-host.example")

    dns_zones.set(DOMAIN, "CNAME", "alpha.portico.localhost")
    _check_now(page)  # no proxy answers for the domain yet: verified, the certificate still to come
    assert _status(page) == "verified"
    expect(page.get_by_text("The certificate for https is being issued")).to_be_visible()

    caddy = CaddyProxy(live_server.url.removeprefix("http://")).start()
    try:
        settings.PORTICO_TLS_PROBE = f"127.0.0.1:{caddy.https_port}"
        _check_now(page)
        assert _status(page) == "active", caddy.output()
        expect(page.get_by_role("link", name=f"https://{DOMAIN}", exact=True)).to_be_visible()
        assert_accessible(page, f"office domain page, active ({viewport})")
        page.screenshot(path=artifacts / f"office-domain-active-{viewport}.png", full_page=True)

        # A client's browser that resolves the domain to this machine and trusts only Caddy's CA.
        client_browser = browser.browser_type.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=[
                *CHROMIUM_ARGS,
                f"--host-resolver-rules=MAP {DOMAIN} 127.0.0.1",
                f"--ignore-certificate-errors-spki-list={caddy.intermediate_spki()}",
            ],
        )
        try:
            client = client_browser.new_page(**DESKTOP)
            answer = client.goto(f"https://{DOMAIN}:{caddy.https_port}/login")
            assert answer.ok and client.url == f"https://{DOMAIN}:{caddy.https_port}/auth/signin"
            expect(client.locator("body")).to_contain_text("Alpha Realty")
            assert client.evaluate("() => window.isSecureContext")
        finally:
            client_browser.close()
    finally:
        caddy.stop()
