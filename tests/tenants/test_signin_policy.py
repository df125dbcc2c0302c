"""One sign-in policy over every way in: the URLconfs are walked, each way in is limited per IP and
per account with ``Retry-After``, the client IP honours trusted proxies only, and every way in does
the same work whether or not the account exists or has a password."""

from __future__ import annotations

import inspect
import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection
from django.test import Client, RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver
from django_tenants.utils import schema_context

from tenants import signin_policy
from tenants.signin_policy import Limits, client_ip

from .. import hashers
from ..conftest import PLATFORM_HOST

CREDENTIAL_WORDS = re.compile(
    r"password|\bcode\b|token|authenticate|AuthenticationForm|LoginView|Password\w+View"
)
# Views that mention credentials but take none from the person at the keyboard.
NOT_A_WAY_IN = {
    # an operator sets someone else's password: behind the operator's own signed-in admin session
    "UserAdmin.user_change_password",
    # the page after a reset email was asked for
    "PasswordResetDoneView",
}
# Mail providers' webhooks: checked against the provider's shared secret, not a person's way in.
NOT_A_PERSON = ("anymail/",)


def _walk(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.callback


def _policy(view) -> str | None:
    for candidate in (view, getattr(view, "cls", None), getattr(view, "view_class", None)):
        if candidate is not None and getattr(candidate, "signin_policy", None):
            return candidate.signin_policy
    return None


def _innermost(view):
    view = getattr(view, "cls", None) or getattr(view, "view_class", None) or view
    return inspect.unwrap(view)


def _source(view) -> str:
    try:
        return inspect.getsource(_innermost(view))
    except (OSError, TypeError):
        return ""


def _name(view) -> str:
    target = _innermost(view)
    owner = getattr(target, "__self__", None)
    if owner is not None:
        return f"{type(owner).__name__}.{target.__name__}"
    return getattr(target, "__qualname__", repr(target))


def _takes_credentials(route: str, view) -> bool:
    """A view takes credentials when it reads a password, code or token from the request: named in
    its route, or read by its own code or its form (the word in its source)."""
    if re.search(r"<(\w+:)?(token|uidb64|code)>", route):
        return True
    source = _source(view)
    form_class = getattr(getattr(view, "view_class", None), "form_class", None)
    if form_class is not None:
        source += _source(form_class)
    return bool(CREDENTIAL_WORDS.search(source))


@pytest.mark.parametrize("urlconf", ["config.urls_tenant", "config.urls_public"])
def test_it_puts_every_view_that_takes_credentials_under_the_policy(urlconf):
    resolver = get_resolver(urlconf)
    seen, missing = 0, []
    for route, view in _walk(resolver.url_patterns):
        if route.startswith(NOT_A_PERSON) or not _takes_credentials(route, view):
            continue
        seen += 1
        name = _name(view)
        if _policy(view) is None and name not in NOT_A_WAY_IN and not _signed_in_only(view):
            missing.append(f"{route} ({name})")
    assert seen >= 5, "the walk found too few views: the detection is broken"
    assert not missing, "views that take a password, code or token without the sign-in policy:\n" + "\n".join(
        missing
    )


def _signed_in_only(view) -> bool:
    """Pages and operations reached only by someone already signed in (staff, an operator, a client,
    an API key or JWT holder): they create, show or revoke credentials for others, or act for the
    signed-in person, but never check a credential from an anonymous caller."""
    source = _source(view)
    if "staff_required" in source or "client_required" in source or _admin_view(view):
        return True
    cls = getattr(view, "cls", None)
    if cls is not None:
        from rest_framework.permissions import AllowAny

        return AllowAny not in cls.permission_classes
    return False


def _admin_view(view) -> bool:
    target = _innermost(view)
    owner = getattr(target, "__self__", None)
    from django.contrib import admin

    return isinstance(owner, admin.ModelAdmin) or (
        isinstance(owner, admin.AdminSite) and target.__name__ not in ("login", "password_change")
    )


def test_the_policy_check_itself_finds_an_unguarded_view():
    def sign_in(request):
        return request.POST["password"]

    assert _takes_credentials("x/", sign_in) and _policy(sign_in) is None
    guarded = signin_policy.guarded("client-signin")(sign_in)
    assert _policy(guarded) == "client-signin"


# --- limits ---------------------------------------------------------------------------------------


@pytest.fixture
def tight(monkeypatch):
    """Every surface allows three attempts per IP and two per account."""
    monkeypatch.setattr(
        signin_policy, "SURFACES", {key: Limits(ip=3, account=2) for key in signin_policy.SURFACES}
    )


def _blocked(response):
    assert response.status_code == 429, response.status_code
    assert int(response["Retry-After"]) > 0
    return response


def _post(browser, path, data, **extra):
    if path.startswith("/api/"):
        return browser.post(path, data, content_type="application/json", **extra)
    return browser.post(path, data, **extra)


def _ways_in(office):
    """(browser maker, path, data for an email): every form way in, each naming one account."""
    return {
        "office-login": (office.client, "/office/login/", lambda e: {"username": e, "password": "p"}),
        "office-forgot": (office.client, "/office/password/forgot/", lambda e: {"email": e}),
        "client-signin": (office.client, "/auth/signin", lambda e: {"email": e, "password": "p"}),
        "client-magic": (office.client, "/auth/magic", lambda e: {"email": e}),
        "client-forgot": (office.client, "/auth/forgot", lambda e: {"email": e}),
        "client-register": (
            office.client,
            "/auth/signup",
            lambda e: {"first_name": "A", "email": e, "password": "Weak"},
        ),
        "api-token": (
            office.client,
            "/api/v1/auth/token",
            lambda e: {"email": e, "password": "p", "kind": "staff"},
        ),
        "admin-login": (
            lambda: Client(HTTP_HOST=PLATFORM_HOST),
            "/admin/login/",
            lambda e: {"username": e, "password": "p"},
        ),
        "signup": (
            lambda: Client(HTTP_HOST=PLATFORM_HOST),
            "/signup/",
            lambda e: {"office_name": "X", "subdomain": "", "owner_name": "X", "email": e},
        ),
        "office-find": (lambda: Client(HTTP_HOST=PLATFORM_HOST), "/find-office/", lambda e: {"email": e}),
    }


def _portal_on(office):
    from portal_core.models import PortalConfig

    with schema_context(office.schema_name):
        config = PortalConfig.objects.get()
        config.is_active = True
        config.save()
    connection.set_schema_to_public()


def test_it_limits_every_way_in_per_account(office_a, tight):
    _portal_on(office_a)
    for surface, (make_client, path, data) in _ways_in(office_a).items():
        browser = make_client()
        email = f"{surface}@example.com"
        # a new IP each time: only the per-account limit can stop the third
        codes = [
            _post(browser, path, data(email), REMOTE_ADDR=f"10.1.{len(surface)}.{n + 1}").status_code
            for n in range(3)
        ]
        assert 429 not in codes[:2] and codes[2] == 429, (surface, codes)


def test_it_counts_password_guesses_on_one_account_across_ways_in(office_a, tight):
    _portal_on(office_a)
    browser = office_a.client()
    email = "shared@example.com"
    _post(browser, "/office/login/", {"username": email, "password": "a"}, REMOTE_ADDR="10.2.0.1")
    _post(
        browser,
        "/api/v1/auth/token",
        {"email": email, "password": "b", "kind": "staff"},
        REMOTE_ADDR="10.2.0.2",
    )
    _blocked(_post(browser, "/auth/signin", {"email": email, "password": "c"}, REMOTE_ADDR="10.2.0.3"))


def test_it_limits_every_way_in_per_ip(office_a, tight):
    _portal_on(office_a)
    for surface, (make_client, path, data) in _ways_in(office_a).items():
        browser = make_client()
        codes = [
            _post(browser, path, data(f"p{n}@example.com"), REMOTE_ADDR="10.9.9.9").status_code
            for n in range(4)
        ]
        assert codes[3] == 429 and 429 not in codes[:3], (surface, codes)
        signin_policy.counting._cache().clear()


def test_the_limit_answers_with_a_clear_message_and_retry_after(office_a, tight):
    _portal_on(office_a)
    browser = office_a.client()
    for n in range(3):
        browser.post("/auth/signin", {"email": f"a{n}@example.com", "password": "x"})
    response = _blocked(browser.post("/auth/signin", {"email": "a9@example.com", "password": "x"}))
    assert "Too many attempts. Please wait" in response.content.decode()
    api_browser = office_a.client()
    for n in range(3):
        _post(api_browser, "/api/v1/auth/token", {"email": f"c{n}@example.com", "password": "x"})
    api = _blocked(_post(api_browser, "/api/v1/auth/token", {"email": "c9@example.com", "password": "x"}))
    assert api.json() == {"message": "Too many attempts. Try again later."}


def test_an_owner_is_not_locked_out_by_a_strangers_guesses(office_a, tight):
    """The stranger's guesses stop password sign-in for the account, but the owner proves they hold
    the mailbox with an emailed link, gets in, and their password works again."""
    import re as regex

    from django.core import mail

    from portal_core import access
    from portal_core.models import Contact, PortalConfig

    with schema_context(office_a.schema_name):
        PortalConfig.objects.update(is_active=True)
        contact = Contact.objects.create(first_name="Own", last_name="Er", email="own@example.com")
        account = access.portal_account_for(contact=contact)
        account.password = make_password("Right-pass-2026!")
        account.onboarding_completed = account.tour_completed = True
        account.save()
    connection.set_schema_to_public()
    stranger = office_a.client()
    for n in range(3):
        stranger.post(
            "/auth/signin", {"email": "own@example.com", "password": f"guess{n}"}, REMOTE_ADDR=f"10.3.0.{n}"
        )
    owner = office_a.client()
    _blocked(
        owner.post(
            "/auth/signin",
            {"email": "own@example.com", "password": "Right-pass-2026!"},
            REMOTE_ADDR="10.4.0.1",
        )
    )
    mail.outbox.clear()
    owner.post("/auth/magic", {"email": "own@example.com"}, REMOTE_ADDR="10.4.0.1")
    path = regex.search(r"https?://[^\s\"]+(/auth/magic/[^\s\"<]+)", mail.outbox[-1].body).group(1)
    owner.get(path, REMOTE_ADDR="10.4.0.1")
    assert owner.post("/auth/link", REMOTE_ADDR="10.4.0.1").status_code == 302
    again = office_a.client()
    response = again.post(
        "/auth/signin", {"email": "own@example.com", "password": "Right-pass-2026!"}, REMOTE_ADDR="10.4.0.2"
    )
    assert response.status_code == 302


# --- the client IP --------------------------------------------------------------------------------


def _request(remote="203.0.113.9", forwarded=None):
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **meta)


