"""Client access: portal accounts, secret tokens, sign-in, invitations, magic links, access
tokens, password resets and self-registration. Views, the API, tasks and the office all call these."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_noop as N_

from tenants import credentials
from tenants.signin_policy import equal_work, password_matches
from tenants.tokens import new_code, new_token, token_hash, token_matches
from webhooks.services import event_emit

from .activity import activity_record
from .emails import send_client_email
from .models import ActivityEntry, Company, Contact, PortalAccount, PortalToken, RegistrationRequest
from .passwords import validate_client_password
from .payloads import account_payload, contact_payload, token_payload
from .selectors import portal_config_get

MAGIC_LINK_MINUTES = 15
INVITATION_DAYS = 14
RESET_MINUTES = 60
REGISTRATION_MINUTES = 30
REGISTRATION_MAX_ATTEMPTS = 5
TOKEN_PURPOSE = "portal-token"  # noqa: S105 - a hashing purpose label, not a secret
REGISTRATION_PURPOSE = "portal-registration"


class AccessError(Exception):
    """A sign-in step failed for a reason the client can act on."""

    def __init__(self, message: str, *, code: str):
        super().__init__(message)
        self.message = message
        self.code = code


# --- accounts -----------------------------------------------------------------------------------


@transaction.atomic
def portal_account_for(*, contact: Contact | None = None, company: Company | None = None) -> PortalAccount:
    """The contact's (or company's) portal account, created (not invited) when missing."""
    if contact is not None:
        account, created = PortalAccount.objects.get_or_create(contact=contact)
    else:
        account, created = PortalAccount.objects.get_or_create(company=company)
    if created:
        activity_record(account=account, verb="account_created")
        event_emit(type="portal_account.created", data={"account": account_payload(account)})
    return account


def _fernet() -> Fernet:
    import base64
    import hashlib

    key = hashlib.sha256(f"portico:access-token-key:{settings.SECRET_KEY}".encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def token_issue(
    *,
    account: PortalAccount,
    kind: str,
    lifetime: timedelta,
    created_by: str = "",
    keep_encrypted: bool = False,
) -> tuple[PortalToken, str]:
    """A new random token (256 bits). Only its keyed hash (and, for access tokens, a ciphertext) is kept."""
    raw = new_token(32)
    token = PortalToken.objects.create(
        account=account,
        kind=kind,
        token_hash=token_hash(raw, purpose=TOKEN_PURPOSE),
        token_encrypted=_fernet().encrypt(raw.encode()).decode() if keep_encrypted else "",
        expires_at=timezone.now() + lifetime,
        created_by=created_by[:120],
    )
    return token, raw


def link_digest(raw: str) -> str:
    """The keyed hash a link's token is stored and looked up by (a session may hold it, never the token)."""
    return token_hash(raw, purpose=TOKEN_PURPOSE)


def _token_lookup(
    raw: str | None, kind: str, *, digest: str | None = None, lock: bool = False
) -> PortalToken | None:
    if digest is None:
        if not raw or len(raw) > 200:
            return None
        digest = link_digest(raw)
    queryset = PortalToken.objects.select_related("account", "account__contact", "account__company")
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    token = queryset.filter(token_hash=digest, kind=kind).first()
    if token is None or (raw is not None and not token_matches(raw, token.token_hash, purpose=TOKEN_PURPOSE)):
        return None
    return token


INVALID_LINK_MESSAGES = {
    PortalToken.Kind.MAGIC_LINK: N_(
        "This sign-in link has expired or was already used. Request a new one below."
    ),
    PortalToken.Kind.INVITATION: N_(
        "This invitation has expired or was already used. "
        "Please sign in or ask your office for a new invitation."
    ),
    PortalToken.Kind.RESET: N_("This reset link has expired or was already used. Please ask for a new one."),
}


def link_check(*, kind: str, digest: str) -> PortalAccount:
    """Whether a single-use link can still be used (without using it)."""
    token = _token_lookup(None, kind, digest=digest)
    if token is None or not token.is_live:
        raise AccessError(INVALID_LINK_MESSAGES[kind], code="invalid")
    if not token.account.is_usable:
        raise AccessError(N_("This portal account is disabled. Please contact your office."), code="disabled")
    return token.account


def token_revoke(*, token: PortalToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])


