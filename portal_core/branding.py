"""An office's brand colours as the portal's CSS custom properties, with text colours that stay
readable on them (WCAG 2.2 contrast ≥ 4.5:1), computed here rather than left to the browser."""

from __future__ import annotations

from functools import lru_cache

INK = "#0f172a"
WHITE = "#ffffff"
PAGE = "#f1f5f9"  # the greyest background text sits on (cards are white, the page #f8fafc)
READABLE = 4.5


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def _rgb(colour: str) -> tuple[int, int, int]:
    colour = colour.lstrip("#")
    return int(colour[0:2], 16), int(colour[2:4], 16), int(colour[4:6], 16)


def luminance(colour: str) -> float:
    """Relative luminance of ``#rrggbb`` (WCAG 2.2)."""
    r, g, b = (_channel(c) for c in _rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """The WCAG contrast ratio of two colours, from 1 to 21."""
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


@lru_cache(maxsize=256)
def text_on(colour: str) -> str:
    """White or dark ink, whichever reads better on ``colour`` (white when both reach 4.5:1)."""
    if contrast(colour, WHITE) >= READABLE:
        return WHITE
    return INK if contrast(colour, INK) >= contrast(colour, WHITE) else WHITE


@lru_cache(maxsize=256)
def ink_on_white(colour: str) -> str:
    """``colour`` as text or a link on white and the page's greys: itself when readable, else
    darkened just enough."""
    r, g, b = _rgb(colour)
    for step in range(0, 101, 4):
        keep = 1 - step / 100
        shade = "#{:02x}{:02x}{:02x}".format(*(round(c * keep) for c in (r, g, b)))
        if contrast(shade, PAGE) >= READABLE:
            return shade
    return INK


def brand_properties(primary: str, secondary: str) -> str:
    """The ``style`` value that brands a page: the colours and the text colours computed for them."""
    return (
        f"--brand: {primary}; --brand-dark: {secondary}; --on-brand: {text_on(primary)}; "
        f"--on-brand-dark: {text_on(secondary)}; --brand-ink: {ink_on_white(primary)};"
    )
