"""``manage.py startmodule``: the skeleton it writes is a working module. The last test generates one
into ``modules/``, installs it through ``PORTICO_EXTRA_MODULES`` (no other file changed) and runs its
own tests, the API kit's isolation suite among them, in a fresh database."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

ROOT = Path(settings.BASE_DIR)


def test_it_refuses_a_bad_key_an_installed_key_and_an_existing_folder(tmp_path):
    with pytest.raises(CommandError, match="not a module key"):
        call_command("startmodule", "Bad-Key", directory=str(tmp_path / "x"))
    with pytest.raises(CommandError, match="installed already"):
        call_command("startmodule", "real_estate", directory=str(tmp_path / "y"))
    (tmp_path / "taken").mkdir()
    with pytest.raises(CommandError, match="exists already"):
        call_command("startmodule", "taken", directory=str(tmp_path / "taken"))
    assert not (tmp_path / "x").exists() and not (tmp_path / "y").exists()


def test_it_writes_every_part_with_the_key_and_name_filled_in(tmp_path, capsys):
    target = tmp_path / "field_visits"
    call_command("startmodule", "field_visits", name="Field visits", directory=str(target))
    written = {str(p.relative_to(target)) for p in target.rglob("*") if p.is_file()}
    for part in (
        "apps.py",
        "models.py",
        "migrations/0001_initial.py",
        "urls.py",
        "views.py",
        "api/urls.py",
        "api/views.py",
        "navigation.py",
        "events.py",
        "tests/test_field_visits.py",
        "templates/field_visits/office/list.html",
        "templates/field_visits/portal/list.html",
    ):
        assert part in written, part
    apps_py = (target / "apps.py").read_text()
    assert 'key = "field_visits"' in apps_py and 'verbose_name = "Field visits"' in apps_py
    assert '"field_visits.entry_created"' in (target / "events.py").read_text()
    assert 'API = "/api/v1/field-visits/entries/"' in (target / "tests/test_field_visits.py").read_text()
    assert not any("{{" in (target / f).read_text() for f in written if f.endswith(".py"))
    assert "PORTICO_EXTRA_MODULES=modules.field_visits" in capsys.readouterr().out


def test_a_generated_module_passes_its_own_tests_once_installed():
    key = "kit_trial"
    target = ROOT / "modules" / key
    shutil.rmtree(target, ignore_errors=True)
    env = {**os.environ}
    database = env.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portico").rsplit("/", 1)[0]
    env.update(DATABASE_URL=f"{database}/portico_kit_trial")
    env.pop("PORTICO_EXTRA_MODULES", None)
    try:
        subprocess.run(
            [sys.executable, "manage.py", "startmodule", key, "--name", "Kit trial"],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
        env["PORTICO_EXTRA_MODULES"] = f"modules.{key}"
        lint = subprocess.run(
            [sys.executable, "-m", "ruff", "check", "--quiet", str(target)], cwd=ROOT, capture_output=True
        )
        assert lint.returncode == 0, lint.stdout.decode()
        run = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--create-db", f"modules/{key}"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            timeout=600,
        )
        output = run.stdout.decode()
        assert run.returncode == 0, output[-3000:]
        assert " passed" in output and "failed" not in output and "skipped" not in output, output[-500:]
    finally:
        shutil.rmtree(target, ignore_errors=True)
