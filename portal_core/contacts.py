"""Contacts and companies as the office keeps them: writes (create, update, CSV import) and the
reads its console needs (search, filters, email conflicts). The office views, the API and tasks
all go through these."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Count, Exists, F, Func, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Lower

from webhooks.services import event_emit, events_emit

from .activity import activity_record

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser
from .models import ActivityEntry, Company, Contact, PortalAccount
from .payloads import contact_payload

LANGUAGE_CODES = {code for code, _name in settings.LANGUAGES}
CONTACT_FIELDS = ("first_name", "last_name", "email", "phone", "language", "company", "owner")
COMPANY_FIELDS = ("name", "email", "phone", "website", "language")


def _normalised(changes: dict) -> dict:
    changes = {k: v.strip() if isinstance(v, str) else v for k, v in changes.items()}
    if "email" in changes:
        changes["email"] = (changes["email"] or "").lower()
    return changes


# --- contacts -----------------------------------------------------------------------------------


def contact_create(
    *,
    first_name: str,
    last_name: str = "",
    email: str = "",
    phone: str = "",
    language: str = "en",
    company: Company | None = None,
    owner: AbstractBaseUser | None = None,
    source: str = Contact.Source.OFFICE,
    actor: str = "",
) -> Contact:
    """A new contact, validated like the database will hold it, with a “created” entry in its log."""
    contact = Contact(
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        email=(email or "").strip().lower(),
        phone=phone.strip(),
        language=language,
        company=company,
        owner=owner,
        source=source,
    )
    contact.full_clean()
    with transaction.atomic():
        contact.save()
        activity_record(
            contact=contact,
            company=company,
            verb="contact_created",
            actor=ActivityEntry.Actor.STAFF if actor else ActivityEntry.Actor.SYSTEM,
            actor_label=actor,
        )
        event_emit(type="contact.created", data={"contact": contact_payload(contact), "created_by": actor})
    return contact


def contact_update(*, contact: Contact, actor: str = "", **changes) -> Contact:
    """Change the given fields (names from ``CONTACT_FIELDS``) and log which ones changed."""
    unknown = set(changes) - set(CONTACT_FIELDS)
    if unknown:
        raise TypeError(f"contact_update() got unexpected fields: {', '.join(sorted(unknown))}")
    changes = _normalised(changes)
    changed = [name for name, value in changes.items() if getattr(contact, name) != value]
    for name in changed:
        setattr(contact, name, changes[name])
    if not changed:
        return contact
    if "email" in changed:  # a new address is not known to fail
        contact.email_failing_since, contact.email_failing_reason = None, ""
    contact.full_clean()
    with transaction.atomic():
        contact.save()
        activity_record(
            contact=contact,
            verb="contact_updated",
            params={"fields": changed},
            actor=ActivityEntry.Actor.STAFF if actor else ActivityEntry.Actor.SYSTEM,
            actor_label=actor,
            data={"fields": changed},
        )
    return contact


def contacts_sharing_email(contact: Contact) -> QuerySet[Contact]:
    """The other contacts with this contact's email (seed 004: an “email conflict”)."""
    if not contact.email:
        return Contact.objects.none()
    return Contact.objects.filter(email__iexact=contact.email).exclude(pk=contact.pk)


def contact_search(
    *,
    query: str = "",
    status: str = "",
    source: str = "",
    language: str = "",
    company: Company | None = None,
) -> QuerySet[Contact]:
    """Contacts matching every word of ``query`` (in the name, email, phone or company name) and
    the filters. A contact without a portal account counts as “not invited”. Phone numbers match
    on their digits, so “06 12” finds “+31 (0)6-1234…”."""
    contacts = Contact.objects.select_related("company", "owner", "portal_account").order_by(
        Lower("last_name"), Lower("first_name"), "id"
    )
    contacts = contacts.annotate(
        email_shared=Exists(
            Contact.objects.filter(email=OuterRef("email")).exclude(pk=OuterRef("pk")).exclude(email="")
        ),
        phone_digits=Func(F("phone"), Value(r"\D"), Value(""), Value("g"), function="regexp_replace"),
    )
    for term in query.split():
        match = (
            Q(first_name__icontains=term)
            | Q(last_name__icontains=term)
            | Q(email__icontains=term)
            | Q(phone__icontains=term)
            | Q(company__name__icontains=term)
        )
        digits = re.sub(r"\D", "", term)
        if len(digits) >= 3:
            match |= Q(phone_digits__contains=digits)
        contacts = contacts.filter(match)
    if status == PortalAccount.Status.NOT_INVITED:
        contacts = contacts.filter(
            Q(portal_account__isnull=True) | Q(portal_account__status=PortalAccount.Status.NOT_INVITED)
        )
    elif status:
        contacts = contacts.filter(portal_account__status=status)
    if source:
        contacts = contacts.filter(source=source)
    if language:
        contacts = contacts.filter(language=language)
    if company is not None:
        contacts = contacts.filter(company=company)
    return contacts


# --- companies ----------------------------------------------------------------------------------


