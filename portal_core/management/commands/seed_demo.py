import hashlib
import hmac
import json
import urllib.error
import urllib.request

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password, make_password
from django.core.management.base import BaseCommand
from django.utils import timezone
from django_tenants.utils import tenant_context

from modules.registry import registry
from tenants.models import ApiKey, Tenant
from tenants.services import API_KEY, tenant_provision
from tenants.tokens import token_hash

from ...access import portal_account_for
from ...models import Contact, PortalAccount, PortalConfig
from ...services import module_enable, portal_config_update

DEMO_SLUG = "demo"
OFFICE_EMAIL = "owner@demo.example"
OFFICE_PASSWORD = "Demo-office-2026!"  # noqa: S105 - public demo credentials
CLIENT_EMAIL = "client@demo.example"
CLIENT_PASSWORD = "Demo-client-2026!"  # noqa: S105 - public demo credentials


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Command(BaseCommand):
    help = "Create (or refresh) the demo office. With --json, print its credentials as the last line."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="print the contract's JSON object last")

    def handle(self, *args, **options):
        tenant = Tenant.objects.filter(slug=DEMO_SLUG).first()
        if tenant is None:
            tenant = tenant_provision(
                office_name="Demo Realty",
                slug=DEMO_SLUG,
                owner_name="Dana Demo",
                email=OFFICE_EMAIL,
                password_hash=make_password(OFFICE_PASSWORD),
            ).tenant
            self.stderr.write(f"created the demo office ({tenant.schema_name})")
        with tenant_context(tenant):
            user = get_user_model().objects.get(email=OFFICE_EMAIL)
            if not user.check_password(OFFICE_PASSWORD) or not user.is_active:
                user.set_password(OFFICE_PASSWORD)
                user.is_active = True
                user.save()
            contact = self._demo_client()
            self._demo_modules(tenant, contact=contact, owner=user)
            self._demo_stripe(user)
        result = {
            "tenant": tenant.slug,
            "domain": f"{DEMO_SLUG}.{settings.PORTICO_BASE_DOMAIN}",
            "office": {"email": OFFICE_EMAIL, "password": OFFICE_PASSWORD},
            "client": {"email": CLIENT_EMAIL, "password": CLIENT_PASSWORD},
            "api_key": self._demo_api_key(tenant),
            "portal_id": tenant.portal_id,
        }
        if options["json"]:
            self.stdout.write(json.dumps(result))
        else:
            self.stdout.write(
                f"Demo office: http://{result['domain']}/office/  {OFFICE_EMAIL} / {OFFICE_PASSWORD}"
            )

    def _demo_client(self):
        """The portal is on, and one client has joined with a known password. Returns the contact."""
        config = PortalConfig.objects.get()
        if not config.is_active or not config.email_configured:
            portal_config_update(
                config=config,
                is_active=True,
                email_from_name="Demo Realty",
                email_reply_to="office@demo.example",
            )
        contact = Contact.objects.filter(email=CLIENT_EMAIL).first() or Contact.objects.create(
            first_name="Casey", last_name="Client", email=CLIENT_EMAIL, language="en"
        )
        account = portal_account_for(contact=contact)
        if (
            not check_password(CLIENT_PASSWORD, account.password)
            or account.status == PortalAccount.Status.DISABLED
        ):
            account.password = make_password(CLIENT_PASSWORD)
            account.status = PortalAccount.Status.JOINED
            account.invited_at = account.invited_at or timezone.now()
            account.joined_at = account.joined_at or timezone.now()
            account.must_change_password = False
            account.onboarding_completed = account.tour_completed = True
            account.save()
        return contact

    def _demo_modules(self, tenant, *, contact, owner) -> None:
        """Every module with demo data (``<module>.demo``) is switched on, within the plan, and seeds
        it for the demo client (each ``seed`` is idempotent)."""
        for module, seed in registry.parts("demo_seed"):
            if tenant.plan and not tenant.plan.allows_module(module.key):
                continue
            module_enable(key=module.key)
            seed(contact=contact, owner=owner)

    def _demo_stripe(self, owner) -> None:
        """In development, with a local Stripe stand-in (``STRIPE_API_BASE`` on the loopback, as
        ``make run`` starts ``deploy/dev/fake_stripe.py``), the demo office's Stripe is connected:
        its account is created and its onboarding finished on the stand-in's page."""
        from urllib.parse import urlsplit

        from ...payments import services as payments

        host = urlsplit(settings.STRIPE_API_BASE).hostname or ""
        if not settings.STRIPE_SECRET_KEY or host not in ("127.0.0.1", "localhost", "::1"):
            return
        connection = payments.connection_get()
        if connection.status == connection.Status.ACTIVE:
            return
        try:
            link = payments.connect_start(
                email=owner.email,
                return_url=f"{settings.STRIPE_API_BASE}/",
                refresh_url=f"{settings.STRIPE_API_BASE}/",
            )
            request = urllib.request.Request(link, data=b"", method="POST")  # noqa: S310 (the loopback)
            try:  # "Finish setup", as the owner would on Stripe's page
                urllib.request.build_opener(_NoRedirect).open(request, timeout=10)
            except urllib.error.HTTPError as exc:
                if exc.code != 303:
                    raise
            payments.account_refresh()
        except Exception as exc:  # the stand-in is not running: the office connects by hand
            self.stderr.write(f"the demo office's Stripe is not connected ({exc})")
            return
        self.stderr.write("connected the demo office to the local Stripe stand-in")

    def _demo_api_key(self, tenant) -> str:
        """A stable key for the demo office (derived from SECRET_KEY, so every run prints the same)."""
        digest = hmac.new(settings.SECRET_KEY.encode(), b"portico-demo-api-key", hashlib.sha256).hexdigest()
        secret = f"pk_demo.{digest}"
        ApiKey.objects.update_or_create(
            prefix="pk_demo",
            defaults={
                "tenant": tenant,
                "name": "Demo key",
                "key_hash": token_hash(secret, purpose=API_KEY),
                "scopes": ["read", "write"],
                "revoked_at": None,
                "expires_at": None,
            },
        )
        return secret
