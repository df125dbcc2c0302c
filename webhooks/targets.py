"""Where a webhook may be sent: http(s) URLs whose host resolves only to public addresses.

Checked when an endpoint is saved and again before every request (DNS can change in between);
the request then goes to the very address that was checked, so a second lookup cannot swap in an
internal one. ``PORTICO_WEBHOOKS_ALLOW_PRIVATE`` lifts the address rule (development and tests).
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

DEFAULT_PORTS = {"http": 80, "https": 443}
validate_url = URLValidator(schemes=["http", "https"], message="Enter a full http:// or https:// URL.")


class TargetRefused(Exception):
    """The URL may not be called: its host is unknown or resolves to a non-public address."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    address: str  # the checked address the request is sent to

    @property
    def is_https(self) -> bool:
        return self.scheme == "https"


def _refusal(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if embedded is not None and (reason := _refusal(embedded)):
            return reason
    checks = (
        ("loopback", ip.is_loopback),
        ("link-local", ip.is_link_local),
        ("multicast", ip.is_multicast),
        ("private", ip.is_private),
        ("reserved", ip.is_reserved),
        ("unspecified", ip.is_unspecified),
        ("not public", not ip.is_global),
    )
    return next((reason for reason, hit in checks if hit), None)


def _resolve(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise TargetRefused(f"The host “{host}” could not be found.") from exc
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    if not addresses:
        raise TargetRefused(f"The host “{host}” could not be found.")
    return addresses


def target_resolve(url: str) -> Target:
    """The address to send to, after checking that every address of the host is public.

    Raises :class:`TargetRefused` (with a message for the office) otherwise."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname:
        raise TargetRefused("Only http:// and https:// URLs can receive webhooks.")
    host = parts.hostname
    try:
        port = parts.port or DEFAULT_PORTS[scheme]
    except ValueError as exc:
        raise TargetRefused("The port in this URL is not valid.") from exc
    addresses = _resolve(host, port)
    if not settings.PORTICO_WEBHOOKS_ALLOW_PRIVATE:
        for address in addresses:
            ip = ipaddress.ip_address(address.split("%", 1)[0])
            if reason := _refusal(ip):
                raise TargetRefused(
                    f"“{host}” resolves to {ip}, a {reason} address: webhooks only go to public addresses."
                )
    return Target(scheme=scheme, host=host, port=port, address=addresses[0])


def url_clean(url: str) -> str:
    """The URL, stripped and checked for use as an endpoint; raises ``ValidationError``."""
    url = (url or "").strip()
    if "://" in url:
        scheme, rest = url.split("://", 1)
        url = f"{scheme.lower()}://{rest}"
    try:
        validate_url(url)
    except ValidationError as exc:
        raise ValidationError({"url": exc.messages}) from exc
    try:
        target_resolve(url)
    except TargetRefused as exc:
        raise ValidationError({"url": str(exc)}) from exc
    return url