def company_create(
    *,
    name: str,
    email: str = "",
    phone: str = "",
    website: str = "",
    language: str = "en",
    actor: str = "",
) -> Company:
    """A new company, validated, with a “created” entry in its log."""
    company = Company(
        name=name.strip(),
        email=(email or "").strip().lower(),
        phone=phone.strip(),
        website=website.strip(),
        language=language,
    )
    company.full_clean()
    with transaction.atomic():
        company.save()
        activity_record(
            company=company,
            verb="company_created",
            actor=ActivityEntry.Actor.STAFF if actor else ActivityEntry.Actor.SYSTEM,
            actor_label=actor,
        )
    return company


def company_update(*, company: Company, actor: str = "", **changes) -> Company:
    """Change the given fields (names from ``COMPANY_FIELDS``) and log which ones changed."""
    unknown = set(changes) - set(COMPANY_FIELDS)
    if unknown:
        raise TypeError(f"company_update() got unexpected fields: {', '.join(sorted(unknown))}")
    changes = _normalised(changes)
    changed = [name for name, value in changes.items() if getattr(company, name) != value]
    for name in changed:
        setattr(company, name, changes[name])
    if not changed:
        return company
    if "email" in changed:  # a new address is not known to fail
        company.email_failing_since, company.email_failing_reason = None, ""
    company.full_clean()
    with transaction.atomic():
        company.save()
        activity_record(
            company=company,
            verb="company_updated",
            params={"fields": changed},
            actor=ActivityEntry.Actor.STAFF if actor else ActivityEntry.Actor.SYSTEM,
            actor_label=actor,
            data={"fields": changed},
        )
    return company


def company_search(*, query: str = "") -> QuerySet[Company]:
    """Companies matching every word of ``query`` in their name, email or phone."""
    companies = (
        Company.objects.select_related("portal_account")
        .annotate(contact_count=Count("contacts"))
        .order_by(Lower("name"), "id")
    )
    for term in query.split():
        companies = companies.filter(
            Q(name__icontains=term) | Q(email__icontains=term) | Q(phone__icontains=term)
        )
    return companies


# --- CSV import ---------------------------------------------------------------------------------

IMPORT_MAX_BYTES = 5 * 1024 * 1024
IMPORT_MAX_ROWS = 10_000
IMPORT_COLUMNS = ("first_name", "last_name", "email", "phone", "language", "company")
# Header spellings people use (compared lower-case, with spaces, dashes and underscores removed).
HEADER_ALIASES = {
    "first_name": {"firstname", "first", "givenname", "forename", "voornaam", "vorname", "prenom", "prénom"},
    "last_name": {"lastname", "last", "surname", "familyname", "achternaam", "nachname", "nom"},
    "email": {"email", "emailaddress", "mail", "e-mail"},
    "phone": {"phone", "phonenumber", "telephone", "tel", "mobile", "mobilephone", "cell", "telefoon"},
    "language": {"language", "lang", "locale", "taal", "sprache", "langue"},
    "company": {"company", "companyname", "organisation", "organization", "business", "bedrijf", "firma"},
}
FIELD_LABELS = {
    "first_name": "first name",
    "last_name": "last name",
    "email": "email",
    "phone": "phone",
    "language": "language",
    "company": "company",
    "file": "file",
}


@dataclass
class ImportRowError:
    row: int  # as a spreadsheet numbers it: the header is row 1
    field: str
    message: str

    @property
    def field_label(self) -> str:
        return FIELD_LABELS.get(self.field, self.field.replace("_", " "))


@dataclass
class ImportReport:
    """What a CSV import did: rows read, contacts and companies created, and each row's problems."""

    rows: int = 0
    created: int = 0
    companies_created: int = 0
    shared_email: int = 0
    ignored_columns: list[str] = field(default_factory=list)
    errors: list[ImportRowError] = field(default_factory=list)

    @property
    def failed_rows(self) -> int:
        return len({error.row for error in self.errors})

    def as_dict(self) -> dict:
        return {
            "rows": self.rows,
            "created": self.created,
            "companies_created": self.companies_created,
            "shared_email": self.shared_email,
            "ignored_columns": self.ignored_columns,
            "errors": [
                {"row": e.row, "field": e.field, "label": e.field_label, "message": e.message}
                for e in self.errors
            ],
        }


def _header_key(name: str) -> str:
    return re.sub(r"[\s_\-.]+", "", name.strip().lower())


def _columns(header: list[str]) -> tuple[dict[str, int], list[str]]:
    lookup = {_header_key(alias): column for column, aliases in HEADER_ALIASES.items() for alias in aliases}
    lookup.update({_header_key(column): column for column in IMPORT_COLUMNS})
    positions: dict[str, int] = {}
    ignored = []
    for index, name in enumerate(header):
        column = lookup.get(_header_key(name))
        if column and column not in positions:
            positions[column] = index
        elif name.strip():
            ignored.append(name.strip())
    return positions, ignored


