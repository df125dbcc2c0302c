"""Compile every locale/*/LC_MESSAGES/django.po to django.mo with babel: no GNU gettext needed,
so ``make install`` works on a machine without it. Fuzzy and untranslated messages are left out,
as msgfmt does.

Django ships no catalogue of its own for a few of our codes (Norwegian is "no" here, "nb" in
Django), so its own strings (form errors such as "This field is required.") would stay English.
For those, Django's catalogue of the closest language is compiled in too, under ours."""

from pathlib import Path

import django
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

DJANGO_LOCALE = Path(django.__file__).resolve().parent / "conf" / "locale"
# Our language code -> Django's catalogue for it, where Django names it differently.
DJANGO_EQUIVALENT = {"no": "nb"}


def _with_django_strings(catalog, language: str):
    """``catalog`` plus Django's own translations when Django has none under ``language``."""
    equivalent = DJANGO_EQUIVALENT.get(language)
    if equivalent is None or (DJANGO_LOCALE / language).exists():
        return catalog
    source = DJANGO_LOCALE / equivalent / "LC_MESSAGES" / "django.po"
    if not source.exists():
        return catalog
    with open(source, "rb") as handle:
        djangos = read_po(handle, domain="django")
    for message in djangos:
        if not message.id or message.fuzzy or not message.string:
            continue
        if message.pluralizable and len(message.string) != catalog.num_plurals:
            continue
        if catalog.get(message.id, context=message.context) is None:
            catalog[message.id] = message
    return catalog


class Command(BaseCommand):
    help = "Compile the translation catalogues (locale/*/LC_MESSAGES/django.po) to .mo files with babel."

    def handle(self, *args, **options):
        catalogues = sorted(
            po
            for locale_dir in settings.LOCALE_PATHS
            for po in Path(locale_dir).glob("*/LC_MESSAGES/django.po")
        )
        for po in catalogues:
            language = po.parent.parent.name
            try:
                with open(po, "rb") as source:
                    catalog = read_po(source, domain="django", abort_invalid=True)
            except Exception as exc:  # a broken catalogue must fail the install, clearly
                raise CommandError(f"{po}: {exc}") from exc
            catalog = _with_django_strings(catalog, language)
            mo = po.with_suffix(".mo")
            temporary = mo.with_name("django.partial.mo")  # gitignored like every .mo
            with open(temporary, "wb") as target:
                write_mo(target, catalog)
            temporary.replace(mo)
            if options["verbosity"] >= 2:
                self.stdout.write(f"{language}: {mo}")
        noun = "catalogue" if len(catalogues) == 1 else "catalogues"
        self.stdout.write(f"Compiled {len(catalogues)} translation {noun}.")
