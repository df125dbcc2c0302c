"""The client portal's translation catalogues (locale/<lang>/LC_MESSAGES/django.po).

    .venv/bin/python deploy/dev/translations.py update   # extract new strings, keep every translation
    .venv/bin/python deploy/dev/translations.py check    # exit 1, listing them, on any gap or mismatch

``update`` runs Django's makemessages (GNU gettext needed: ``apt-get install gettext``) for the
nine client languages, then puts each catalogue's header right (its language and plural rule).
Strings marked with ``gettext_noop`` under the short name ``N_`` are extracted too.

``check`` needs no gettext: it reads every catalogue with babel and reports each message that
has no translation (a plural form included), is fuzzy, or whose placeholders differ from the
English: python-format ``%(name)s`` / ``%(count)d`` and the email ``{{ token }}`` tokens.
Compiling to .mo is ``manage.py compile_translations`` (babel too).
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LOCALE_DIR = ROOT / "locale"
IGNORE = [".venv", "tests", "bench", ".data"]

# The client languages besides English (the source), with each one's name and plural rule.
LANGUAGES = {
    "nl": ("Dutch", "nplurals=2; plural=(n != 1);"),
    "de": ("German", "nplurals=2; plural=(n != 1);"),
    "fr": ("French", "nplurals=2; plural=(n > 1);"),
    "es": ("Spanish", "nplurals=2; plural=(n != 1);"),
    "pt": ("Portuguese", "nplurals=2; plural=(n != 1);"),
    "it": ("Italian", "nplurals=2; plural=(n != 1);"),
    "pl": (
        "Polish",
        "nplurals=3; plural=(n==1 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);",
    ),
    "sv": ("Swedish", "nplurals=2; plural=(n != 1);"),
    "no": ("Norwegian Bokmål", "nplurals=2; plural=(n != 1);"),
}

PYTHON_FORMAT = re.compile(
    r"%(?:\((?P<name>[^)]*)\))?[#0 +-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?(?P<type>[diouxXeEfFgGcrsa%])"
)
TOKEN = re.compile(r"{{\s*([^{}]*?)\s*}}")


def po_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / "django.po"


# --- update ---------------------------------------------------------------------------------------


def _header_fixed(text: str, language: str) -> str:
    """The catalogue with a real header: not fuzzy, its language, its plural rule, its name."""
    name, plural_forms = LANGUAGES[language]
    match = re.search(r'^msgid ""\nmsgstr ""\n((?:".*"\n)*)', text, re.M)
    if match is None:
        return text
    comments = text[: match.start()]
    comments = "".join(
        line for line in comments.splitlines(keepends=True) if line.strip() not in {"#, fuzzy", "#,fuzzy"}
    )
    if comments.startswith("# SOME DESCRIPTIVE TITLE."):
        comments = f"# Portico client portal: {name} translation.\n#\n"
    raw = "".join(line.strip()[1:-1] for line in match.group(1).splitlines())
    dropped = {"Generated-By"}  # babel's mark, when a tool rewrote the catalogue with it
    fields = [field for field in raw.split("\\n") if field and field.split(":", 1)[0].strip() not in dropped]
    wanted = {
        "Project-Id-Version": "Portico",
        "Last-Translator": "Portico",
        "Language-Team": name,
        "Language": language,
        "Plural-Forms": plural_forms,
    }
    out, seen = [], set()
    for field in fields:
        key = field.split(":", 1)[0].strip()
        if key in wanted:
            field = f"{key}: {wanted[key]}"
            seen.add(key)
        out.append(field)
    out += [f"{key}: {value}" for key, value in wanted.items() if key not in seen]
    header = 'msgid ""\nmsgstr ""\n' + "".join(f'"{field}\\n"\n' for field in out)
    return comments + header + text[match.end() :]


def fix_headers() -> None:
    for language in LANGUAGES:
        path = po_path(language)
        if path.exists():
            text = path.read_text(encoding="utf-8")
            fixed = _header_fixed(text, language)
            if fixed != text:
                path.write_text(fixed, encoding="utf-8")


def update() -> int:
    sys.path[:0] = [str(ROOT), str(ROOT / "platform")]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    os.chdir(ROOT)
    import django
    from django.core.management import call_command
    from django.core.management.commands import makemessages

    class MakeMessages(makemessages.Command):
        xgettext_options = [*makemessages.Command.xgettext_options, "--keyword=N_"]

    django.setup()
    fix_headers()  # before: msgmerge gives new plural entries as many forms as the header says
    call_command(MakeMessages(), locale=list(LANGUAGES), ignore_patterns=list(IGNORE), verbosity=0)
    fix_headers()  # after: a new catalogue starts from the template's header
    problems = check_catalogues()
    print(f"Updated {len(LANGUAGES)} catalogues; {len(problems)} message(s) need a translator.")
    return 0


# --- check ----------------------------------------------------------------------------------------


def _python_placeholders(text: str) -> tuple[list[str], list[str]]:
    """(sorted named ``%(x)s`` placeholders, positional conversion types in order); ``%%`` ignored."""
    named, positional = [], []
    for match in PYTHON_FORMAT.finditer(text):
        if match.group("type") == "%":
            continue
        if match.group("name") is not None:
            named.append(f"%({match.group('name')}){match.group('type')}")
        else:
            positional.append(match.group("type"))
    return sorted(set(named)), positional


def _tokens(text: str) -> list[str]:
    return sorted({name for name in TOKEN.findall(text)})


def _message_problems(message, num_plurals: int) -> list[str]:
    ids = list(message.id) if isinstance(message.id, (list, tuple)) else [message.id]
    strings = list(message.string) if isinstance(message.string, (list, tuple)) else [message.string]
    problems = []
    if message.fuzzy:
        problems.append("fuzzy")
    if message.pluralizable and len(strings) != num_plurals:
        problems.append(f"{len(strings)} plural form(s), the header says {num_plurals}")
    if not strings or any(not s for s in strings):
        problems.append("no translation" if not any(strings) else "a plural form has no translation")
        return problems
    python_format = "python-format" in message.flags or any(_python_placeholders(i)[0] for i in ids)
    english_tokens = _tokens(ids[-1])
    english_format = _python_placeholders(ids[-1])
    for index, string in enumerate(strings):
        where = f"msgstr[{index}]" if message.pluralizable else "msgstr"
        if _tokens(string) != english_tokens:
            problems.append(f"{where} has tokens {_tokens(string)}, the English {english_tokens}")
        if python_format and _python_placeholders(string) != english_format:
            problems.append(
                f"{where} has placeholders {_python_placeholders(string)}, the English {english_format}"
            )
    return problems


def check_catalogue(path: Path) -> list[str]:
    """Every problem in one .po file, one line each (empty when the catalogue is complete)."""
    from babel.messages.pofile import read_po

    with open(path, "rb") as handle:
        catalog = read_po(handle)
    problems = []
    if catalog.fuzzy:
        problems.append(f"{path}: the header is fuzzy")
    for message in catalog:
        if not message.id:
            continue
        for problem in _message_problems(message, catalog.num_plurals):
            msgid = message.id[0] if isinstance(message.id, (list, tuple)) else message.id
            short = msgid if len(msgid) <= 70 else msgid[:67] + "..."
            line = f":{message.lineno}" if message.lineno else ""
            problems.append(f"{path}{line}: {short!r}: {problem}")
    return problems


def check_catalogues(locale_dir: Path = LOCALE_DIR) -> list[str]:
    """Problems in every catalogue under ``locale_dir``, and each client language without one."""
    problems = []
    for language in LANGUAGES:
        path = locale_dir / language / "LC_MESSAGES" / "django.po"
        if not path.exists():
            problems.append(f"{path}: missing (run: translations.py update)")
    for path in sorted(locale_dir.glob("*/LC_MESSAGES/django.po")):
        problems.extend(check_catalogue(path))
    return problems


KEYWORDS = {
    "_": None,
    "N_": None,
    "gettext": None,
    "gettext_lazy": None,
    "gettext_noop": None,
    "ngettext": (1, 2),
    "ngettext_lazy": (1, 2),
    "pgettext": ((1, "c"), 2),
    "pgettext_lazy": ((1, "c"), 2),
}


TEMPLATE_CALL = re.compile(r"\b(?:n?p?gettext)\((?:\s*u?'(?:[^'\\]|\\.)*'\s*,?)+(?:\s*\w+\s*)?\)")


def source_messages(root: Path = ROOT) -> dict[str, str]:
    """Every string the source marks for translation (Python files and Django templates, as
    makemessages finds them, read with Babel's extractor: no gettext needed) → where it is."""
    import io

    from babel.messages.extract import extract_python

    sys.path[:0] = [str(ROOT), str(ROOT / "platform")]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    from django.utils.translation.template import templatize

    found: dict[str, str] = {}
    skip = {*IGNORE, "node_modules", "migrations", "locale", "deploy"}
    for path in sorted(root.rglob("*")):
        if path.suffix not in (".py", ".html", ".txt") or skip & set(path.relative_to(root).parts):
            continue
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".txt" and "templates" not in path.parts:
            continue
        if path.suffix != ".py":
            if "{%" not in text and "{{" not in text:
                continue
            # templatize turns the template into gettext calls amid filler; keep just the calls.
            text = "\n".join(TEMPLATE_CALL.findall(templatize(text, origin=str(path))))
        for lineno, func, messages, _comments in extract_python(
            io.BytesIO(text.encode("utf-8")), KEYWORDS, [], {}
        ):
            args = messages if isinstance(messages, tuple) else (messages,)
            message = args[1] if func.startswith(("pgettext", "npgettext")) and len(args) > 1 else args[0]
            if message:
                found.setdefault(message, f"{path.relative_to(root)}:{lineno}")
    return found


def check_extracted(locale_dir: Path = LOCALE_DIR, root: Path = ROOT) -> list[str]:
    """Strings marked in the source that a catalogue lacks (a new portal or email string nobody has
    translated yet: run ``update``, then translate)."""
    from babel.messages.pofile import read_po

    wanted = source_messages(root)
    problems = []
    for path in sorted(locale_dir.glob("*/LC_MESSAGES/django.po")):
        with open(path, "rb") as handle:
            catalog = read_po(handle)
        known = {m.id[0] if isinstance(m.id, (list, tuple)) else m.id for m in catalog if m.id}
        for message, where in wanted.items():
            if message not in known:
                short = message if len(message) <= 70 else message[:67] + "..."
                problems.append(f"{path}: {short!r} ({where}): not in the catalogue (run update)")
    return problems


def check() -> int:
    problems = check_catalogues() + check_extracted()
    for problem in problems:
        print(problem)
    catalogues = len(list(LOCALE_DIR.glob("*/LC_MESSAGES/django.po")))
    if problems:
        print(f"{len(problems)} problem(s) in {catalogues} catalogue(s).", file=sys.stderr)
        return 1
    print(f"All {catalogues} catalogues are complete and consistent.")
    return 0


def main(argv: list[str]) -> int:
    commands = {"update": update, "check": check}
    if len(argv) != 1 or argv[0] not in commands:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    return commands[argv[0]]()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
