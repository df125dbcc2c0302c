"""axe-core (installed from npm by ``make install``) run inside the page: WCAG 2.2 A and AA rules."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
from playwright.sync_api import Page

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
BLOCKING = {"critical", "serious"}


@cache
def axe_source() -> str:
    if not AXE.is_file():
        pytest.fail(
            f"axe-core is not installed ({AXE} is missing): run `make install` (npm ci).", pytrace=False
        )
    return AXE.read_text(encoding="utf-8")


def violations(page: Page) -> list[dict]:
    """The page's critical and serious WCAG violations, as axe reports them."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # Evaluated through the DevTools protocol, which the page's Content-Security-Policy does not
        # govern (a <script> tag without the page's nonce would be refused, as it should be).
        page.evaluate("(source) => { (0, eval)(source); }", axe_source())
    found = page.evaluate(
        """async (tags) => {
            const result = await axe.run(document, { runOnly: { type: "tag", values: tags } });
            return result.violations.map((v) => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map((n) => `${n.target.join(" ")}: ${n.failureSummary.split("\\n")[1] || ""}`),
            }));
        }""",
        TAGS,
    )
    return [v for v in found if v["impact"] in BLOCKING]


def assert_accessible(page: Page, what: str = "") -> None:
    """No critical or serious axe-core violation on the page as it is now."""
    found = violations(page)
    if found:
        lines = [
            f"{v['impact']} {v['id']} ({v['help']}):\n    " + "\n    ".join(v["nodes"][:5]) for v in found
        ]
        pytest.fail(f"axe-core on {what or page.url}:\n" + "\n".join(lines), pytrace=False)
