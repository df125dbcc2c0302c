from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connection


class Command(BaseCommand):
    help = "Create the configured database if the server lacks it."

    def handle(self, *args, **options):
        name = settings.DATABASES["default"]["NAME"]
        # Django's own way in when the database may not exist yet: the server's maintenance
        # database, with the credentials of DATABASES["default"].
        with connection._nodb_cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cursor.fetchone() is None:
                cursor.execute(f"CREATE DATABASE {connection.ops.quote_name(name)}")
        self.stdout.write(f"database {name} is ready")
