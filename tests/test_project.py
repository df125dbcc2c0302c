import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_it_keeps_the_standard_library_platform_module_importable():
    out = subprocess.run(
        [sys.executable, "-c", "import platform, uuid; print(platform.system(), uuid.uuid4().version)"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.split() == ["Linux", "4"]
    assert not (ROOT / "platform" / "__init__.py").exists()


def test_it_passes_django_system_checks():
    out = subprocess.run(
        [sys.executable, "manage.py", "check", "--fail-level", "WARNING"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stderr
    assert "no issues" in out.stdout


def test_it_has_no_missing_migrations():
    out = subprocess.run(
        [sys.executable, "manage.py", "makemigrations", "--check", "--dry-run"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**__import__("os").environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"},
    )
    assert out.returncode == 0, out.stdout + out.stderr


def test_it_prints_the_seed_contract_as_the_last_line(db, settings):
    from io import StringIO

    from django.core.management import call_command

    first, second = StringIO(), StringIO()
    call_command("seed_demo", "--json", stdout=first)
    call_command("seed_demo", "--json", stdout=second)
    payload = json.loads(first.getvalue().strip().splitlines()[-1])
    assert json.loads(second.getvalue().strip().splitlines()[-1]) == payload
    assert set(payload) == {"tenant", "domain", "office", "client", "api_key", "portal_id"}
    assert payload["tenant"] == "demo"
    assert payload["domain"] == f"demo.{settings.PORTICO_BASE_DOMAIN}"
    assert payload["portal_id"]