def portal_link(path: str) -> str:
    """An absolute URL on the office's primary host (scheme and port of the running server in dev)."""
    from tenants.hosts import current_base_url

    return f"{current_base_url()}{path}"


# --- access tokens (reusable links, seed 002) ---------------------------------------------------


@dataclass
class AccessToken:
    token: PortalToken
    raw: str
    created: bool

    @property
    def url(self) -> str:
        return portal_link(f"/client-portal/{self.raw}")


def access_token_get_or_create(*, account: PortalAccount, created_by: str = "") -> AccessToken:
    """The account's active access token, or a new one valid for the office's token_expiration_days."""
    if not account.is_usable:
        raise AccessError(N_("This portal account is disabled. Enable it first."), code="disabled")
    with transaction.atomic():
        PortalAccount.objects.select_for_update().filter(pk=account.pk).first()
        live = (
            PortalToken.objects.filter(
                account=account, kind=PortalToken.Kind.ACCESS, revoked_at=None, expires_at__gt=timezone.now()
            )
            .order_by("-expires_at")
            .first()
        )
        if live is not None and live.token_encrypted:
            try:
                raw = _fernet().decrypt(live.token_encrypted.encode()).decode()
                return AccessToken(token=live, raw=raw, created=False)
            except InvalidToken:
                token_revoke(token=live)  # the secret key changed: issue a new one
        days = portal_config_get().token_expiration_days
        token, raw = token_issue(
            account=account,
            kind=PortalToken.Kind.ACCESS,
            lifetime=timedelta(days=days),
            created_by=created_by,
            keep_encrypted=True,
        )
        activity_record(
            account=account,
            verb="token_created",
            actor=ActivityEntry.Actor.STAFF if created_by else ActivityEntry.Actor.SYSTEM,
            actor_label=created_by,
        )
        event_emit(
            type="client_portal.token_created",
            data={
                "account": account_payload(account),
                "token": token_payload(token),
                "created_by": created_by,
            },
        )
    return AccessToken(token=token, raw=raw, created=True)


@transaction.atomic
def access_token_consume(*, raw: str) -> PortalAccount:
    """Open an access link: reusable until it expires or is revoked."""
    token = _token_lookup(raw, PortalToken.Kind.ACCESS)
    if token is None or token.revoked_at or token.expires_at <= timezone.now():
        raise AccessError(
            N_("This link has expired or is no longer valid. Please ask your office for a new one."),
            code="invalid",
        )
    if not token.account.is_usable:
        raise AccessError(N_("This portal account is disabled. Please contact your office."), code="disabled")
    PortalToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now(), use_count=token.use_count + 1)
    activity_record(
        account=token.account,
        verb="token_accessed",
        actor=ActivityEntry.Actor.CLIENT,
    )
    event_emit(
        type="client_portal.token_accessed",
        data={"account": account_payload(token.account), "token": token_payload(token)},
    )
    return token.account


# --- invitations, magic links, login emails -----------------------------------------------------


@dataclass
class Invitation:
    account: PortalAccount
    raw: str
    url: str
    temporary_password: str = ""


def portal_account_invite(
    *,
    account: PortalAccount,
    custom_message: str = "",
    temporary_password: bool = False,
    actor: str = "",
    actor_type: str = ActivityEntry.Actor.STAFF,
) -> Invitation:
    """Email an invitation: a set-password link, or a temporary password to change at first sign-in."""
    if not account.email:
        raise AccessError(N_("Contact does not have an email address"), code="no_email")
    if account.status == PortalAccount.Status.DISABLED:
        raise AccessError(N_("This portal account is disabled. Enable it before inviting."), code="disabled")
    temp = ""
    with transaction.atomic():
        if temporary_password:
            temp = _temporary_password()
            account.password = make_password(temp)
            account.must_change_password = True
        _, raw = token_issue(
            account=account,
            kind=PortalToken.Kind.INVITATION,
            lifetime=timedelta(days=INVITATION_DAYS),
            created_by=actor,
        )
        if account.status == PortalAccount.Status.NOT_INVITED:
            account.status = PortalAccount.Status.INVITED
        account.invited_at = timezone.now()
        account.save()
        url = portal_link(f"/auth/invite/{raw}")
        activity_record(
            account=account,
            verb="invitation_sent",
            actor=actor_type,
            actor_label=actor,
            data={"custom_message": custom_message[:500]},
        )
        event_emit(
            type="client_portal.invitation_sent",
            data={
                "account": account_payload(account),
                "custom_message": custom_message[:500],
                "temporary_password": bool(temp),
                "sent_by": actor,
            },
        )
    link = portal_link("/auth/signin") if temp else url
    values = _email_values(
        account,
        portal_link=link,
        custom_message=custom_message,
        temporary_password=temp,
        expires_in=timedelta(days=INVITATION_DAYS),
    )
    kind = "invitation_temporary_password" if temp else "invitation"
    send_client_email(kind, to=account.email, language=account.language, values=values, account=account)
    return Invitation(account=account, raw=raw, url=url, temporary_password=temp)


