"""Settings shared by every environment. Everything comes from the environment (django-environ)."""

import sys
from datetime import timedelta
from pathlib import Path

import environ

from config.database import database_url

BASE_DIR = Path(__file__).resolve().parents[3]
PLATFORM_DIR = BASE_DIR / "platform"
if str(PLATFORM_DIR) not in sys.path:
    sys.path.insert(0, str(PLATFORM_DIR))

env = environ.Env()

SECRET_KEY = env("SECRET_KEY", default="dev-insecure-portico-secret-key-change-me-in-production")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
# The error page masks secrets even in development (DATABASE_URL, keys, tokens).
DEFAULT_EXCEPTION_REPORTER_FILTER = "config.error_reports.SecretSafeExceptionReporterFilter"

# Hosts are checked by tenant routing (unknown hosts get the "no such portal" page), so Django's
# own host check would only duplicate it with a less helpful error.
ALLOWED_HOSTS = ["*"]

PORTICO_BASE_DOMAIN = env("PORTICO_BASE_DOMAIN", default="localhost").lower()
PORTICO_SCHEME = env("PORTICO_SCHEME", default="http")
# The port clients reach the server on, for links built outside a request (emails sent by tasks).
PORTICO_PUBLIC_PORT = env("PORTICO_PUBLIC_PORT", default=env("PORT", default=""))
# Proxies in front of the web (a count: 1 behind Caddy; or their addresses and networks,
# comma-separated): rate limits then see each client's own address. Empty: trust no forwarding header.
PORTICO_TRUSTED_PROXIES = env("PORTICO_TRUSTED_PROXIES", default="")
PORTICO_WEBHOOKS_ALLOW_PRIVATE = env.bool("PORTICO_WEBHOOKS_ALLOW_PRIVATE", default=False)
# Days of webhook events and delivery attempts kept in each office's log.
PORTICO_WEBHOOKS_LOG_DAYS = env.int("PORTICO_WEBHOOKS_LOG_DAYS", default=30)
PORTICO_POOL_SIZE = env.int("PORTICO_POOL_SIZE", default=3)
# At start, the web and the worker refuse a pooler in transaction mode (tenants.pooling).
PORTICO_CHECK_POOLING = env.bool("PORTICO_CHECK_POOLING", default=True)
# The pool grows to twice the busiest minute of sign-ups of the last week, up to this many schemas.
PORTICO_POOL_MAX = env.int("PORTICO_POOL_MAX", default=50)
# Schemas ``migrate_platform`` migrates at once; empty: one per CPU.
PORTICO_MIGRATE_JOBS = env.int("PORTICO_MIGRATE_JOBS", default=0)
# Stripe Connect: the platform's secret key, the Connect webhook's signing secret, and where the
# Stripe API is (a local fake Stripe server in development and tests).
STRIPE_SECRET_KEY = env("STRIPE_SECRET_KEY", default="")
STRIPE_CONNECT_WEBHOOK_SECRET = env("STRIPE_CONNECT_WEBHOOK_SECRET", default="")
STRIPE_API_BASE = env("STRIPE_API_BASE", default="https://api.stripe.com")
PORTICO_BASE_SCHEMA = "t_base"
PORTICO_EXPORT_DIR = Path(env("PORTICO_EXPORT_DIR", default=str(BASE_DIR / ".data" / "exports")))
# The platform's document seal (tenants.sealing): key and certificate files; in development a key
# and a self-signed certificate are made there on first use.
PORTICO_SEAL_KEY_FILE = env("PORTICO_SEAL_KEY_FILE", default=str(BASE_DIR / ".data" / "seal" / "key.pem"))
PORTICO_SEAL_CERT_FILE = env("PORTICO_SEAL_CERT_FILE", default=str(BASE_DIR / ".data" / "seal" / "cert.pem"))
PORTICO_SEAL_SELF_SIGNED = env.bool("PORTICO_SEAL_SELF_SIGNED", default=True)
# How often a process re-reads the shared routing generation (seconds). 0 = on every request.
# Operators give an authenticator code after their password (tenants.operator_two_factor).
PORTICO_OPERATOR_TWO_FACTOR = env.bool("PORTICO_OPERATOR_TWO_FACTOR", default=True)
PORTICO_ROUTING_RECHECK_SECONDS = env.float("PORTICO_ROUTING_RECHECK_SECONDS", default=1.0)
# Where an office writes to resolve a suspension (shown on its suspended office pages).
PORTICO_SUPPORT_EMAIL = env("PORTICO_SUPPORT_EMAIL", default=f"support@{PORTICO_BASE_DOMAIN}")
# Custom domains (tenants.domains): the platform's public addresses (A records of an apex domain),
# the DNS servers the checks ask ("ip" or "ip:port"; empty: the system's), how long a domain whose
# records changed keeps working, and where the TLS probe connects ("host:port"; empty: the domain).
PORTICO_PUBLIC_IPS = env.list("PORTICO_PUBLIC_IPS", default=[])
PORTICO_DNS_RESOLVERS = env.list("PORTICO_DNS_RESOLVERS", default=[])
PORTICO_DNS_TIMEOUT = env.float("PORTICO_DNS_TIMEOUT", default=3.0)
PORTICO_DOMAIN_GRACE_HOURS = env.float("PORTICO_DOMAIN_GRACE_HOURS", default=72)
PORTICO_TLS_PROBE = env("PORTICO_TLS_PROBE", default="")
PORTICO_SIGNUP_CODE_MINUTES = 15
PORTICO_SIGNUP_MAX_ATTEMPTS = 5
REDIS_URL = env("REDIS_URL", default="")

