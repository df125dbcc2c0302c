"""Migrate the platform for a deploy: the public schema, then every schema not yet at the code's
migrations (offices, the template and the pooled schemas), several at once.

Schemas whose recorded fingerprint (``tenants.migration_state``) already matches the code are
skipped without being connected to, so a deploy without a new migration takes seconds whatever the
number of offices. The others are migrated by a pool of ``--jobs`` processes. A schema that fails
stops nothing else; it is named with its office in the summary, the command exits non-zero, and a
run again takes up what is left (each schema is recorded as soon as it is done).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import sys
import time
import traceback

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, connections

from tenants.migration_state import PUBLIC, recorded_states, target_fingerprint
from tenants.models import SchemaMigrationState, Tenant
from tenants.schema_script import template_script
from tenants.services import base_schema_ensure


def _migrate_options() -> dict:
    """Every option Django's ``migrate`` expects, at its defaults, quiet and without prompts."""
    from django.core.management.commands.migrate import Command as Migrate

    options = vars(Migrate().create_parser("manage.py", "migrate").parse_args([]))
    options.update(verbosity=0, interactive=False, skip_checks=True)
    return options


def _migrate_one(schema_name: str) -> tuple[str, str | None, float]:
    """In a worker process: migrate one schema. Returns (schema, error or None, seconds)."""
    from django_tenants.migration_executors.base import run_migrations

    started = time.monotonic()
    try:
        run_migrations((), _migrate_options(), "platform", schema_name, allow_atomic=False)
    except Exception as exc:  # noqa: BLE001 - reported with the office's name; the others go on
        connections.close_all()
        last = traceback.format_exception_only(exc)[-1].strip()
        return schema_name, last, time.monotonic() - started
    return schema_name, None, time.monotonic() - started


def _worker_init() -> None:
    connections.close_all()  # never share the parent's socket


class Progress:
    """One line on stderr: rewritten in place on a terminal, a line per tenth otherwise."""

    def __init__(self, total: int, stream=sys.stderr):
        self.total = total
        self.stream = stream
        self.tty = stream.isatty()
        self.reported = -1

    def update(self, done: int, failed: int) -> None:
        if not self.total:
            return
        finished = done + failed
        width = 30
        filled = width * finished // self.total
        line = (
            f"[{'#' * filled}{'.' * (width - filled)}] {finished}/{self.total} "
            f"({100 * finished // self.total}%) · {failed} failed"
        )
        if self.tty:
            self.stream.write("\r" + line)
            if finished == self.total:
                self.stream.write("\n")
        else:
            tenth = 10 * finished // self.total
            if tenth == self.reported:
                return
            self.reported = tenth
            self.stream.write(line + "\n")
        self.stream.flush()


class Command(BaseCommand):
    help = (
        "Migrate the public schema, then, in parallel, every schema (offices, template, pool) whose "
        "recorded migrations differ from the code's; the others are skipped without connecting."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--jobs",
            type=int,
            default=None,
            help="Schemas migrated at once (default PORTICO_MIGRATE_JOBS, else the number of CPUs).",
        )
        parser.add_argument(
            "--all", action="store_true", help="Visit every schema, whatever its recorded state."
        )

    def handle(self, *args, jobs=None, **options):
        verbosity = options["verbosity"]
        started = time.monotonic()
        call_command("migrate_schemas", shared=True, interactive=False, verbosity=max(0, verbosity - 1))
        connection.set_schema_to_public()
        base_schema_ensure()  # created (and migrated) on a new database

        target = target_fingerprint()
        tenants = list(Tenant.objects.exclude(schema_name=PUBLIC).values_list("schema_name", "name", "slug"))
        names = {schema: name or slug or schema for schema, name, slug in tenants}
        recorded = {} if options["all"] else recorded_states()
        SchemaMigrationState.objects.exclude(schema_name__in=list(names)).delete()  # dropped schemas
        due = [schema for schema in names if recorded.get(schema) != target]
        skipped = len(names) - len(due)
        if verbosity:
            self.stdout.write(
                f"{len(names)} schemas: {skipped} already at the code's migrations, {len(due)} to migrate"
            )

        failures = self._run(due, jobs=jobs or settings.PORTICO_MIGRATE_JOBS or os.cpu_count() or 1)
        done = len(due) - len(failures)
        template_script()  # new pooled schemas are made from the template as it is now
        seconds = time.monotonic() - started
        if verbosity:
            self.stdout.write(
                f"Migrated {done}, skipped {skipped}, failed {len(failures)} in {seconds:.1f} s."
            )
        if failures:
            for schema, error in sorted(failures.items(), key=lambda item: names[item[0]]):
                self.stderr.write(f"  {names[schema]} ({schema}): {error}")
            raise CommandError(
                f"{len(failures)} schema(s) could not be migrated; the others are done. "
                "Fix the cause and run the command again: it takes up where this run stopped."
            )

    def _run(self, due: list[str], *, jobs: int) -> dict[str, str]:
        failures: dict[str, str] = {}
        if not due:
            return failures
        progress = Progress(len(due), stream=self.stderr._out)
        progress.update(0, 0)
        if jobs <= 1 or len(due) == 1:
            pool = contextlib.nullcontext()
            results = map(_migrate_one, due)
        else:
            connections.close_all()
            context = multiprocessing.get_context("fork")  # workers inherit the loaded apps and settings
            pool = context.Pool(processes=min(jobs, len(due)), initializer=_worker_init)
            results = pool.imap_unordered(_migrate_one, due)
        done = 0
        with pool:
            for schema, error, _ in results:
                if error:
                    failures[schema] = error
                else:
                    done += 1  # the worker recorded the schema's state (django-tenants' schema_migrated)
                progress.update(done, len(failures))
        return failures
