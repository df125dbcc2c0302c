"""``manage.py startmodule <key>``: a working module under ``modules/<key>/``, built on the core's kit.

The skeleton has an AppConfig with the module's metadata, one example model (an entry shared with
a client) with its migration, the office's pages (list, create) and the client's (their own
entries), an API list endpoint on the resource kit, navigation, a webhook event and a test file
(pages, isolation, the API kit's suite, the module switched off). It is the README's "Adding a
module", done for you; change it from there.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError
from django.core.management.templates import TemplateCommand

from modules.registry import KEY_RE, registry

TEMPLATE_DIR = Path(__file__).resolve().parents[2] / "module_template"


class Command(TemplateCommand):
    help = "Create a module skeleton under modules/<key>/ that works as soon as it is installed."
    missing_args_message = "Give the module's key, e.g. `manage.py startmodule tasks`."

    def add_arguments(self, parser):
        parser.add_argument("key", help="the module's key: lower-case letters, digits and _, e.g. tasks")
        parser.add_argument("--name", help="its name as offices and clients see it (default: from the key)")
        parser.add_argument("--description", default="", help="one sentence about what it does")
        parser.add_argument(
            "--directory", help="where to create it (default: modules/<key> in the project)", default=None
        )

    def handle(self, *args, key: str, name: str | None, description: str, directory: str | None, **options):
        if not KEY_RE.match(key):
            raise CommandError(
                f"{key!r} is not a module key: use 2 to 40 lower-case letters, digits and _, "
                "starting with a letter (e.g. tasks)."
            )
        if key in registry:
            raise CommandError(f"A module with the key {key!r} is installed already.")
        target = Path(directory) if directory else Path(settings.BASE_DIR) / "modules" / key
        if target.exists():
            raise CommandError(f"{target} exists already: choose another key or remove it.")
        verbose_name = (name or key.replace("_", " ").capitalize()).strip()
        target.mkdir(parents=True)
        try:
            super().handle(
                "app",
                key,
                str(target),
                template=str(TEMPLATE_DIR),
                extensions=["py"],
                files=[],
                verbosity=options.get("verbosity", 1),
                verbose_name=verbose_name.replace('"', "'"),
                description=(description or f"{verbose_name} for an office's clients.").replace('"', "'"),
                url_prefix=key.replace("_", "-"),
            )
        except BaseException:
            _remove_tree(target)
            raise
        self.stdout.write(
            f"Created the module {verbose_name!r} in {target}.\n"
            "Next: add it to TENANT_APPS in platform/config/settings/base.py "
            f'("modules.{key}"), or set PORTICO_EXTRA_MODULES=modules.{key}, or install it as a package '
            "declaring the `portico.modules` entry point; then `python manage.py migrate_schemas` and "
            f"`make test` (its own tests: `pytest modules/{key}`). The office switches it on under Modules."
        )


def _remove_tree(path: Path) -> None:
    """Undo a half-made skeleton, so that a failed run leaves nothing behind."""
    for child in sorted(path.rglob("*"), key=lambda p: len(p.parts), reverse=True):
        child.rmdir() if child.is_dir() else child.unlink()
    path.rmdir()
