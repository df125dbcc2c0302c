"""Custom domains: an office adds ``portal.theiragency.com``, proves it owns it with a TXT record,
points it at the platform (a CNAME to its subdomain, or A records for an apex), and Portico checks
the records with dnspython through the resolver the settings name (``PORTICO_DNS_RESOLVERS``).

Statuses: pending → verified (records found; the domain routes and Caddy may ask for a certificate)
→ active (a certificate is served for it) → failing (records changed later: the office is emailed
and the domain keeps working for ``PORTICO_DOMAIN_GRACE_HOURS``, then routing falls back to the
subdomain and the domain is pending again); removed. Checks run on demand ("Check now") and on a
schedule of timers (:func:`tenants.queue.enqueue_at`): every few minutes for the first hour, then
hourly for two days while pending; a served domain is looked at again every few hours.
"""

from __future__ import annotations

import logging
import re
import socket
import ssl
from dataclasses import dataclass
from datetime import datetime, timedelta

import dns.exception
import dns.resolver
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django_tenants.utils import get_public_schema_name, schema_context

from .hosts import current_base_url, office_host
from .mail import Button, email_send, platform_brand
from .models import CustomDomain, Domain, Tenant
from .queue import enqueue_at

logger = logging.getLogger(__name__)

Status = CustomDomain.Status
LABEL_RE = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
FOUND, MISSING, WRONG = "found", "missing", "wrong"
# How long DNS changes usually take to be seen, as the page tells the office.
PROPAGATION = "Most changes are seen within minutes; some registrars take up to 48 hours."


# --- records and the DNS verifier ---------------------------------------------------------------


@dataclass(frozen=True)
class Record:
    """One record the office adds at its registrar (``value`` is what Portico expects to find)."""

    key: str
    type: str
    name: str
    value: str


def is_apex(domain: str) -> bool:
    """Whether ``domain`` is a zone's own name (``theiragency.com``, ``theiragency.co.uk``), which
    cannot hold a CNAME: the DNS gives it an SOA record. When the DNS cannot say, a name of two
    labels is taken for one."""
    try:
        answer = resolver().resolve(domain, "SOA", raise_on_no_answer=False, search=False)
    except dns.resolver.NXDOMAIN:
        return False
    except (dns.resolver.NoNameservers, dns.exception.Timeout):
        return domain.count(".") == 1
    return answer.rrset is not None and str(answer.rrset.name).rstrip(".").lower() == domain


def records_for(custom_domain: CustomDomain) -> list[Record]:
    """What to add at the registrar: the ownership TXT and the record that routes the domain here."""
    records = [Record("verify", "TXT", custom_domain.verify_name, custom_domain.verify_value)]
    if custom_domain.apex and settings.PORTICO_PUBLIC_IPS:
        records += [Record("route", "A", custom_domain.domain, ip) for ip in settings.PORTICO_PUBLIC_IPS]
    else:
        records.append(Record("route", "CNAME", custom_domain.domain, office_host(custom_domain.tenant.slug)))
    return records


def resolver() -> dns.resolver.Resolver:
    """A resolver on the servers the settings name (``ip`` or ``ip:port``), else the system's; no cache,
    so a check always sees what the DNS says now."""
    servers = settings.PORTICO_DNS_RESOLVERS
    answer = dns.resolver.Resolver(configure=not servers)
    if servers:
        addresses, ports = [], {}
        for server in servers:
            address, _, port = server.rpartition(":") if server.count(":") == 1 else (server, "", "")
            addresses.append(address)
            if port:
                ports[address] = int(port)
        answer.nameservers = addresses
        answer.nameserver_ports = ports
    answer.cache = None
    answer.lifetime = settings.PORTICO_DNS_TIMEOUT
    answer.timeout = settings.PORTICO_DNS_TIMEOUT
    return answer


def dns_lookup(name: str, rdtype: str) -> list[str]:
    """The values of ``name``'s ``rdtype`` records as the checks' resolver sees them now (TXT strings
    joined, CNAME targets lower-cased); nothing when the name or the resolver has none."""
    try:
        answer = resolver().resolve(name, rdtype, raise_on_no_answer=False, search=False)
    except (dns.resolver.NXDOMAIN, dns.resolver.NoNameservers, dns.exception.Timeout):
        return []
    values = []
    for rdata in answer.rrset or []:
        if rdtype == "TXT":
            values.append(b"".join(rdata.strings).decode(errors="replace"))
        elif rdtype == "CNAME":
            values.append(str(rdata.target).rstrip(".").lower())
        else:
            values.append(rdata.to_text())
    return values


