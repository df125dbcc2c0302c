"""Portico as production runs it, as processes: gunicorn with the production settings and the
project's config, the worker (``qcluster``) and a real Caddy in front, on loopback ports of their own.

The web and worker processes use the test database and a Redis database of their own, and send email
to files (Django's file backend), which :meth:`ProductionStack.emails` reads back."""

from __future__ import annotations

import email
import email.policy
import os
import secrets
import signal
import subprocess
import sys
import time
from email.message import EmailMessage
from pathlib import Path

import httpx
from django.conf import settings
from django.db import connection

from tests.caddy_proxy import CaddyProxy, free_port

ROOT = Path(__file__).resolve().parents[1]
# A Redis database no test process uses (the suite's caches are on 13 and 14).
REDIS_DB = 11


def collect_static(static_root: Path) -> None:
    """What the image's build does: collect, hash and compress (gzip, brotli) the static files;
    stamped as ``make run`` stamps its own, so that it finds them current."""
    subprocess.run(  # noqa: S603 - a fixed command line
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT,
        env={**production_env(), "STATIC_ROOT": str(static_root)},
        check=True,
        timeout=240,
    )
    (static_root / ".sources").write_text(run_script().static_sources_fingerprint())


def run_script():
    """``deploy/dev/run.py`` (what ``make run`` runs) as a module."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("portico_run", ROOT / "deploy" / "dev" / "run.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def production_env(**extra: str) -> dict[str, str]:
    database = connection.settings_dict
    url = f"postgres://{database['USER'] or 'postgres'}@{database['HOST'] or '127.0.0.1'}:"
    url += f"{database['PORT'] or 5432}/{database['NAME']}"
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "PORTICO_", "STRIPE_", "SENTRY_", "EMAIL_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.prod",
        SECRET_KEY=secrets.token_urlsafe(50),
        DATABASE_URL=url,
        REDIS_URL=f"{settings.TEST_REDIS_URL}/{REDIS_DB}",
        PORTICO_BASE_DOMAIN=settings.PORTICO_BASE_DOMAIN,
        PORTICO_POOL_SIZE="0",
        WEB_CONCURRENCY="2",
        PORTICO_QUEUE_WORKERS="1",
        PORTICO_TRUSTED_PROXIES="1",  # Caddy
    )
    env.update(extra)
    return env


class ProductionStack:
    def __init__(self, static_root: Path, mail_dir: Path) -> None:
        self.web_port = free_port()
        self.mail_dir = mail_dir
        self.env = production_env(
            STATIC_ROOT=str(static_root),
            EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
            EMAIL_FILE_PATH=str(mail_dir),
        )
        self.logs = mail_dir.parent / "stack-logs"
        self.logs.mkdir(exist_ok=True)
        self.processes: dict[str, subprocess.Popen] = {}
        # Its ports are chosen now, so that the web knows which one clients reach it on.
        self.caddy = CaddyProxy(f"127.0.0.1:{self.web_port}")
        self.env["PORTICO_PUBLIC_PORT"] = str(self.caddy.https_port)

    # --- processes -------------------------------------------------------------------------------

    def _start(self, name: str, command: list[str]) -> None:
        log = open(self.logs / f"{name}.log", "wb")  # noqa: SIM115 - the child writes it
        self.processes[name] = subprocess.Popen(  # noqa: S603 - fixed command lines
            command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def start(self) -> ProductionStack:
        import redis

        redis.Redis.from_url(self.env["REDIS_URL"]).flushdb()
        self._start(
            "web",
            [
                sys.executable, "-m", "gunicorn", "--config", "deploy/gunicorn.conf.py",
                "--bind", f"127.0.0.1:{self.web_port}", "config.wsgi:application",
            ],
        )  # fmt: skip
        self._start("worker", [sys.executable, "manage.py", "qcluster"])
        self.wait_for_web()
        self.caddy.start()
        return self

    def wait_for_web(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for name, process in self.processes.items():
                if process.poll() is not None:
                    raise RuntimeError(f"{name} stopped at start:\n{self.output(name)}")
            try:
                if httpx.get(f"http://127.0.0.1:{self.web_port}/healthz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer within {timeout}s:\n{self.output('web')}")

    def output(self, name: str) -> str:
        path = self.logs / f"{name}.log"
        return path.read_text(errors="replace")[-6000:] if path.exists() else ""

    def stop(self) -> None:
        self.caddy.stop()
        for process in self.processes.values():
            if process.poll() is None:
                os.kill(process.pid, signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()

    # --- what a person sees -----------------------------------------------------------------------

    @property
    def https_port(self) -> int:
        return self.caddy.https_port

    def url(self, host: str, path: str = "/") -> str:
        return f"https://{host}:{self.https_port}{path}"

    def emails(self) -> list[EmailMessage]:
        """Every message the web and worker processes sent, oldest first."""
        messages = []
        for path in sorted(self.mail_dir.glob("*.log"), key=lambda p: p.stat().st_mtime_ns):
            for chunk in path.read_text().split("-" * 79 + "\n"):
                if chunk.strip():
                    messages.append(email.message_from_string(chunk, policy=email.policy.default))
        return messages

    def wait_for_email(self, to: str, subject_part: str, timeout: float = 30) -> EmailMessage:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for message in reversed(self.emails()):
                if to.lower() in message["To"].lower() and subject_part in message["Subject"]:
                    return message
            time.sleep(0.25)
        sent = [(m["To"], m["Subject"]) for m in self.emails()]
        raise AssertionError(
            f"no email to {to} about {subject_part!r}; sent: {sent}\n{self.output('worker')}"
        )


def text_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    return part.get_content() if part is not None else ""
