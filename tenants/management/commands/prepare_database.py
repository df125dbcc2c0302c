from django.conf import settings
from django.core.management.base import BaseCommand

from config.database import ensure_database


class Command(BaseCommand):
    help = "Create the configured database if the server lacks it."

    def handle(self, *args, **options):
        db = settings.DATABASES["default"]
        from psycopg.conninfo import make_conninfo

        conninfo = make_conninfo(
            dbname=db["NAME"],
            user=db.get("USER") or None,
            password=db.get("PASSWORD") or None,
            host=db.get("HOST") or None,
            port=str(db["PORT"]) if db.get("PORT") else None,
        )
        ensure_database(conninfo)
        self.stdout.write(f"database {db['NAME']} is ready")
