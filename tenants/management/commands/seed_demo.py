import json

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand
from django_tenants.utils import schema_context

from tenants.models import Tenant
from tenants.services import tenant_provision

DEMO_SLUG = "demo"
OFFICE_EMAIL = "owner@demo.example"
OFFICE_PASSWORD = "Demo-office-2026!"  # noqa: S105 - public demo credentials


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
        with schema_context(tenant.schema_name):
            user = get_user_model().objects.get(email=OFFICE_EMAIL)
            if not user.check_password(OFFICE_PASSWORD) or not user.is_active:
                user.set_password(OFFICE_PASSWORD)
                user.is_active = True
                user.save()
        result = {
            "tenant": tenant.slug,
            "domain": f"{DEMO_SLUG}.{settings.PORTICO_BASE_DOMAIN}",
            "office": {"email": OFFICE_EMAIL, "password": OFFICE_PASSWORD},
            "client": None,
            "api_key": None,
            "portal_id": tenant.portal_id,
        }
        if options["json"]:
            self.stdout.write(json.dumps(result))
        else:
            self.stdout.write(
                f"Demo office: http://{result['domain']}/office/  {OFFICE_EMAIL} / {OFFICE_PASSWORD}"
            )