def test_it_ignores_x_forwarded_for_without_trusted_proxies(settings):
    settings.PORTICO_TRUSTED_PROXIES = 0
    assert client_ip(_request("127.0.0.1", "198.51.100.7")) == "127.0.0.1"


def test_it_takes_the_client_behind_a_counted_proxy(settings):
    settings.PORTICO_TRUSTED_PROXIES = 1
    assert client_ip(_request("127.0.0.1", "198.51.100.7")) == "198.51.100.7"
    # a forged entry in front of the real one is not believed
    assert client_ip(_request("127.0.0.1", "1.2.3.4, 198.51.100.7")) == "198.51.100.7"
    settings.PORTICO_TRUSTED_PROXIES = "2"
    assert client_ip(_request("10.0.0.2", "1.2.3.4, 198.51.100.7, 10.0.0.1")) == "198.51.100.7"


def test_it_takes_the_client_behind_listed_proxies(settings):
    settings.PORTICO_TRUSTED_PROXIES = ["127.0.0.1", "10.0.0.0/8"]
    assert client_ip(_request("127.0.0.1", "1.2.3.4, 198.51.100.7, 10.1.2.3")) == "198.51.100.7"
    # a caller that is not a listed proxy is the client, whatever it claims
    assert client_ip(_request("198.51.100.50", "1.2.3.4")) == "198.51.100.50"
    assert client_ip(_request("127.0.0.1", "not-an-ip")) == "127.0.0.1"