def record_result(record: Record, state: str, seen: list[str]) -> dict:
    """One record's check as the office pages show it (``state``: found, missing or wrong)."""
    return {"key": record.key, "type": record.type, "name": record.name, "expected": record.value,
            "state": state, "seen": seen}  # fmt: skip


def txt_check(record: Record) -> dict:
    seen = dns_lookup(record.name, "TXT")
    if record.value in seen:
        return record_result(record, FOUND, seen)
    return record_result(record, WRONG if seen else MISSING, seen)


def route_check(custom_domain: CustomDomain) -> dict:
    """Found when the domain is a CNAME to the office's subdomain, or its A records are all the
    platform's; wrong when it points elsewhere (what it points at is kept, to show)."""
    target = office_host(custom_domain.tenant.slug)
    record = next(r for r in records_for(custom_domain) if r.key == "route")
    cnames = dns_lookup(custom_domain.domain, "CNAME")
    if cnames:
        return record_result(record, FOUND if target in cnames else WRONG, cnames)
    addresses = dns_lookup(custom_domain.domain, "A")
    public = set(settings.PORTICO_PUBLIC_IPS)
    if addresses and public and set(addresses) <= public:
        return record_result(record, FOUND, addresses)
    return record_result(record, WRONG if addresses else MISSING, addresses)


def records_check(custom_domain: CustomDomain) -> list[dict]:
    verify = next(r for r in records_for(custom_domain) if r.key == "verify")
    return [txt_check(verify), route_check(custom_domain)]


def certificate_served(domain: str) -> bool:
    """Whether the proxy in front of Portico serves a certificate naming ``domain`` (the step from
    verified to active). Connects to ``PORTICO_TLS_PROBE`` (``host:port``), else to the domain's own
    address (as the checks' resolver gives it) on 443."""
    from cryptography import x509

    if settings.PORTICO_TLS_PROBE:
        host, _, port = settings.PORTICO_TLS_PROBE.rpartition(":")
    else:
        addresses = dns_lookup(domain, "A")
        if not addresses:
            return False
        host, port = addresses[0], "443"
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # only whether it names the domain; browsers check the chain
    try:
        with socket.create_connection((host, int(port)), timeout=5) as raw:
            with context.wrap_socket(raw, server_hostname=domain) as tls:
                der = tls.getpeercert(binary_form=True)
    except (OSError, ssl.SSLError):
        return False
    if not der:
        return False
    try:
        names = (
            x509.load_der_x509_certificate(der)
            .extensions.get_extension_for_class(x509.SubjectAlternativeName)
            .value.get_values_for_type(x509.DNSName)
        )
    except x509.ExtensionNotFound:
        return False
    return domain in names


# --- services -------------------------------------------------------------------------------------


def domain_normalise(value: str) -> str:
    value = (value or "").strip().lower()
    value = re.sub(r"^[a-z]+://", "", value).split("/", 1)[0].split(":", 1)[0].rstrip(".")
    try:
        return value.encode("idna").decode("ascii") if value else ""
    except UnicodeError as exc:
        raise ValidationError("This is not a domain name.", code="invalid") from exc


def domain_validate(domain: str) -> None:
    labels = domain.split(".")
    if not domain or len(domain) > 253 or len(labels) < 2 or not all(LABEL_RE.match(x) for x in labels):
        raise ValidationError("Enter a domain name such as portal.youragency.com.", code="invalid")
    if labels[-1].isdigit():
        raise ValidationError("Enter a domain name, not an address.", code="invalid")
    base = settings.PORTICO_BASE_DOMAIN
    if domain == base or domain.endswith(f".{base}"):
        raise ValidationError(
            "Addresses on the platform's own domain are not custom domains.", code="platform"
        )


def custom_domain_add(*, tenant: Tenant, domain: str) -> CustomDomain:
    """Add a domain to an office (pending), within its plan's limit, and check it at once."""
    name = domain_normalise(domain)
    domain_validate(name)
    apex = is_apex(name)
    if apex and not settings.PORTICO_PUBLIC_IPS:
        raise ValidationError(
            f"{name} is a domain's own name, which can only point here with A records, and this platform "
            f"has no fixed addresses for them. Add a subdomain such as portal.{name} instead.",
            code="apex",
        )
    with transaction.atomic():
        Tenant.objects.select_for_update().filter(pk=tenant.pk).first()  # one limit check at a time
        taken = CustomDomain.objects.exclude(status=Status.REMOVED)
        if taken.filter(tenant=tenant, domain=name).exists():
            raise ValidationError("This domain is already added.", code="duplicate")
        if taken.filter(domain=name, status__in=CustomDomain.SERVED).exists():
            raise ValidationError("This domain is in use by another office.", code="taken")
        limit = tenant.plan.max_custom_domains if tenant.plan_id else 0
        if taken.filter(tenant=tenant).count() >= limit:
            if limit:
                plural = "domain" if limit == 1 else "domains"
                message = (
                    f"Your plan includes {limit} custom {plural}. Remove one or change plan to add another."
                )
            else:
                message = "Your plan does not include custom domains. Change plan to add one."
            raise ValidationError(message, code="limit")
        custom_domain = CustomDomain.objects.create(tenant=tenant, domain=name, apex=apex)
    return custom_domain_check(custom_domain=custom_domain)


