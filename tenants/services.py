"""Writes for tenants: the schema pool, sign-up, provisioning, suspension, export and deletion."""

from __future__ import annotations

import gzip
import logging
import subprocess
import uuid
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import ngettext
from django_tenants.utils import schema_context, schema_exists

from .mail import email_send, platform_brand
from .migration_state import schema_state_record
from .models import ApiKey, Domain, LoginHandoff, Plan, SignupRequest, Tenant
from .pg_tools import pg_binary, pg_connection_args
from .queue import enqueue
from .schema_script import schema_create_from_template
from .signals import tenant_provisioned
from .tokens import new_code, new_token, token_hash, token_matches
from .validators import validate_subdomain

logger = logging.getLogger(__name__)

SIGNUP_CODE = "signup-code"
SIGNUP_LINK = "signup-link"
HANDOFF = "login-handoff"


class SignupError(Exception):
    """A sign-up step failed for a reason the person can act on."""

    def __init__(self, message: str, *, code: str):
        super().__init__(message)
        self.message = message
        self.code = code


# --- the pool of ready schemas -------------------------------------------------------------------


def base_schema_ensure() -> Tenant:
    """The fully migrated template schema that new schemas are cloned from."""
    base = Tenant.objects.filter(schema_name=settings.PORTICO_BASE_SCHEMA).first()
    if base is None:
        base = Tenant(schema_name=settings.PORTICO_BASE_SCHEMA, status=Tenant.Status.TEMPLATE)
        base.save(verbosity=0)  # migrates the schema, unless it is there already
        schema_state_record(base.schema_name)
    return base


def pooled_schema_create() -> Tenant:
    """Add one ready schema to the pool, a copy of the template (``schema_script``; the template is
    made and migrated first if there is none)."""
    tenant = Tenant(schema_name=Tenant.new_schema_name(), status=Tenant.Status.POOLED)
    if schema_exists(settings.PORTICO_BASE_SCHEMA):
        tenant.auto_create_schema = False
        with transaction.atomic():
            tenant.save()
            schema_create_from_template(tenant.schema_name)
            schema_state_record(tenant.schema_name)
    else:
        tenant.save(verbosity=0)
    return tenant


def pool_target() -> int:
    """How many ready schemas to keep: ``PORTICO_POOL_SIZE``, or twice the most sign-ups seen in one
    minute over the last week when that is more (at most ``PORTICO_POOL_MAX``), so that a burst like
    the busiest one recently is served from the pool while the worker refills it."""
    from django.db.models import Count
    from django.db.models.functions import TruncMinute

    busiest = (
        Tenant.objects.filter(slug__isnull=False, created__gte=timezone.now() - timedelta(days=7))
        .annotate(minute=TruncMinute("created"))
        .values("minute")
        .annotate(n=Count("id"))
        .order_by("-n")
        .values_list("n", flat=True)
        .first()
        or 0
    )
    return max(settings.PORTICO_POOL_SIZE, min(2 * busiest, settings.PORTICO_POOL_MAX))


def pool_top_up(*, size: int | None = None) -> int:
    """Create pooled schemas until the pool holds ``size`` (default :func:`pool_target`). Returns how
    many it made."""
    target = pool_target() if size is None else size
    base_schema_ensure()
    created = 0
    while Tenant.objects.filter(status=Tenant.Status.POOLED).count() < target:
        pooled_schema_create()
        created += 1
    return created


def _pool_claim() -> Tenant | None:
    """Lock one pooled tenant for the current transaction; concurrent claims skip it."""
    return (
        Tenant.objects.select_for_update(skip_locked=True)
        .filter(status=Tenant.Status.POOLED)
        .order_by("pooled_at", "id")
        .first()
    )


def _clone_for_claim() -> Tenant:
    """The pool is empty: make a schema inside the current transaction (rolled back with it)."""
    logger.warning("the pool of ready schemas is empty: a sign-up makes its schema while it waits")
    base_schema_ensure()
    tenant = Tenant(schema_name=Tenant.new_schema_name(), status=Tenant.Status.POOLED)
    tenant.auto_create_schema = False
    tenant.save()
    schema_create_from_template(tenant.schema_name)
    schema_state_record(tenant.schema_name)
    return tenant


