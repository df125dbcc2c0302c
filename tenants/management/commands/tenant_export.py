from django.core.management.base import BaseCommand, CommandError

from tenants.models import Tenant
from tenants.services import tenant_export


class Command(BaseCommand):
    help = "Export offices' schemas (pg_dump, gzip) to PORTICO_EXPORT_DIR; prints each file's path."

    def add_arguments(self, parser):
        parser.add_argument("slugs", nargs="*", help="the offices' subdomains")
        parser.add_argument("--all", action="store_true", help="every active and suspended office")

    def handle(self, *args, **options):
        offices = Tenant.objects.filter(status__in=[Tenant.Status.ACTIVE, Tenant.Status.SUSPENDED])
        if options["all"]:
            chosen = list(offices.order_by("slug"))
        elif options["slugs"]:
            chosen = list(offices.filter(slug__in=options["slugs"]).order_by("slug"))
            unknown = set(options["slugs"]) - {office.slug for office in chosen}
            if unknown:
                raise CommandError(f"No such office: {', '.join(sorted(unknown))}")
        else:
            raise CommandError("Name the offices to export (their subdomains), or pass --all.")
        for office in chosen:
            self.stdout.write(str(tenant_export(tenant=office)))