SHARED_APPS = [
    "django_tenants",
    "tenants",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.admin",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_q",
    "django_htmx",
    "corsheaders",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "modules",
]

TENANT_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "portal_core",
    "webhooks",
    "modules.real_estate",
    "modules.invoices",
    "modules.proposals",
]

# Extra module apps (installed packages declaring the ``portico.modules`` entry point, or test
# modules) are appended to TENANT_APPS by name.
PORTICO_EXTRA_MODULES = env.list("PORTICO_EXTRA_MODULES", default=[])


def _entry_point_modules() -> list[str]:
    from importlib.metadata import entry_points

    return [ep.value for ep in entry_points(group="portico.modules")]


TENANT_APPS += [m for m in [*_entry_point_modules(), *PORTICO_EXTRA_MODULES] if m not in TENANT_APPS]
INSTALLED_APPS = list(SHARED_APPS) + [app for app in TENANT_APPS if app not in SHARED_APPS]

TENANT_MODEL = "tenants.Tenant"
TENANT_DOMAIN_MODEL = "tenants.Domain"
PUBLIC_SCHEMA_URLCONF = "config.urls_public"
ROOT_URLCONF = "config.urls_tenant"
TENANT_BASE_SCHEMA = PORTICO_BASE_SCHEMA
TENANT_CREATION_FAKES_MIGRATIONS = False
# Issue SET search_path only when the schema changes, not before every query.
TENANT_LIMIT_SET_CALLS = True
DATABASE_ROUTERS = ("django_tenants.routers.TenantSyncRouter",)

MIDDLEWARE = [
    "tenants.health.HealthMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Static files, compressed and with far-future caching once collected (``make run``, the image),
    # before routing: a stylesheet needs no office.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "tenants.routing.TenantRoutingMiddleware",
    "portal_core.time_zones.OfficeTimeZoneMiddleware",  # the office's time zone, once routing knows it
    "corsheaders.middleware.CorsMiddleware",
    "portal_core.csp.ContentSecurityPolicyMiddleware",  # around frame-ancestors, set just below
    "portal_core.embedding.FrameAncestorsMiddleware",  # sees the cookies and X-Frame-Options set below
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "portal_core.input_guard.InputGuardMiddleware",  # NUL in a query or form value: a clear 400
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "tenants.credentials.CredentialsMiddleware",  # ends sessions whose credentials were ended
    "django.contrib.messages.middleware.MessageMiddleware",
    "portal_core.client_auth.ClientMiddleware",
    "portal_core.devices.SignedInDeviceMiddleware",  # "where you are signed in", inside the session
    "portal_core.language.PortalLanguageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "portal_core.module_gate.ModuleGateMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tenants.context_processors.platform",
                "portal_core.csp.nonce_context",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

_db = env.db_url_config(database_url(BASE_DIR))
if not _db.get("HOST") and "host" in _db.get("OPTIONS", {}):
    # A socket directory given as ?host=… (the embedded server's URL) is the host, for every
    # client that reads these settings (pg_dump for exports, worker subprocesses).
    _db["HOST"] = _db["OPTIONS"].pop("host")
_db["ENGINE"] = "django_tenants.postgresql_backend"
_db.setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=0))
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

if REDIS_URL:
    _cache_backend = {"BACKEND": "config.cache.RedisCache", "LOCATION": REDIS_URL}
else:
    _cache_backend = {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(BASE_DIR / ".data" / "cache"),
    }