def _temporary_password() -> str:
    """Readable, and within both password policies (upper, lower, digit, symbol, 14 characters)."""
    alphabet = "abcdefghjkmnpqrstuvwxyz"
    body = "".join(secrets.choice(alphabet) for _ in range(8))
    return f"{body[:4].upper()}{body[4:]}-{secrets.randbelow(9000) + 1000}!"


def magic_link_send(*, account: PortalAccount, actor: str = "", kind: str = "magic_link") -> str:
    """A one-click, single-use sign-in link (15 minutes), emailed to the client. Returns the link."""
    if not account.email:
        raise AccessError(N_("Contact does not have an email address"), code="no_email")
    if not account.is_usable:
        raise AccessError(N_("This portal account is disabled."), code="disabled")
    _, raw = token_issue(
        account=account,
        kind=PortalToken.Kind.MAGIC_LINK,
        lifetime=timedelta(minutes=MAGIC_LINK_MINUTES),
        created_by=actor,
    )
    url = portal_link(f"/auth/magic/{raw}")
    verb = "login_email_sent" if kind == "login_email" else "magic_link_sent"
    activity_record(
        account=account,
        verb=verb,
        actor=ActivityEntry.Actor.STAFF if actor else ActivityEntry.Actor.CLIENT,
        actor_label=actor,
    )
    values = _email_values(account, portal_link=url, expires_in=timedelta(minutes=MAGIC_LINK_MINUTES))
    send_client_email(kind, to=account.email, language=account.language, values=values, account=account)
    return url


def _consume_single_use(raw: str | None, kind: str, digest: str | None = None) -> PortalToken:
    with transaction.atomic():
        token = _token_lookup(raw, kind, digest=digest, lock=True)
        if token is None or not token.is_live:
            raise AccessError(INVALID_LINK_MESSAGES[kind], code="invalid")
        if not token.account.is_usable:
            raise AccessError(
                N_("This portal account is disabled. Please contact your office."), code="disabled"
            )
        token.used_at = timezone.now()
        token.save(update_fields=["used_at"])
    return token


def magic_link_consume(*, raw: str | None = None, digest: str | None = None) -> PortalAccount:
    return _consume_single_use(raw, PortalToken.Kind.MAGIC_LINK, digest).account


def invitation_accept(*, raw: str | None = None, digest: str | None = None) -> PortalAccount:
    """Opening an invitation signs the client in; a client without a password sets one next."""
    return _consume_single_use(raw, PortalToken.Kind.INVITATION, digest).account


# --- passwords ----------------------------------------------------------------------------------


def portal_account_set_password(*, account: PortalAccount, password: str) -> PortalAccount:
    validate_client_password(password, policy=portal_config_get().password_policy)
    account.password = make_password(password)
    account.must_change_password = False
    account.save(update_fields=["password", "must_change_password"])
    credentials.bump(credentials.CLIENT, account.pk)
    PortalToken.objects.filter(account=account, kind=PortalToken.Kind.RESET, used_at=None).update(
        revoked_at=timezone.now()
    )
    activity_record(account=account, verb="password_changed", actor=ActivityEntry.Actor.CLIENT)
    return account


def portal_account_reset_password(*, account: PortalAccount, actor: str) -> PortalAccount:
    """Office action: the current password stops working; the next visit asks for a new one."""
    account.password = make_password(None)
    account.must_change_password = True
    account.save(update_fields=["password", "must_change_password"])
    credentials.bump(credentials.CLIENT, account.pk)
    activity_record(
        account=account,
        verb="password_reset_by_office",
        actor=ActivityEntry.Actor.STAFF,
        actor_label=actor,
    )
    return account


