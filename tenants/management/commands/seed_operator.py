import json

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import connection

OPERATOR_EMAIL = "operator@portico.localhost"
OPERATOR_PASSWORD = "Operator-dev-2026!"  # noqa: S105 - public demo credentials


class Command(BaseCommand):
    help = "Create the development operator account of the platform admin (public schema)."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **options):
        connection.set_schema_to_public()
        user, _ = get_user_model().objects.get_or_create(
            username="operator", defaults={"email": OPERATOR_EMAIL, "is_staff": True, "is_superuser": True}
        )
        if not user.check_password(OPERATOR_PASSWORD):
            user.set_password(OPERATOR_PASSWORD)
            user.save()
        result = {"email": OPERATOR_EMAIL, "password": OPERATOR_PASSWORD}
        self.stdout.write(
            json.dumps(result) if options["json"] else f"{OPERATOR_EMAIL} / {OPERATOR_PASSWORD}"
        )