# --- provisioning --------------------------------------------------------------------------------


@dataclass
class Provisioned:
    tenant: Tenant
    owner_id: int
    handoff_token: str


def tenant_provision(
    *,
    office_name: str,
    slug: str,
    owner_name: str,
    email: str,
    password_hash: str,
    plan: Plan | None = None,
    time_zone: str = "",
) -> Provisioned:
    """Turn a ready schema into an office with its owner, in one transaction.

    No migrations run here: a pooled schema is claimed with a row update, or, when the pool is
    empty, one is cloned inside this transaction. Any failure rolls everything back, so no tenant
    ever points at a missing schema and a claimed pooled schema returns to the pool.
    """
    validate_subdomain(slug)
    plan = plan or Plan.objects.filter(is_default=True).first()
    if Tenant.objects.filter(slug=slug).exists():
        raise SignupError(f"The subdomain “{slug}” is already taken. Please choose another.", code="taken")
    try:
        with transaction.atomic():
            tenant = _pool_claim() or _clone_for_claim()
            tenant.auto_create_schema = False  # the schema is there: skip django-tenants' check
            tenant.name = office_name
            tenant.slug = slug
            tenant.portal_id = Tenant.new_portal_id()
            tenant.status = Tenant.Status.ACTIVE
            tenant.plan = plan
            tenant.created = timezone.now()
            tenant.save()
            Domain.objects.create(
                domain=f"{slug}.{settings.PORTICO_BASE_DOMAIN}", tenant=tenant, is_primary=True, verified=True
            )
            with schema_context(tenant.schema_name):
                owner_id = _owner_create(name=owner_name, email=email, password_hash=password_hash)
                tenant_provisioned.send(
                    sender=Tenant, tenant=tenant, owner_id=owner_id, time_zone=time_zone or settings.TIME_ZONE
                )
            token = new_token()
            LoginHandoff.objects.create(
                token_hash=token_hash(token, purpose=HANDOFF),
                tenant=tenant,
                user_id=owner_id,
                expires_at=timezone.now() + timedelta(minutes=10),
            )
    except IntegrityError as exc:
        if (
            Tenant.objects.filter(slug=slug).exists()
            or Domain.objects.filter(domain=f"{slug}.{settings.PORTICO_BASE_DOMAIN}").exists()
        ):
            raise SignupError(
                f"The subdomain “{slug}” was just taken by someone else. Please choose another.", code="taken"
            ) from exc
        raise
    enqueue("tenants.tasks.pool_top_up_task", schema_name="public", task_name="pool_top_up")
    return Provisioned(tenant=tenant, owner_id=owner_id, handoff_token=token)


def _owner_create(*, name: str, email: str, password_hash: str) -> int:
    from django.contrib.auth import get_user_model

    first, _, last = name.strip().partition(" ")
    user = get_user_model()(
        username=email.lower(),
        email=email.lower(),
        first_name=first[:150],
        last_name=last[:150],
        is_staff=True,
        is_superuser=True,
        password=password_hash,
    )
    user.save()
    return user.pk


def login_handoff_consume(*, tenant: Tenant, token: str) -> int | None:
    """Use a handoff ticket once; returns the user id it logs in, or None."""
    with transaction.atomic():
        handoff = (
            LoginHandoff.objects.select_for_update()
            .filter(token_hash=token_hash(token, purpose=HANDOFF), tenant_id=tenant.id)
            .first()
        )
        if handoff is None or handoff.used_at or handoff.expires_at <= timezone.now():
            return None
        handoff.used_at = timezone.now()
        handoff.save(update_fields=["used_at"])
        return handoff.user_id


# --- sign-up -------------------------------------------------------------------------------------


