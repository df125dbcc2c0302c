"""The client's property page in a real Chromium on a phone: the favourite toggles in place (htmx),
the stars are radio buttons, and a voice note recorded with the browser's microphone (Chromium's
fake device) is sent with the feedback like an uploaded file."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from playwright.sync_api import expect, sync_playwright

from modules.real_estate.models import Feedback, OfferedProperty
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, PHONE, TIMEOUT_MS

from .conftest import visited_viewing
from .portal_support import PASSWORD, portal_on

pytestmark = pytest.mark.browser

FAKE_MICROPHONE = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]


def in_phone(steps, *, base: str) -> None:
    """Run ``steps(page)`` in a phone-sized Chromium whose microphone is Chromium's fake one, on a
    thread of its own (Playwright's sync API keeps an event loop running on its thread, and the
    browser tests' session may already hold the main one). Script errors fail the test."""
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(f"Chromium is not installed at {CHROMIUM}; the browser tests need it.", pytrace=False)

    def run() -> list[str]:
        errors: list[str] = []
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=[*CHROMIUM_ARGS, *FAKE_MICROPHONE]
            )
            try:
                context = chromium.new_context(**PHONE)
                context.set_default_timeout(TIMEOUT_MS)
                context.grant_permissions(["microphone"], origin=base)
                page = context.new_page()
                page.on("pageerror", lambda exc: errors.append(str(exc)))
                steps(page)
            finally:
                chromium.close()
        return errors

    with ThreadPoolExecutor(max_workers=1) as pool:
        errors = pool.submit(run).result()
    assert not errors, errors


def test_favourite_stars_and_a_recorded_voice_note(live_server, office, account, offer):
    connection.set_tenant(office.tenant)  # the live server's set-up left the public schema
    portal_on()
    visited_viewing(offer, account)
    base = f"http://{office.host}:{live_server.url.rsplit(':', 1)[1]}"

    def steps(page) -> None:
        page.goto(f"{base}/auth/signin")
        page.fill("input[name=email]", account.email)
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.goto(f"{base}/real-estate/properties/{offer.pk}/")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["viewport"]["width"]

        page.locator(".re-head .re-fav button").click()
        expect(page.locator(".re-head .re-fav button")).to_have_attribute("aria-pressed", "true")
        assert page.url.endswith(f"/real-estate/properties/{offer.pk}/")  # swapped in place

        page.get_by_role("radio", name="4 stars").check()
        page.fill("textarea[name=notes]", "Recorded in the browser")
        page.click("[data-recorder-start]")
        expect(page.locator("[data-recorder-stop]")).to_be_visible()
        page.wait_for_timeout(1500)
        page.click("[data-recorder-stop]")
        expect(page.locator(".re-recordings audio")).to_have_count(1)
        assert page.eval_on_selector("[data-recorder-input]", "input => input.files.length") == 1
        page.get_by_role("button", name="Send feedback").click()
        expect(page.locator("[data-toasts]")).to_contain_text("Your feedback is with your agent")
        expect(page.locator(".re-feedback audio")).to_have_count(1)
        page.wait_for_load_state("networkidle")

    in_phone(steps, base=base)

    feedback = Feedback.objects.get()
    assert feedback.rating == 4 and feedback.notes == "Recorded in the browser"
    note = feedback.voice_notes.get()
    assert note.content_type in ("audio/webm", "audio/ogg") and note.duration_seconds > 0
    assert OfferedProperty.objects.get().favourite
