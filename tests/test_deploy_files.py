"""The deployment's files, read as Docker and Compose read them (this machine has no Docker; the same
process layout runs for real in ``tests/browser/test_production_stack.py``)."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

DEPLOY = Path(__file__).resolve().parents[1] / "deploy"
ROOT = DEPLOY.parent


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(instruction, arguments) pairs, continuation lines joined, comments dropped."""
    text = re.sub(r"\\\n", " ", (DEPLOY / "Dockerfile").read_text())
    rows = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            instruction, _, arguments = line.partition(" ")
            rows.append((instruction.upper(), arguments.strip()))
    return rows


def healthcheck_command() -> str:
    [arguments] = [args for name, args in dockerfile_instructions() if name == "HEALTHCHECK"]
    return arguments.split(" CMD ", 1)[1]


def test_the_image_runs_as_a_user_of_its_own_with_a_health_check_and_collected_static_files():
    rows = dockerfile_instructions()
    users = [args for name, args in rows if name == "USER"]
    assert users and users[-1] not in {"root", "0"}, "the image must not run as root"
    runs = " ".join(args for name, args in rows if name == "RUN")
    assert "collectstatic --noinput" in runs
    [command] = [args for name, args in rows if name == "CMD"]
    assert "gunicorn" in command and "deploy/gunicorn.conf.py" in command
    assert "/healthz" in healthcheck_command()
    # collected before the switch to the unprivileged user, so the files are read-only to it
    assert rows.index(next(r for r in rows if "collectstatic" in r[1])) < rows.index(("USER", users[-1]))
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".git", ".venv", ".data", ".env", "node_modules"} <= set(ignored)


def test_compose_starts_the_whole_product_in_order():
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    services = compose["services"]
    assert set(services) == {"db", "redis", "migrate", "web", "worker", "caddy"}
    for name in ("migrate", "web", "worker"):
        assert services[name]["build"]["dockerfile"] == "deploy/Dockerfile"
        assert services[name]["environment"]["DATABASE_URL"].endswith("@db:5432/portico")
    for name in ("web", "worker"):
        assert services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert services["migrate"]["depends_on"]["db"]["condition"] == "service_healthy"
    assert "migrate_platform" in services["migrate"]["command"]
    assert services["worker"]["command"] == "python manage.py qcluster"
    assert services["worker"]["healthcheck"] == {"disable": True}  # no web port to ask
    caddy = services["caddy"]
    assert {"80:80", "443:443"} <= set(caddy["ports"])
    assert "./Caddyfile:/etc/caddy/Caddyfile:ro" in caddy["volumes"]
    assert caddy["depends_on"]["web"]["condition"] == "service_healthy"
    assert {"pg", "media", "caddy"} <= set(compose["volumes"])


def test_caddy_accepts_the_deployments_caddyfile(in_ci):
    caddy = shutil.which("caddy")
    if caddy is None:
        message = "Caddy is not installed; `make install-system` installs Debian's package."
        pytest.fail(message) if in_ci else pytest.skip(message)
    result = subprocess.run(  # noqa: S603 - a fixed command line
        [caddy, "adapt", "--config", str(DEPLOY / "Caddyfile"), "--adapter", "caddyfile"],
        env={"PATH": "/usr/bin:/bin", "PORTICO_UPSTREAM": "web:8000", "HOME": "/tmp"},  # noqa: S108
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert '"on_demand":true' in result.stdout.replace(" ", "") or '"on_demand"' in result.stdout
    assert "web:8000/internal/tls-ask" in result.stdout


def test_the_health_check_command_is_a_shell_command_docker_can_run():
    words = shlex.split(healthcheck_command())
    assert words[0] == "python" and words[1] == "-c"
    compile(words[2], "HEALTHCHECK", "exec")