def test_clients_behind_the_proxy_are_not_one_bucket(office_a, tight, settings):
    _portal_on(office_a)
    settings.PORTICO_TRUSTED_PROXIES = 1
    browser = office_a.client()
    for n in range(3):
        browser.post(
            "/auth/signin",
            {"email": f"b{n}@example.com", "password": "x"},
            REMOTE_ADDR="127.0.0.1",
            HTTP_X_FORWARDED_FOR="198.51.100.1",
        )
    _blocked(
        browser.post(
            "/auth/signin",
            {"email": "b8@example.com", "password": "x"},
            REMOTE_ADDR="127.0.0.1",
            HTTP_X_FORWARDED_FOR="198.51.100.1",
        )
    )
    other = browser.post(
        "/auth/signin",
        {"email": "b9@example.com", "password": "x"},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="198.51.100.2",
    )
    assert other.status_code == 200


def test_the_counter_is_atomic_under_threads(db):
    import threading

    from tenants import counting

    results = []

    def hit():
        for _ in range(25):
            results.append(counting.count("atomic-test", "one", window=60)[0])

    threads = [threading.Thread(target=hit) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == list(range(1, 101))


def test_the_counter_works_without_redis(settings):
    from django.core.cache import caches

    from tenants import counting

    settings.CACHES = {
        **settings.CACHES,
        "platform": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "count-test"},
    }
    try:
        assert [counting.count("fallback", "x", window=60)[0] for _ in range(3)] == [1, 2, 3]
        counting.reset("fallback", "x", window=60)
        assert counting.count("fallback", "x", window=60)[0] == 1
    finally:
        caches["platform"].clear()