def magic_links_for_email(*, email: str) -> None:
    """Email a sign-in link to every account using this address (run in the worker, so the
    request that asked takes the same time whether or not the address is known)."""
    for account in accounts_for_email(email):
        magic_link_send(account=account)


def password_reset_request(*, email: str) -> None:
    """Email a reset link when exactly one account uses this email; when several do, email the
    address that the office must reset it (seed 004). The screen says the same in every case."""
    accounts = list(accounts_for_email(email))
    if len(accounts) == 1 and accounts[0].is_usable:
        account = accounts[0]
        _, raw = token_issue(
            account=account, kind=PortalToken.Kind.RESET, lifetime=timedelta(minutes=RESET_MINUTES)
        )
        values = _email_values(
            account,
            portal_link=portal_link(f"/auth/reset/{raw}"),
            expires_in=timedelta(minutes=RESET_MINUTES),
        )
        send_client_email("password_reset", to=account.email, language=account.language, values=values)
        activity_record(
            account=account,
            verb="password_reset_requested",
            actor=ActivityEntry.Actor.CLIENT,
        )
    elif len(accounts) > 1:
        first = accounts[0]
        send_client_email(
            "password_reset_shared",
            to=first.email,
            language=first.language,
            values=_email_values(first, portal_link=portal_link("/auth/signin")),
        )
        for account in accounts:
            activity_record(
                account=account,
                verb="password_reset_conflict",
                actor=ActivityEntry.Actor.CLIENT,
            )
    else:
        equal_work("x")  # comparable work when nobody matches


def password_reset_complete(
    *, password: str, raw: str | None = None, digest: str | None = None
) -> PortalAccount:
    with transaction.atomic():
        token = _token_lookup(raw, PortalToken.Kind.RESET, digest=digest, lock=True)
        if token is None or not token.is_live:
            raise AccessError(INVALID_LINK_MESSAGES[PortalToken.Kind.RESET], code="invalid")
        portal_account_set_password(account=token.account, password=password)
        token.used_at = timezone.now()
        token.save(update_fields=["used_at"])
    return token.account


# --- signing in ---------------------------------------------------------------------------------


def accounts_for_email(email: str):
    email = (email or "").strip().lower()
    if not email:
        return PortalAccount.objects.none()
    return (
        PortalAccount.objects.select_related("contact", "company")
        .filter(Q(contact__email__iexact=email) | Q(company__email__iexact=email))
        .exclude(status=PortalAccount.Status.DISABLED)
        .order_by("id")
    )


def portal_account_authenticate(*, email: str, password: str) -> PortalAccount | None:
    """The account with this email whose password matches (several contacts may share an email).
    Each candidate costs one hash verification, and so does an unknown email or an account with no
    password yet, so the answer takes as long whichever it is."""
    found = None
    candidates = list(accounts_for_email(email))
    for account in candidates:
        if password_matches(password, account.password) and found is None:
            found = account
    if not candidates:
        equal_work(password)
    return found


@transaction.atomic
def client_signed_in(*, account: PortalAccount, via: str) -> PortalAccount:
    """Record a sign-in: last login, first join, activity."""
    now = timezone.now()
    first = account.status in (PortalAccount.Status.NOT_INVITED, PortalAccount.Status.INVITED)
    account.last_login = now
    if first:
        account.status = PortalAccount.Status.JOINED
        account.joined_at = now
    account.save(update_fields=["last_login", "status", "joined_at"])
    if first:
        activity_record(account=account, verb="joined", actor=ActivityEntry.Actor.CLIENT)
        event_emit(type="portal_account.joined", data={"account": account_payload(account), "via": via})
    activity_record(
        account=account,
        verb="login",
        actor=ActivityEntry.Actor.CLIENT,
        data={"via": via},
    )
    return account


@transaction.atomic
def portal_account_disable(*, account: PortalAccount, actor: str) -> PortalAccount:
    account.status = PortalAccount.Status.DISABLED
    account.disabled_at = timezone.now()
    account.save(update_fields=["status", "disabled_at"])
    credentials.bump(credentials.CLIENT, account.pk)
    PortalToken.objects.filter(account=account, revoked_at=None).update(revoked_at=timezone.now())
    activity_record(
        account=account,
        verb="disabled",
        actor=ActivityEntry.Actor.STAFF,
        actor_label=actor,
    )
    event_emit(
        type="portal_account.disabled", data={"account": account_payload(account), "disabled_by": actor}
    )
    return account


