import pytest
from tests.browser.test_signup_flow import ALPHA, create_api_key, sign_up

pytestmark = pytest.mark.browser


def test_it_scratch(page, site):
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append("console " + m.type + " " + m.text))
    sign_up(page, site, ALPHA)
    secret = create_api_key(page, site, ALPHA)
    print("secure context:", page.evaluate("() => window.isSecureContext"))
    page.get_by_role("button", name="Copy").click()
    page.wait_for_timeout(300)
    print("button now:", page.get_by_role("button", name="Copied").count(), errors)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=site.office(ALPHA.slug))
    page.reload()
    print("after reload new-key count:", page.locator("#new-key").count())