def signup_start(
    *,
    office_name: str,
    slug: str,
    owner_name: str,
    email: str,
    password: str,
    verify_url_base: str,
    time_zone: str = "",
) -> SignupRequest:
    """Record a sign-up (password hashed now) and email a verification code and link."""
    validate_subdomain(slug)
    if Tenant.objects.filter(slug=slug).exists():
        raise ValidationError({"subdomain": f"The subdomain “{slug}” is already taken."})
    code, link = new_code(), new_token()
    signup = SignupRequest(
        id=uuid.uuid4(),
        office_name=office_name.strip(),
        slug=slug,
        owner_name=owner_name.strip(),
        email=email.strip().lower(),
        password_hash=make_password(password),
        time_zone=time_zone or settings.TIME_ZONE,
        code_hash=token_hash(code, purpose=SIGNUP_CODE),
        link_hash=token_hash(link, purpose=SIGNUP_LINK),
        expires_at=timezone.now() + timedelta(minutes=settings.PORTICO_SIGNUP_CODE_MINUTES),
    )
    signup.full_clean()
    signup.save()
    context = {
        "signup": signup,
        "code": code,
        "link": f"{verify_url_base}/signup/confirm/{link}/",
        "minutes": settings.PORTICO_SIGNUP_CODE_MINUTES,
    }
    with translation.override("en"):
        email_send(
            subject=f"Your Portico verification code: {code}",
            text=render_to_string("tenants/email/verify.txt", context),
            body_html=render_to_string("tenants/email/verify.html", context),
            to=[signup.email],
            brand=platform_brand(),
        )
    return signup


def _signup_provision(signup: SignupRequest) -> Provisioned:
    provisioned = tenant_provision(
        office_name=signup.office_name,
        slug=signup.slug,
        owner_name=signup.owner_name,
        email=signup.email,
        password_hash=signup.password_hash,
        time_zone=signup.time_zone,
    )
    signup.verified_at = timezone.now()
    signup.tenant = provisioned.tenant
    signup.save(update_fields=["verified_at", "tenant"])
    return provisioned


def signup_verify_code(*, signup_id: uuid.UUID, code: str) -> Provisioned:
    """Check a typed code and provision the office. Codes expire, are single use and rate-limited."""
    with transaction.atomic():
        signup = SignupRequest.objects.select_for_update().filter(pk=signup_id).first()
        if signup is None:
            raise SignupError("This sign-up was not found. Please start again.", code="unknown")
        _signup_check_usable(signup)
        if token_matches(code.strip(), signup.code_hash, purpose=SIGNUP_CODE):
            return _signup_provision(signup)
        signup.attempts += 1
        signup.save(update_fields=["attempts"])
    # Raised after the commit, so the wrong attempt counts.
    left = settings.PORTICO_SIGNUP_MAX_ATTEMPTS - signup.attempts
    if left <= 0:
        raise SignupError("Too many wrong codes. Please sign up again.", code="locked")
    attempts = ngettext("%(left)d attempt left", "%(left)d attempts left", left) % {"left": left}
    raise SignupError(f"That code is not right. {attempts}.", code="wrong")


def signup_verify_link(*, token: str) -> Provisioned:
    with transaction.atomic():
        signup = (
            SignupRequest.objects.select_for_update()
            .filter(link_hash=token_hash(token, purpose=SIGNUP_LINK))
            .first()
        )
        if signup is None:
            raise SignupError("This confirmation link is not valid.", code="unknown")
        _signup_check_usable(signup)
        return _signup_provision(signup)


def _signup_check_usable(signup: SignupRequest) -> None:
    if signup.verified_at:
        raise SignupError("This code was already used. Sign in to your office instead.", code="used")
    if signup.is_expired:
        raise SignupError("This code has expired. Please sign up again.", code="expired")
    if signup.attempts >= settings.PORTICO_SIGNUP_MAX_ATTEMPTS:
        raise SignupError("Too many wrong codes. Please sign up again.", code="locked")


def signup_change_subdomain(*, signup_id: uuid.UUID, slug: str) -> SignupRequest:
    """Let a person whose subdomain was taken meanwhile pick another before confirming."""
    validate_subdomain(slug)
    if Tenant.objects.filter(slug=slug).exists():
        raise ValidationError(f"The subdomain “{slug}” is already taken.")
    signup = SignupRequest.objects.get(pk=signup_id, verified_at__isnull=True)
    signup.slug = slug
    signup.save(update_fields=["slug"])
    return signup