def portal_account_enable(*, account: PortalAccount, actor: str) -> PortalAccount:
    account.status = (
        PortalAccount.Status.JOINED
        if account.joined_at
        else (PortalAccount.Status.INVITED if account.invited_at else PortalAccount.Status.NOT_INVITED)
    )
    account.disabled_at = None
    account.save(update_fields=["status", "disabled_at"])
    activity_record(
        account=account,
        verb="enabled",
        actor=ActivityEntry.Actor.STAFF,
        actor_label=actor,
    )
    return account


# --- self-registration (seed 001) ---------------------------------------------------------------


def registration_start(
    *, email: str, first_name: str, last_name: str, password: str, language: str
) -> RegistrationRequest:
    """Always emails a code, whether or not the address is known (no enumeration)."""
    validate_client_password(password, policy=portal_config_get().password_policy)
    code = new_code()
    request = RegistrationRequest.objects.create(
        email=email.strip().lower(),
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        language=language,
        password_hash=make_password(password),
        code_hash=token_hash(code, purpose=REGISTRATION_PURPOSE),
        expires_at=timezone.now() + timedelta(minutes=REGISTRATION_MINUTES),
    )
    values = {
        "contact.first_name": request.first_name,
        "contact.last_name": request.last_name,
        "contact.email": request.email,
        "code": code,
        "expires_in": timedelta(minutes=REGISTRATION_MINUTES),
        "portal_link": portal_link("/auth/signup/verify"),
    }
    send_client_email("verification_code", to=request.email, language=language, values=values)
    return request


def registration_verify(*, request_id: int, code: str) -> PortalAccount:
    """Check the code; link the existing contact with this email, or create a new lead."""
    with transaction.atomic():
        request = RegistrationRequest.objects.select_for_update().filter(pk=request_id).first()
        if request is None or request.completed_at:
            raise AccessError(N_("This code was already used or is unknown. Please sign in."), code="used")
        if request.expires_at <= timezone.now() or request.attempts >= REGISTRATION_MAX_ATTEMPTS:
            raise AccessError(N_("This code has expired. Please register again."), code="expired")
        if token_matches(code.strip(), request.code_hash, purpose=REGISTRATION_PURPOSE):
            account = _registration_complete(request)
            return account
        request.attempts += 1
        request.save(update_fields=["attempts"])
    left = REGISTRATION_MAX_ATTEMPTS - request.attempts
    if left <= 0:
        raise AccessError(N_("Too many wrong codes. Please register again."), code="locked")
    raise AccessError(N_("That code is not right."), code="wrong")


def _registration_complete(request: RegistrationRequest) -> PortalAccount:
    request.completed_at = timezone.now()
    request.save(update_fields=["completed_at"])
    candidates = [
        c
        for c in Contact.objects.filter(email__iexact=request.email).select_related("portal_account")
        if not hasattr(c, "portal_account") or not c.portal_account.has_usable_password()
    ]
    if candidates:
        contact = candidates[0]
        linked = True
    else:
        contact = Contact.objects.create(
            first_name=request.first_name,
            last_name=request.last_name,
            email=request.email,
            language=request.language,
            source=Contact.Source.SELF_REGISTRATION,
        )
        event_emit(type="contact.created", data={"contact": contact_payload(contact)})
        linked = False
    account = portal_account_for(contact=contact)
    if account.status == PortalAccount.Status.DISABLED:
        raise AccessError(N_("This portal account is disabled. Please contact your office."), code="disabled")
    account.password = request.password_hash
    account.must_change_password = False
    account.save(update_fields=["password", "must_change_password"])
    activity_record(
        account=account,
        verb="self_registered",
        params={"how": "linked" if linked else "lead"},
        actor=ActivityEntry.Actor.CLIENT,
        data={"linked_existing_contact": linked},
    )
    return account


def _email_values(account: PortalAccount, **values) -> dict[str, str]:
    holder = account.contact
    return {
        "contact.first_name": holder.first_name if holder else account.company.name,
        "contact.last_name": holder.last_name if holder else "",
        "contact.email": account.email,
        **{k: v for k, v in values.items() if v is not None},
    }