# --- equal work -----------------------------------------------------------------------------------

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"|nonce="[^"]+"')


def _body(response, email: str) -> str:
    """The page without its CSRF token, its script nonce and the email the form echoes back."""
    return CSRF.sub("", response.content.decode()).replace(email, "EMAIL")


def _cases(office):
    """unknown email, known email with a wrong password, known account with no password yet."""
    from portal_core import access
    from portal_core.models import Contact, PortalConfig

    with schema_context(office.schema_name):
        PortalConfig.objects.update(is_active=True)
        known = Contact.objects.create(first_name="K", last_name="N", email="known@example.com")
        account = access.portal_account_for(contact=known)
        account.password = make_password("Known-pass-2026!")
        account.save()
        invited = Contact.objects.create(first_name="I", last_name="N", email="invited@example.com")
        access.portal_account_for(contact=invited)  # no password yet
        users = get_user_model().objects
        users.create_user("staff-known", "staff-known@example.com", "Staff-pass-2026!", is_staff=True)
        nopass = users.create_user("staff-nopass", "staff-nopass@example.com", is_staff=True)
        nopass.set_unusable_password()
        nopass.save()
    connection.set_schema_to_public()
    return {
        "client": ("nobody@example.com", "known@example.com", "invited@example.com"),
        "staff": ("nobody@example.com", "staff-known@example.com", "staff-nopass@example.com"),
    }


def _ways_in_with_password(office):
    return [
        (
            "client-signin",
            "client",
            lambda email: office.client().post("/auth/signin", {"email": email, "password": "Wrong-2026!x"}),
        ),
        (
            "office-login",
            "staff",
            lambda email: office.client().post(
                "/office/login/", {"username": email, "password": "Wrong-2026!x"}
            ),
        ),
        (
            "api-token-client",
            "client",
            lambda email: _post(
                office.client(),
                "/api/v1/auth/token",
                {"email": email, "password": "Wrong-2026!x", "kind": "client"},
            ),
        ),
        (
            "api-token-staff",
            "staff",
            lambda email: _post(
                office.client(),
                "/api/v1/auth/token",
                {"email": email, "password": "Wrong-2026!x", "kind": "staff"},
            ),
        ),
    ]


def test_every_way_in_does_one_hash_check_and_answers_alike(office_a):
    emails = _cases(office_a)
    for name, kind, attempt in _ways_in_with_password(office_a):
        answers = []
        for email in emails[kind]:
            before = hashers.count()
            response = attempt(email)
            assert hashers.count() - before == 1, (name, email, hashers.count() - before)
            answers.append((response.status_code, _body(response, email)))
        if answers[0] != answers[1] or answers[1] != answers[2]:
            import difflib

            diff = [
                line
                for line in difflib.unified_diff(
                    answers[0][1].splitlines(), answers[2][1].splitlines(), lineterm=""
                )
                if line[:1] in "+-"
            ]
            diff += [
                line
                for line in difflib.unified_diff(
                    answers[0][1].splitlines(), answers[1][1].splitlines(), lineterm=""
                )
                if line[:1] in "+-"
            ]
            raise AssertionError((name, [a[0] for a in answers], diff[:12]))


def test_the_operator_login_does_one_hash_check_and_answers_alike(db):
    connection.set_schema_to_public()
    users = get_user_model().objects
    users.create_superuser("root2", "root2@portico.localhost", "Operator-pass-2026!")
    blank = users.create_user("blank", "blank@portico.localhost", is_staff=True, is_superuser=True)
    blank.set_unusable_password()
    blank.save()
    answers = []
    for email in ("nobody@portico.localhost", "root2@portico.localhost", "blank@portico.localhost"):
        before = hashers.count()
        response = Client(HTTP_HOST=PLATFORM_HOST).post(
            "/admin/login/", {"username": email, "password": "Wrong-2026!x"}
        )
        assert hashers.count() - before == 1, email
        answers.append((response.status_code, _body(response, email)))
    assert answers[0][0] == answers[1][0] == answers[2][0] == 200
    assert answers[0][1] == answers[1][1] == answers[2][1]
