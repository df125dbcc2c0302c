"""Real Chromium (Debian's, not Playwright's download) driving the live server on ``*.portico.localhost``."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.signals import setting_changed
from playwright.sync_api import Browser, BrowserContext, Page, Response, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"viewport": {"width": 1280, "height": 800}}
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 3,
    "is_mobile": True,
    "has_touch": True,
}
TIMEOUT_MS = 10_000
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-results"


@pytest.fixture(scope="session", autouse=True)
def _compiled_translations() -> None:
    """The .mo files are build output (gitignored): compile them, so a plain ``pytest`` speaks Dutch too."""
    call_command("compile_translations", verbosity=0)
    # Earlier tests in the run may have loaded the catalogues before they existed: reload them.
    setting_changed.send(sender=None, setting="LOCALE_PATHS", value=settings.LOCALE_PATHS, enter=False)


@pytest.fixture(scope="session")
def browser(in_ci) -> Iterator[Browser]:
    """One headless Chromium for the whole run. A missing Chromium fails the tests: never a skip."""
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        where = "in CI" if in_ci else "on this machine"
        pytest.fail(
            f"Chromium is not installed at {CHROMIUM} {where}; the browser tests need it. "
            "Install it with `make install-system` (Debian package `chromium`).",
            pytrace=False,
        )
    # Playwright's sync API keeps an asyncio loop running on the main thread from here until the
    # end of the session, so Django's ORM (test code, transactional flushes, tests that run later)
    # would refuse to run. Allow it only once a browser is actually started.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
    except Exception:
        playwright.stop()
        raise
    yield chromium
    chromium.close()
    playwright.stop()
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def _open(browser: Browser, options: dict):
    """A fresh context (own cookies) with one page that records script errors and server failures."""
    context: BrowserContext = browser.new_context(**options)
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    page = context.new_page()
    problems: list[str] = []

    def on_response(response: Response) -> None:
        if response.status >= 500 or (response.status == 404 and "/static/" in response.url):
            problems.append(f"{response.status} {response.url}")

    page.on("pageerror", lambda exc: problems.append(f"script error: {exc}"))
    page.on(
        "console",
        lambda message: (
            problems.append(f"content security policy: {message.text}")
            if message.type == "error" and "Content Security Policy" in message.text
            else None
        ),
    )
    page.on("response", on_response)
    return context, page, problems


def _close(context: BrowserContext, problems: list[str]) -> None:
    context.close()
    if problems:
        pytest.fail("The browser saw problems:\n" + "\n".join(problems), pytrace=False)


@pytest.fixture
def page(browser) -> Iterator[Page]:
    """A desktop browser window (1280×800) with its own cookies."""
    context, page, problems = _open(browser, DESKTOP)
    yield page
    _close(context, problems)


@pytest.fixture
def phone_page(browser) -> Iterator[Page]:
    """An iPhone-sized touch screen (390×844) with its own cookies."""
    context, page, problems = _open(browser, PHONE)
    yield page
    _close(context, problems)


@pytest.fixture
def open_window(browser) -> Iterator[Callable[..., Page]]:
    """Open more windows, each a fresh context with its own cookies: ``open_window(phone=True)``.
    They are closed (and their problems reported) at the end of the test."""
    opened: list[tuple[BrowserContext, list[str]]] = []

    def open_one(*, phone: bool = False) -> Page:
        context, page, problems = _open(browser, PHONE if phone else DESKTOP)
        opened.append((context, problems))
        return page

    yield open_one
    problems = []
    for context, seen in opened:
        context.close()
        problems.extend(seen)
    if problems:
        pytest.fail("The browser saw problems:\n" + "\n".join(problems), pytrace=False)


@dataclass(frozen=True)
class Site:
    """Absolute URLs on the live server for the platform host and for offices' hosts."""

    port: int

    @property
    def platform(self) -> str:
        return f"http://{settings.PORTICO_BASE_DOMAIN}:{self.port}"

    def office(self, slug: str) -> str:
        return f"http://{slug}.{settings.PORTICO_BASE_DOMAIN}:{self.port}"


@pytest.fixture
def site(live_server) -> Site:
    port = live_server.thread.port or int(re.search(r":(\d+)$", live_server.url).group(1))
    return Site(port=port)


@pytest.fixture
def artifacts() -> Path:
    """Where screenshots for humans go (``test-results/`` is gitignored)."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