def _route_add(custom_domain: CustomDomain) -> None:
    # Not primary: django-tenants makes a new domain its tenant's primary one unless told otherwise,
    # and only the office decides that (custom_domain_make_primary).
    Domain.objects.get_or_create(
        domain=custom_domain.domain,
        defaults={"tenant": custom_domain.tenant, "verified": True, "is_primary": False},
    )


def _route_drop(custom_domain: CustomDomain) -> None:
    """Stop routing the domain; if it was the primary host, the subdomain is primary again."""
    route = Domain.objects.filter(domain=custom_domain.domain, tenant=custom_domain.tenant).first()
    if route is None:
        return
    was_primary = route.is_primary
    route.delete()
    if was_primary:
        subdomain = Domain.objects.get(domain=office_host(custom_domain.tenant.slug))
        subdomain.is_primary = True
        subdomain.save()  # routing caches in every process learn it


def _move(custom_domain: CustomDomain, status: str, now: datetime) -> None:
    custom_domain.status = status
    custom_domain.status_since = now


def custom_domain_check(*, custom_domain: CustomDomain, now: datetime | None = None) -> CustomDomain:
    """Look the records up now, move the status, and set the next background check."""
    now = now or timezone.now()
    results = records_check(custom_domain)
    ok = all(r["state"] == FOUND for r in results)
    grace = timedelta(hours=settings.PORTICO_DOMAIN_GRACE_HOURS)
    became_failing = fell_back = False
    with transaction.atomic():
        custom_domain = (
            CustomDomain.objects.select_for_update().select_related("tenant").get(pk=custom_domain.pk)
        )
        if custom_domain.status == Status.REMOVED:
            return custom_domain
        custom_domain.results = results
        custom_domain.checked_at = now
        status = custom_domain.status
        if ok and status == Status.PENDING:
            if CustomDomain.objects.filter(
                domain=custom_domain.domain, status__in=CustomDomain.SERVED
            ).exists():
                custom_domain.results = [*results, {"key": "taken", "state": WRONG}]
            else:
                _move(custom_domain, Status.VERIFIED, now)
                custom_domain.verified_at = now
                _route_add(custom_domain)
        elif ok and status == Status.FAILING:
            _move(custom_domain, Status.ACTIVE if custom_domain.active_at else Status.VERIFIED, now)
            custom_domain.failing_since = None
        elif not ok and status in (Status.VERIFIED, Status.ACTIVE):
            _move(custom_domain, Status.FAILING, now)
            custom_domain.failing_since = now
            became_failing = True
        elif not ok and status == Status.FAILING and now - custom_domain.failing_since >= grace:
            _move(custom_domain, Status.PENDING, now)
            custom_domain.failing_since = None
            custom_domain.active_at = None
            _route_drop(custom_domain)
            fell_back = True
        custom_domain.save()
    if custom_domain.status == Status.VERIFIED and certificate_served(custom_domain.domain):
        # The probe's TLS handshake is also what makes the proxy ask for the certificate.
        CustomDomain.objects.filter(pk=custom_domain.pk, status=Status.VERIFIED).update(
            status=Status.ACTIVE, active_at=timezone.now(), status_since=timezone.now()
        )
        custom_domain.refresh_from_db()
    if became_failing or fell_back:
        _owners_notify(custom_domain, fell_back=fell_back)
    _schedule(custom_domain, now)
    return custom_domain


def next_check_at(custom_domain: CustomDomain, now: datetime) -> datetime | None:
    """Every 5 minutes for the first hour, then hourly for two days while pending (then only on
    demand); a verified domain every 5 minutes until its certificate is seen; a failing one every
    15 minutes through its grace period; an active one every 6 hours."""
    age = now - custom_domain.status_since
    minutes = timedelta(minutes=1)
    if custom_domain.status == Status.PENDING:
        if age < timedelta(hours=1):
            return now + 5 * minutes
        return now + 60 * minutes if age < timedelta(hours=49) else None
    if custom_domain.status == Status.VERIFIED:
        return now + (5 if age < timedelta(hours=1) else 60) * minutes
    if custom_domain.status == Status.FAILING:
        return now + 15 * minutes
    if custom_domain.status == Status.ACTIVE:
        return now + 360 * minutes
    return None


