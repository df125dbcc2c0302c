from django.core.management.base import BaseCommand

from tenants.services import pool_top_up


class Command(BaseCommand):
    help = "Create the template schema and fill the pool of ready schemas (PORTICO_POOL_SIZE)."

    def add_arguments(self, parser):
        parser.add_argument("--size", type=int, default=None)

    def handle(self, *args, size=None, **options):
        created = pool_top_up(size=size)
        self.stdout.write(f"pool: {created} schema(s) added")
