import re

from django.core.exceptions import ValidationError

RESERVED_SUBDOMAINS = frozenset(
    {
        "www",
        "api",
        "admin",
        "portal",
        "mail",
        "static",
        "office",
        "media",
        "app",
        "apps",
        "auth",
        "login",
        "signup",
        "find-office",
        "help",
        "support",
        "docs",
        "status",
        "blog",
        "smtp",
        "imap",
        "pop",
        "ftp",
        "ns1",
        "ns2",
        "mx",
        "cdn",
        "assets",
        "billing",
        "dashboard",
        "root",
        "system",
        "public",
        "platform",
        "portico",
        "demo-admin",
        "webhooks",
        "internal",
        "test",
        "localhost",
    }
)
SUBDOMAIN_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{1,38}[a-z0-9])$")


def validate_subdomain(value: str) -> None:
    if not value:
        raise ValidationError("Choose a subdomain.", code="required")
    if value != value.lower():
        raise ValidationError("Use lower-case letters only.", code="case")
    if not SUBDOMAIN_RE.match(value):
        raise ValidationError(
            "Use 3 to 40 characters: lower-case letters, digits and hyphens, "
            "starting and ending with a letter or digit.",
            code="invalid",
        )
    if "--" in value:
        raise ValidationError("Two hyphens in a row are not allowed.", code="invalid")
    if value in RESERVED_SUBDOMAINS:
        raise ValidationError(f"“{value}” is reserved. Please choose another subdomain.", code="reserved")