# --- finding one's office ------------------------------------------------------------------------


def office_find_request(*, email: str) -> None:
    """ "Sign in to your office" on the landing page: the same answer and the same work whatever the
    email (one task enqueued); the worker looks for the offices and emails their links."""
    enqueue("tenants.tasks.office_links_send_task", email.strip().lower(), schema_name="public")


def office_links_send(*, email: str) -> int:
    """Email ``email`` the office login link of every active office where it is an active staff
    member; returns how many offices were found (0: no email is sent)."""
    from django.contrib.auth import get_user_model

    from .hosts import absolute_url

    found = []
    for tenant in Tenant.objects.filter(status=Tenant.Status.ACTIVE).order_by("name"):
        with schema_context(tenant.schema_name):
            if get_user_model().objects.filter(email__iexact=email, is_staff=True, is_active=True).exists():
                found.append(
                    {"name": tenant.name, "url": absolute_url(tenant.primary_host(), "/office/login/")}
                )
    connection.set_schema_to_public()
    if found:
        context = {"offices": found, "email": email}
        with translation.override("en"):
            email_send(
                subject="Your Portico offices",
                text=render_to_string("tenants/email/find_office.txt", context),
                body_html=render_to_string("tenants/email/find_office.html", context),
                to=[email],
                brand=platform_brand(),
            )
    return len(found)


# --- operator actions ----------------------------------------------------------------------------


def tenant_suspend(*, tenant: Tenant, reason: str = "") -> Tenant:
    tenant.status = Tenant.Status.SUSPENDED
    tenant.suspended_at = timezone.now()
    tenant.suspension_reason = reason[:200]
    tenant.save(update_fields=["status", "suspended_at", "suspension_reason"])
    return tenant


def tenant_resume(*, tenant: Tenant) -> Tenant:
    tenant.status = Tenant.Status.ACTIVE
    tenant.suspended_at = None
    tenant.suspension_reason = ""
    tenant.save(update_fields=["status", "suspended_at", "suspension_reason"])
    return tenant


def tenant_export(*, tenant: Tenant) -> Path:
    """Write ``pg_dump`` of the tenant's schema (gzip) and return its path."""
    export_dir = Path(settings.PORTICO_EXPORT_DIR)
    export_dir.mkdir(parents=True, exist_ok=True)
    stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
    path = export_dir / f"{tenant.slug or tenant.schema_name}-{tenant.schema_name}-{stamp}.sql.gz"
    args, env = pg_connection_args()
    cmd = [pg_binary("pg_dump"), "--no-owner", "--schema", tenant.schema_name, *args]
    result = subprocess.run(cmd, capture_output=True, env=env, timeout=3600, check=False)  # noqa: S603
    if result.returncode != 0 or b"CREATE SCHEMA" not in result.stdout:
        raise RuntimeError(f"Export of {tenant.schema_name} failed: {result.stderr.decode()[-500:]}")
    with gzip.open(path, "wb") as fh:
        fh.write(result.stdout)
    return path


def tenant_restore(*, tenant: Tenant, export: Path) -> str:
    """Bring an office's data back to its export (``tenant_export``): its current schema is kept aside
    under another name (returned), the export loaded in one transaction and migrated to the running
    code. The office is suspended meanwhile; a failed load puts the current schema back untouched."""
    from django.core.management import call_command

    schema = tenant.schema_name
    try:
        sql = gzip.open(export).read()
    except (OSError, EOFError) as exc:
        raise ValidationError(f"{export} is not a readable export: {exc}") from exc
    if f"CREATE SCHEMA {schema};".encode() not in sql:
        raise ValidationError(f"{Path(export).name} is not an export of {tenant.slug} ({schema}).")
    aside = f"{schema}_before_{timezone.now():%Y%m%dt%H%M%S}"
    was_active = tenant.status == Tenant.Status.ACTIVE
    tenant_suspend(tenant=tenant, reason="Restoring from a backup")
    connection.set_schema_to_public()
    with connection.cursor() as cursor:  # committed before psql, a connection of its own, loads it
        cursor.execute(f'ALTER SCHEMA "{schema}" RENAME TO "{aside}"')
    args, env = pg_connection_args()
    loaded = subprocess.run(  # noqa: S603 - fixed arguments, the SQL on stdin
        [
            pg_binary("psql"),
            "--quiet",
            "--no-psqlrc",
            "--single-transaction",
            "-v",
            "ON_ERROR_STOP=1",
            *args,
        ],
        input=sql,
        capture_output=True,
        env=env,
        timeout=3600,
        check=False,
    )
    if loaded.returncode != 0:
        with connection.cursor() as cursor:
            cursor.execute(f'ALTER SCHEMA "{aside}" RENAME TO "{schema}"')
        if was_active:
            tenant_resume(tenant=tenant)
        raise RuntimeError(f"Restoring {schema} failed, nothing changed: {loaded.stderr.decode()[-500:]}")
    call_command("migrate_schemas", schema_name=schema, interactive=False, verbosity=0)
    connection.set_schema_to_public()
    if was_active:
        tenant_resume(tenant=tenant)
    logger.info("tenant %s restored from %s; the data before is in %s", schema, export, aside)
    return aside


