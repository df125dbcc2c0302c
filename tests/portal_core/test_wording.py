"""Wording every page and email shares: no possessive built by adding "'s" to a name, which reads
wrong for "Grachten Makelaars" and cannot be translated."""

import re
from pathlib import Path

from django.utils import translation

from portal_core.email_defaults import DEFAULTS

from .test_translations import compiled_catalogues  # noqa: F401 (the fixture)

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ["portal_core", "modules", "tenants", "webhooks", "platform"]
# A value put in by the template or the code, then "'s": {{ office.name }}'s, {name}'s, + "'s".
BUILT_POSSESSIVE = re.compile(r"(\}\}|\})'s\b|\+\s*[\"']'s")


def test_no_template_or_code_builds_a_possessive_from_a_name():
    found = []
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*"):
            if path.suffix not in {".html", ".txt", ".py"} or "migrations" in path.parts:
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if BUILT_POSSESSIVE.search(line):
                    found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert found == []


def test_no_catalogue_builds_a_possessive_from_a_name():
    found = []
    for catalogue in sorted((ROOT / "locale").glob("*/LC_MESSAGES/django.po")):
        for line in catalogue.read_text(encoding="utf-8").splitlines():
            if line.startswith("msgid") and BUILT_POSSESSIVE.search(line):
                found.append(f"{catalogue.parts[-3]}: {line}")
    assert found == []


def test_the_invitation_subject_names_the_office_without_a_possessive(compiled_catalogues):  # noqa: F811
    for kind in ("invitation", "invitation_temporary_password"):
        subject = str(DEFAULTS[kind][0])
        assert "'s" not in subject.replace("{{ office.name }}", "Grachten Makelaars"), subject
        with translation.override("nl"):
            dutch = str(DEFAULTS[kind][0])
        assert dutch == "Je bent uitgenodigd voor het klantenportaal van {{ office.name }}"


def test_dutch_speaks_to_the_client_as_je_throughout():
    """The Dutch portal and emails say "je"; a "u" among them reads as two different authors."""
    from babel.messages.pofile import read_po

    with (ROOT / "locale" / "nl" / "LC_MESSAGES" / "django.po").open("rb") as source:
        catalogue = read_po(source)
    formal = re.compile(r"\b(u|uw|U|Uw|alstublieft)\b")
    found = []
    for message in catalogue:
        for text in message.string if isinstance(message.string, tuple) else [message.string]:
            if message.id and text and formal.search(text.replace("{{ ", "").replace(" }}", "")):
                found.append(text)
    assert found == []
