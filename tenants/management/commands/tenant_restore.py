from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from tenants.models import Tenant
from tenants.services import tenant_restore


class Command(BaseCommand):
    help = (
        "Bring one office's data back to an export of it (tenant_export). Its current data is kept "
        "aside in a schema of another name, printed at the end; drop that schema once checked."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", help="the office's subdomain")
        parser.add_argument("export", type=Path, help="the .sql.gz file tenant_export wrote")
        parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    def handle(self, *args, slug, export, **options):
        office = Tenant.objects.filter(slug=slug).first()
        if office is None:
            raise CommandError(f"No such office: {slug}")
        if not export.is_file():
            raise CommandError(f"No such file: {export}")
        if not options["yes"]:
            answer = input(f"Replace the data of {office.name} with {export.name}? [y/N] ")
            if answer.strip().lower() not in {"y", "yes"}:
                raise CommandError("Nothing was changed.")
        try:
            aside = tenant_restore(tenant=office, export=export)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(
            f"Restored {office.name} from {export.name}. Its data before the restore is in the schema "
            f"{aside}: DROP SCHEMA {aside} CASCADE once checked."
        )