def _schedule(custom_domain: CustomDomain, now: datetime) -> None:
    when = next_check_at(custom_domain, now)
    CustomDomain.objects.filter(pk=custom_domain.pk).update(next_check_at=when)
    custom_domain.next_check_at = when
    if when is not None:
        enqueue_at(when, custom_domain_recheck, custom_domain.pk, schema_name=get_public_schema_name(),
                   log_success=False)  # fmt: skip


def custom_domain_recheck(custom_domain_id: int) -> None:
    """The background check a timer runs (nothing happens for a removed domain)."""
    custom_domain = CustomDomain.objects.filter(pk=custom_domain_id).exclude(status=Status.REMOVED).first()
    if custom_domain is not None:
        custom_domain_check(custom_domain=custom_domain)


def custom_domain_check_now(*, custom_domain: CustomDomain) -> CustomDomain:
    """The office's "Check now": a pending domain whose schedule had run out starts it again."""
    now = timezone.now()
    if custom_domain.status == Status.PENDING and custom_domain.next_check_at is None:
        CustomDomain.objects.filter(pk=custom_domain.pk).update(status_since=now)
        custom_domain.status_since = now
    return custom_domain_check(custom_domain=custom_domain, now=now)


def custom_domain_make_primary(*, custom_domain: CustomDomain) -> None:
    """The office's primary host becomes this domain: links and emails use it, and the subdomain
    redirects to it."""
    if not custom_domain.is_served:
        raise ValidationError("Only a verified domain can be the portal's address.", code="not_verified")
    with transaction.atomic():
        Domain.objects.filter(tenant=custom_domain.tenant, is_primary=True).update(is_primary=False)
        route = Domain.objects.get(domain=custom_domain.domain, tenant=custom_domain.tenant)
        route.is_primary = True
        route.save()  # routing caches in every process learn the new host


def custom_domain_primary_reset(*, tenant: Tenant) -> None:
    """The subdomain is the primary host again."""
    with transaction.atomic():
        Domain.objects.filter(tenant=tenant, is_primary=True).update(is_primary=False)
        route = Domain.objects.get(domain=office_host(tenant.slug), tenant=tenant)
        route.is_primary = True
        route.save()


def custom_domain_remove(*, custom_domain: CustomDomain) -> None:
    """Stop serving the domain at once (its certificate is no longer asked for); the row is kept."""
    with transaction.atomic():
        _route_drop(custom_domain)
        now = timezone.now()
        CustomDomain.objects.filter(pk=custom_domain.pk).update(
            status=Status.REMOVED, status_since=now, removed_at=now, next_check_at=None
        )


def _owners_notify(custom_domain: CustomDomain, *, fell_back: bool) -> None:
    from django.contrib.auth import get_user_model

    tenant = custom_domain.tenant
    with schema_context(tenant.schema_name):
        owners = list(
            get_user_model().objects.filter(is_superuser=True, is_active=True).values_list("email", flat=True)
        )
        link = f"{current_base_url()}/office/domain/"
    owners = [email for email in owners if email]
    if not owners:
        return
    hours = int(settings.PORTICO_DOMAIN_GRACE_HOURS)
    if fell_back:
        subject = f"{custom_domain.domain} no longer points to your portal"
        body = (
            f"The DNS records of {custom_domain.domain} have been missing or wrong for {hours} hours, "
            f"so your portal is served at {office_host(tenant.slug)} again. Once the records are back, "
            "press Check now under Portal → Domain."
        )
    else:
        subject = f"The DNS records of {custom_domain.domain} changed"
        body = (
            f"Portico could no longer find the DNS records of {custom_domain.domain}. Your portal keeps "
            f"working there for {hours} hours; after that it is served at {office_host(tenant.slug)} "
            "again. Portal → Domain shows which record is missing or wrong."
        )
    try:
        with translation.override("en"):
            email_send(
                subject=subject,
                text=body,
                to=owners,
                brand=platform_brand(),
                button=Button(link, "Open Portal → Domain"),
            )
    except Exception:  # noqa: BLE001 - the status change stands even if the mail does not leave
        logger.exception("could not email the owners about custom domain %s", custom_domain.pk)
