"""The office's password policy for client accounts."""

import re

from django.contrib.auth.password_validation import CommonPasswordValidator
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .models import PortalConfig

SPECIAL = re.compile(r"[^A-Za-z0-9]")


def policy_rules(policy: str) -> list[tuple[str, str]]:
    """(rule key, human text) pairs, shown next to the password field and checked live."""
    if policy == PortalConfig.PasswordPolicy.LENGTH:
        return [("length12", _("At least 12 characters"))]
    return [
        ("length8", _("At least 8 characters")),
        ("upper", _("An upper-case letter")),
        ("lower", _("A lower-case letter")),
        ("digit", _("A digit")),
        ("special", _("A special character, such as ! ? # or %")),
    ]


def _rule_holds(rule: str, password: str) -> bool:
    return {
        "length8": len(password) >= 8,
        "length12": len(password) >= 12,
        "upper": any(c.isupper() for c in password),
        "lower": any(c.islower() for c in password),
        "digit": any(c.isdigit() for c in password),
        "special": bool(SPECIAL.search(password)),
    }[rule]


def validate_client_password(password: str, *, policy: str) -> None:
    errors = [text for rule, text in policy_rules(policy) if not _rule_holds(rule, password)]
    try:
        CommonPasswordValidator().validate(password)
    except ValidationError:
        errors.append(_("This password is too common."))
    if errors:
        raise ValidationError(errors)
