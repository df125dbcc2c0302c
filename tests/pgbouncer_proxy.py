"""A real PgBouncer (Debian's package) in front of the test database, on a loopback port of its own."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from tests.caddy_proxy import free_port

BINARY = "/usr/sbin/pgbouncer"


class PgBouncer:
    """``start()`` runs ``pgbouncer`` as a child process in ``mode`` and waits for its port; ``stop()``
    ends that process by its pid. Every database name is passed through to ``upstream``."""

    def __init__(self, *, upstream_host: str, upstream_port: int, user: str, mode: str, pool_size: int = 5):
        self.upstream = (upstream_host or "127.0.0.1", int(upstream_port or 5432))
        self.user = user
        self.mode = mode
        self.pool_size = pool_size
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        self.folder = Path(tempfile.mkdtemp(prefix="portico-pgbouncer-"))

    def start(self) -> PgBouncer:
        if not os.path.exists(BINARY):
            raise RuntimeError("PgBouncer is not installed: run `make install-system`")
        self.folder.chmod(0o755)  # readable by the user it drops to when started as root
        users = self.folder / "users.txt"
        users.write_text(f'"{self.user}" ""\n')
        config = self.folder / "pgbouncer.ini"
        config.write_text(
            "[databases]\n"
            f"* = host={self.upstream[0]} port={self.upstream[1]}\n"
            "[pgbouncer]\n"
            f"listen_addr = 127.0.0.1\nlisten_port = {self.port}\nunix_socket_dir =\n"
            f"auth_type = trust\nauth_file = {users}\n"
            f"pool_mode = {self.mode}\ndefault_pool_size = {self.pool_size}\nmax_client_conn = 200\n"
            "ignore_startup_parameters = extra_float_digits,options\n"
        )
        for path in (users, config):
            path.chmod(0o644)
        command = [BINARY, *(["-u", "nobody"] if os.geteuid() == 0 else []), str(config)]
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)  # noqa: S603
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"pgbouncer exited: {self.process.stdout.read().decode()[-500:]}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return self
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("pgbouncer did not start listening in 10 s")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)
