"""A gunicorn server for a benchmark: master and sync workers in a session of their own, on a
free loopback port, stopped by the pid it was started with (never by name)."""

from __future__ import annotations

import contextlib
import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from benchkit import env as bench_env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(port: int, host: str, path: str, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request("GET", path, headers={**(headers or {}), "Host": host})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


class Server:
    def __init__(self, name: str, settings_module: str, workers: int, environ: dict, log_dir: Path):
        self.name = name
        self.port = free_port()
        self.log_path = log_dir / f"gunicorn-{name}.log"
        # The repository root first: a script in bench/ named like a package (bench/webhooks.py)
        # must not shadow it (webhooks/) in the workers.
        search = [str(p) for p in (bench_env.ROOT, bench_env.PLATFORM_DIR, bench_env.BENCH_DIR)]
        inherited = [p for p in environ.get("PYTHONPATH", "").split(os.pathsep) if p and p not in search]
        pythonpath = os.pathsep.join([*search, *inherited])
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "--workers",
            str(workers),
            "--worker-class",
            "sync",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--pythonpath",
            ",".join(search),
            "--no-control-socket",
            "--log-level",
            "warning",
            "config.wsgi:application",
        ]
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(  # noqa: S603
                command,
                cwd=log_dir,  # so no ./gunicorn.conf.py is picked up
                env={**environ, "PYTHONPATH": pythonpath, "DJANGO_SETTINGS_MODULE": settings_module},
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def wait_ready(self, host: str, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            with contextlib.suppress(OSError):
                if get(self.port, host, "/healthz")[0] == 200:
                    return
            time.sleep(0.1)
        raise RuntimeError(f"gunicorn ({self.name}) did not start:\n{self.log_tail()}")

    def log_tail(self) -> str:
        return self.log_path.read_text(errors="replace")[-3000:]

    def stop(self) -> None:
        """SIGTERM to the master we started; SIGKILL to its own process group if it lingers."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)