def _import_text(file) -> str:
    size = getattr(file, "size", None)
    if size is not None and size > IMPORT_MAX_BYTES:
        raise ValidationError("This file is too large: the limit is 5 MB. Split it into smaller files.")
    raw = file.read(IMPORT_MAX_BYTES + 1)
    if len(raw) > IMPORT_MAX_BYTES:
        raise ValidationError("This file is too large: the limit is 5 MB. Split it into smaller files.")
    if not raw.strip():
        raise ValidationError("This file is empty.")
    if b"\x00" in raw[:8192]:
        raise ValidationError(
            "This is not a CSV file. Save your spreadsheet as “CSV UTF-8 (comma delimited)” and try again."
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationError(
            "This file is not UTF-8 text. Save your spreadsheet as “CSV UTF-8 (comma delimited)” "
            "and try again."
        ) from exc


def _import_rows(text: str) -> tuple[list[str], list[list[str]]]:
    first_line = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first_line.count)
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True))
    except csv.Error as exc:
        raise ValidationError(f"This file is not a valid CSV file ({exc}).") from exc
    if len(rows) - 1 > IMPORT_MAX_ROWS:
        raise ValidationError(
            f"This file has {len(rows) - 1:,} rows; the limit is {IMPORT_MAX_ROWS:,}. "
            "Split it into smaller files."
        )
    return rows[0], rows[1:]


def _language(value: str) -> str:
    code = re.split(r"[-_]", value.strip().lower(), maxsplit=1)[0]
    return code if code in LANGUAGE_CODES else "en"


def _row_contact(values: dict[str, str], row_number: int, errors: list[ImportRowError]) -> Contact | None:
    row_errors = []
    if not values["first_name"]:
        row_errors.append(ImportRowError(row_number, "first_name", "First name is required."))
    if values["email"]:
        try:
            validate_email(values["email"])
        except ValidationError:
            row_errors.append(
                ImportRowError(row_number, "email", f"“{values['email']}” is not a valid email.")
            )
    company_name = values["company"]
    if len(company_name) > Company._meta.get_field("name").max_length:
        row_errors.append(ImportRowError(row_number, "company", "Company name is too long (160 characters)."))
    contact = Contact(
        first_name=values["first_name"],
        last_name=values["last_name"],
        email=values["email"].lower(),
        phone=values["phone"],
        language=_language(values["language"]),
        source=Contact.Source.IMPORT,
    )
    try:
        contact.full_clean(exclude=["company", "owner", "photo"])
    except ValidationError as exc:
        reported = {e.field for e in row_errors}
        for name, messages in exc.message_dict.items():
            if name not in reported:
                row_errors.extend(ImportRowError(row_number, name, message) for message in messages)
    errors.extend(row_errors)
    return None if row_errors else contact


def contacts_import_csv(*, file, owner: AbstractBaseUser | None = None, actor: str = "") -> ImportReport:
    """Import contacts from a UTF-8 CSV with a header row (columns as in ``IMPORT_COLUMNS``,
    common spellings accepted). Every row is checked first; valid rows are then written together
    in one transaction (companies created by name when new), invalid rows are reported with their
    row number, field and message and write nothing. A file that is not UTF-8 CSV, is over 5 MB or
    has over 10,000 rows raises ``ValidationError`` and writes nothing at all."""
    header, rows = _import_rows(_import_text(file))
    positions, ignored = _columns(header)
    if "first_name" not in positions:
        raise ValidationError(
            "The first row must name the columns, and one must be the first name "
            "(first_name, last_name, email, phone, language, company)."
        )
    report = ImportReport(ignored_columns=ignored)
    valid: list[tuple[Contact, str]] = []
    for number, row in enumerate(rows, start=2):
        if not any(cell.strip() for cell in row):
            continue
        report.rows += 1
        values = {
            column: (
                row[positions[column]].strip() if column in positions and positions[column] < len(row) else ""
            )
            for column in IMPORT_COLUMNS
        }
        contact = _row_contact(values, number, report.errors)
        if contact is not None:
            valid.append((contact, values["company"]))
    if not valid:
        return report

    known_emails = set(
        Contact.objects.filter(email__in={c.email for c, _ in valid if c.email}).values_list(
            "email", flat=True
        )
    )
    with transaction.atomic():
        companies: dict[str, Company] = {}
        for name in {name for _, name in valid if name}:
            key = name.lower()
            if key in companies:
                continue
            company = Company.objects.filter(name__iexact=name).order_by("id").first()
            if company is None:
                company = Company.objects.create(name=name)
                report.companies_created += 1
            companies[key] = company
        for contact, company_name in valid:
            contact.company = companies.get(company_name.lower()) if company_name else None
            contact.owner = owner
        created = Contact.objects.bulk_create([contact for contact, _ in valid], batch_size=1000)
        ActivityEntry.objects.bulk_create(
            [
                ActivityEntry(
                    contact=contact,
                    verb="contact_imported",
                    actor=ActivityEntry.Actor.STAFF if actor else ActivityEntry.Actor.SYSTEM,
                    actor_label=actor[:160],
                )
                for contact in created
            ],
            batch_size=1000,
        )
        events_emit(
            type="contact.created",
            items=[{"contact": contact_payload(contact), "created_by": actor} for contact in created],
        )
    report.created = len(created)
    counts = Counter(c.email for c in created if c.email)
    report.shared_email = sum(n for e, n in counts.items() if e in known_emails or n > 1)
    return report
