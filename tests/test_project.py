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
    assert payload["client"] == {"email": "client@demo.example", "password": "Demo-client-2026!"}
    assert payload["api_key"].startswith("pk_demo.")


def test_it_seeds_a_demo_client_who_can_sign_in(db):
    from io import StringIO

    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    out = StringIO()
    call_command("seed_demo", "--json", stdout=out)
    payload = json.loads(out.getvalue().strip().splitlines()[-1])
    connection.set_schema_to_public()
    browser = Client(HTTP_HOST=payload["domain"])
    response = browser.post("/auth/signin", payload["client"])
    assert response.status_code == 302 and response["Location"] == "/"
    assert "Hello, Casey" in browser.get("/").content.decode()


def test_it_seeds_an_api_key_that_opens_the_api(db):
    from io import StringIO

    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    out = StringIO()
    call_command("seed_demo", "--json", stdout=out)
    payload = json.loads(out.getvalue().strip().splitlines()[-1])
    connection.set_schema_to_public()
    response = Client(HTTP_HOST=payload["domain"], HTTP_AUTHORIZATION=f"Bearer {payload['api_key']}").get(
        "/api/v1/client-portal/config"
    )
    assert response.status_code == 200 and response.json()["data"]["is_active"] is True