def tenant_delete(*, tenant: Tenant, confirm_slug: str, reason: str = "") -> Path:
    """Export the tenant's schema, then drop it and its rows. Refuses without the exact slug.
    The office's owners are emailed that it was deleted, with ``reason``."""
    if not tenant.slug or confirm_slug != tenant.slug:
        raise ValidationError("Type the office's subdomain exactly to confirm the deletion.")
    owners = _owner_emails(tenant)
    export = tenant_export(tenant=tenant)
    connection.set_schema_to_public()
    with transaction.atomic():
        SignupRequest.objects.filter(tenant=tenant).update(tenant=None)
        tenant.delete(force_drop=True)
    logger.info("tenant %s deleted; export at %s", tenant.schema_name, export)
    if owners:
        context = {
            "name": tenant.name,
            "slug": tenant.slug,
            "reason": reason,
            "support": settings.PORTICO_SUPPORT_EMAIL,
        }
        with translation.override("en"):
            email_send(
                subject=f"Your office {tenant.name} was deleted from Portico",
                text=render_to_string("tenants/email/office_deleted.txt", context),
                to=owners,
                brand=platform_brand(),
            )
    return export


def _owner_emails(tenant: Tenant) -> list[str]:
    from django.contrib.auth import get_user_model

    with schema_context(tenant.schema_name):
        found = get_user_model().objects.filter(is_superuser=True, is_staff=True, is_active=True)
        emails = sorted({email for email in found.values_list("email", flat=True) if email})
    connection.set_schema_to_public()
    return emails


# --- API keys ------------------------------------------------------------------------------------

API_KEY = "api-key"
API_KEY_SCOPES = ("read", "write")


@dataclass
class IssuedKey:
    api_key: ApiKey
    secret: str


def api_key_create(
    *, tenant: Tenant, name: str, scopes: list[str] | None = None, expires_at=None, created_by: str = ""
) -> IssuedKey:
    """Issue a key. The full secret is returned once and never stored."""
    from .models import ApiKey

    scopes = list(scopes or API_KEY_SCOPES)
    unknown = set(scopes) - set(API_KEY_SCOPES)
    if unknown:
        raise ValidationError({"scopes": f"Unknown scope(s): {', '.join(sorted(unknown))}."})
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError({"expires_at": "The expiry date must be in the future."})
    prefix = f"pk_{new_token(6)[:8]}"
    secret = f"{prefix}.{new_token(32)}"
    api_key = ApiKey(
        tenant=tenant,
        name=name.strip(),
        prefix=prefix,
        key_hash=token_hash(secret, purpose=API_KEY),
        scopes=scopes,
        expires_at=expires_at,
        created_by=created_by,
    )
    api_key.full_clean()
    api_key.save()
    return IssuedKey(api_key=api_key, secret=secret)


def api_key_revoke(*, api_key: ApiKey) -> ApiKey:
    if api_key.revoked_at is None:
        api_key.revoked_at = timezone.now()
        api_key.save(update_fields=["revoked_at"])
    return api_key