CACHES = {
    # Tenant data: keys carry the schema name.
    "default": {
        **_cache_backend,
        "KEY_FUNCTION": "django_tenants.cache.make_key",
        "REVERSE_KEY_FUNCTION": "django_tenants.cache.reverse_key",
    },
    # Platform-wide keys (host routing generation), deliberately not tenant-prefixed.
    "platform": {**_cache_backend, "KEY_PREFIX": "platform"},
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = ["tenants.auth.EmailBackend"]
LOGIN_URL = "office:login"

LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", "English"),
    ("nl", "Nederlands"),
    ("de", "Deutsch"),
    ("fr", "Français"),
    ("es", "Español"),
    ("pt", "Português"),
    ("it", "Italiano"),
    ("pl", "Polski"),
    ("sv", "Svenska"),
    ("no", "Norsk"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / ".data" / "static")
MEDIA_URL = "/media/"
MEDIA_ROOT = BASE_DIR / ".data" / "media"
STORAGES = {
    # Files land under MEDIA_ROOT/<schema_name>/ so every path carries its tenant.
    "default": {"BACKEND": "tenants.storage.TenantMediaStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MULTITENANT_RELATIVE_MEDIA_ROOT = ""

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
# CORS on the API only, for the origins each office lists (``portal_core.embedding``); none here.
CORS_URLS_REGEX = r"^/api/v1/.*$"
CORS_ALLOWED_ORIGINS: list[str] = []
CORS_PREFLIGHT_MAX_AGE = 600
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", default=str(BASE_DIR / ".data" / "mail"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Portico <no-reply@portico.localhost>")
ANYMAIL = env.dict("ANYMAIL", default={})

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "portal_core.api.schema.ResourceSchema",
    "DEFAULT_PARSER_CLASSES": ["portal_core.input_guard.GuardedJSONParser"],
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "portal_core.api.auth.ApiKeyAuthentication",
        "portal_core.api.auth.TenantJWTAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["portal_core.api.permissions.IsTenantCaller"],
    "EXCEPTION_HANDLER": "portal_core.api.base.api_exception_handler",
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.CursorPagination",
    "PAGE_SIZE": 50,
}
SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=15),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=7),
    "SIGNING_KEY": SECRET_KEY,
    "USER_ID_CLAIM": "sub_id",
    "AUTH_HEADER_TYPES": ("Bearer",),
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Portico API",
    "VERSION": "1.0.0",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "DESCRIPTION": "The REST API of a Portico office. Authenticate with `Authorization: Bearer <API key>` "
    "(a key names its office, so the API also answers on the platform host) or with a JWT from "
    '`/api/v1/auth/token`. Errors are `{"message": …}`. Limits: 60 requests per minute and token by '
    "default (per plan), announced in the `RateLimit-Policy` and `RateLimit` headers.",
    "APPEND_COMPONENTS": {
        "securitySchemes": {
            "ApiKey": {"type": "http", "scheme": "bearer", "description": "A tenant API key, pk_xxxxxxxx.…"},
            "JWT": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
        }
    },
    "SECURITY": [{"ApiKey": []}, {"JWT": []}],
    "COMPONENT_SPLIT_REQUEST": True,
    "SERVE_INCLUDE_SCHEMA": False,
    "POSTPROCESSING_HOOKS": [
        # Names every enum (a model's choices class by its model and module) without settings.
        "portal_core.api.schema.name_enums",
        "portal_core.api.schema.document_text",
        "portal_core.api.schema.add_error_responses",
    ],
}

Q_CLUSTER = {
    "name": "portico",
    "workers": env.int("PORTICO_QUEUE_WORKERS", default=2),
    "timeout": 600,
    "retry": 660,
    "max_attempts": 3,
    "catch_up": False,
    "poll": 0.2,
    "ack_failures": True,
}
if REDIS_URL:
    Q_CLUSTER["redis"] = REDIS_URL
else:
    Q_CLUSTER["orm"] = "default"

# Run enqueued work inline instead of through the worker (the test suite does).
PORTICO_TASKS_EAGER = env.bool("PORTICO_TASKS_EAGER", default=False)

SENTRY_DSN = env("SENTRY_DSN", default="")
if SENTRY_DSN:
    import sentry_sdk
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        integrations=[DjangoIntegration()],
        environment=env("SENTRY_ENVIRONMENT", default="production"),
        traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
        send_default_pii=False,
    )

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    # WeasyPrint (PDFs) tells each step of every rendering at INFO.
    "loggers": {"django.db.backends": {"level": "WARNING"}, "weasyprint": {"level": "WARNING"}},
}
# Sending from an office's own domain (portal_core.sender_domains): the SPF include of the
# platform's senders and the host its return-path (bounce) CNAME points at (empty: spf.<base> and
# bounces.<base>).
PORTICO_SPF_INCLUDE = env("PORTICO_SPF_INCLUDE", default="")
PORTICO_RETURN_PATH_HOST = env("PORTICO_RETURN_PATH_HOST", default="")
