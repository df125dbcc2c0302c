"""What events say about the core's objects: ids and useful fields, never a secret or raw token."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from .formatting import money_round
from .models import Company, Contact, PortalAccount, PortalToken


def iso(value: datetime | date | None) -> str | None:
    """A date as ISO 8601, a datetime as ISO 8601 in UTC (``…Z``), as every payload writes them."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    return value.isoformat()


def money(amount: Decimal, currency: str) -> str:
    """Money as a decimal string with exactly the currency's minor unit (``"381.04"``)."""
    return str(money_round(amount, currency))


def contact_payload(contact: Contact) -> dict:
    return {
        "id": contact.pk,
        "first_name": contact.first_name,
        "last_name": contact.last_name,
        "name": contact.full_name,
        "email": contact.email,
        "phone": contact.phone,
        "language": contact.language,
        "company_id": contact.company_id,
        "source": contact.source,
        "created": contact.created,
    }


def company_payload(company: Company) -> dict:
    return {"id": company.pk, "name": company.name, "email": company.email, "language": company.language}


def account_payload(account: PortalAccount) -> dict:
    return {
        "id": account.pk,
        "status": account.status,
        "email": account.email,
        "contact": contact_payload(account.contact) if account.contact_id else None,
        "company": company_payload(account.company) if account.company_id else None,
        "invited_at": account.invited_at,
        "joined_at": account.joined_at,
        "disabled_at": account.disabled_at,
    }


def token_payload(token: PortalToken) -> dict:
    """An access token by id and dates: the token itself (and its hash) never leaves the office."""
    return {"id": token.pk, "created": token.created, "expires_at": token.expires_at}
