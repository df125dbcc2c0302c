"""The client portal and every client email in the ten languages: complete catalogues, compiled
without GNU gettext, and actually used for pages and emails."""

import importlib.util
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.utils import translation
from django_tenants.utils import schema_context

ROOT = Path(__file__).resolve().parents[2]
CLIENT_LANGUAGES = ["nl", "de", "fr", "es", "pt", "it", "pl", "sv", "no"]


def _translations_tool():
    """deploy/dev/translations.py, loaded from its path (deploy/ is not a package)."""
    spec = importlib.util.spec_from_file_location("portico_translations", ROOT / "deploy/dev/translations.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def compiled_catalogues():
    """Compile every catalogue as `make install` does, then forget any catalogue already loaded."""
    from django.utils.translation import trans_real

    call_command("compile_translations", verbosity=0)
    trans_real._translations = {}
    trans_real._default = None
    trans_real.translation_catalog_exists.cache_clear()


def test_it_has_a_catalogue_for_every_client_language():
    from django.conf import settings

    assert sorted(code for code, _ in settings.LANGUAGES if code != "en") == sorted(CLIENT_LANGUAGES)
    for language in CLIENT_LANGUAGES:
        assert (ROOT / "locale" / language / "LC_MESSAGES" / "django.po").exists(), language


def test_it_finds_every_catalogue_complete_and_placeholder_consistent():
    problems = _translations_tool().check_catalogues(ROOT / "locale")
    assert problems == [], "\n".join(problems)


def test_it_flags_a_missing_fuzzy_or_mismatched_translation(tmp_path):
    catalogue = tmp_path / "nl" / "LC_MESSAGES" / "django.po"
    catalogue.parent.mkdir(parents=True)
    catalogue.write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
        '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n\n'
        'msgid "Sign in"\nmsgstr ""\n\n'
        '#, fuzzy\nmsgid "Sign out"\nmsgstr "Uitloggen"\n\n'
        '#, python-format\nmsgid "Hello, %(name)s"\nmsgstr "Hallo, %(naam)s"\n\n'
        'msgid "Open: {{ portal_link }}"\nmsgstr "Openen: {{ portaal_link }}"\n\n'
        '#, python-format\nmsgid "%(count)d day"\nmsgid_plural "%(count)d days"\n'
        'msgstr[0] "%(count)d dag"\nmsgstr[1] ""\n\n'
        'msgid "A special character, such as ! ? # or %"\nmsgstr "Een speciaal teken, zoals ! ? # of %"\n',
        encoding="utf-8",
    )
    problems = "\n".join(_translations_tool().check_catalogue(catalogue))
    assert "'Sign in': no translation" in problems
    assert "'Sign out': fuzzy" in problems
    assert "%(naam)s" in problems
    assert "portaal_link" in problems
    assert "'%(count)d day': a plural form has no translation" in problems
    assert "special character" not in problems  # a lone % outside python-format is text
    assert len(problems.splitlines()) == 5


@pytest.mark.parametrize("language", CLIENT_LANGUAGES)
def test_it_translates_with_the_compiled_catalogues(compiled_catalogues, language):
    with translation.override(language):
        assert translation.get_language() == language
        signed_in = translation.gettext("Sign in")
        days = translation.ngettext("%(count)d day", "%(count)d days", 5) % {"count": 5}
    assert signed_in and signed_in != "Sign in"
    assert days.startswith("5 ") and days != "5 days"


def test_it_gives_norwegian_clients_djangos_own_strings_too(compiled_catalogues):
    """Django names Norwegian "nb", we name it "no": its form errors must not stay English."""
    with translation.override("no"):
        assert translation.gettext("This field is required.") not in ("", "This field is required.")
        assert translation.gettext("Sign in") == "Logg inn"  # ours, not Django's


def test_it_uses_three_plural_forms_in_polish(compiled_catalogues):
    with translation.override("pl"):
        forms = [
            translation.ngettext("%(count)d minute", "%(count)d minutes", n) % {"count": n}
            for n in (1, 3, 5, 22, 25)
        ]
    assert forms == ["1 minuta", "3 minuty", "5 minut", "22 minuty", "25 minut"]


def test_it_emails_a_dutch_client_in_dutch_with_the_link(compiled_catalogues, office_a):
    from portal_core.access import magic_link_send

    _, account = office_a.portal_client(email="sanne@example.com", first_name="Sanne", language="nl")
    mail.outbox.clear()
    with schema_context(office_a.schema_name):
        link = magic_link_send(account=account)
    connection.set_schema_to_public()
    [email] = mail.outbox
    office = office_a.tenant.name
    assert email.to == ["sanne@example.com"]
    assert email.subject == f"Je inloglink voor {office}"
    assert email.body.startswith("Hallo Sanne,")
    assert f"Gebruik deze link om in te loggen op je portaal: {link}" in email.body
    assert "15 minuten geldig" in email.body and "{{" not in email.body
    html, mimetype = email.alternatives[0]
    assert mimetype == "text/html"
    assert link in html and "Open je portaal" in html and "Hallo Sanne," in html


def test_it_shows_a_german_client_the_portal_in_german(compiled_catalogues, office_a):
    browser, _ = office_a.portal_client(email="jonas@example.com", first_name="Jonas", language="de")
    page = browser.get("/").content.decode()
    assert '<html lang="de"' in page
    for german in ("Startseite", "Profil", "Abmelden", "Hallo Jonas"):
        assert german in page, german
    for english in (">Home<", ">Sign out<", "Hello, Jonas"):
        assert english not in page, english


def test_the_check_finds_no_string_of_the_source_missing_from_a_catalogue():
    assert _translations_tool().check_extracted() == []


def test_the_check_fails_on_a_new_portal_string_nobody_translated(tmp_path):
    tool = _translations_tool()
    template = tmp_path / "portal_core" / "templates" / "portal" / "new.html"
    template.parent.mkdir(parents=True)
    template.write_text('{% load i18n %}<p>{% trans "A sentence no catalogue has yet" %}</p>')
    (tmp_path / "portal_core" / "views.py").write_text(
        'from django.utils.translation import gettext as _\n_("Another new sentence")\n'
    )
    locale = tmp_path / "locale" / "nl" / "LC_MESSAGES"
    locale.mkdir(parents=True)
    (locale / "django.po").write_text('msgid ""\nmsgstr ""\n"Language: nl\\n"\n')
    problems = tool.check_extracted(locale_dir=tmp_path / "locale", root=tmp_path)
    assert len(problems) == 2
    assert (
        "A sentence no catalogue has yet" in problems[1] or "A sentence no catalogue has yet" in problems[0]
    )
    assert any("Another new sentence" in p and "views.py:2" in p for p in problems)
