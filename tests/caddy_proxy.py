"""A real Caddy (Debian's package) in front of a Portico test server, with the deployment's own
Caddyfile: on-demand TLS from Caddy's internal CA (``local_certs``), on loopback ports of its own."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

CADDYFILE = Path(__file__).resolve().parents[1] / "deploy" / "Caddyfile"


def free_port() -> int:
    """A loopback port free for TCP and for UDP (a DNS server or another Caddy may hold the UDP one)."""
    while True:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            try:
                udp.bind(("127.0.0.1", port))
            except OSError:
                continue
        return port


class CaddyProxy:
    """``start()`` runs ``caddy run`` as a child process and waits for its HTTPS port; ``stop()``
    ends that process by its pid. Its data (the internal CA, issued certificates) lives in a
    temporary folder removed on stop, so every proxy starts with no certificate."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream
        self.http_port = free_port()
        self.https_port = free_port()
        self.home = Path(tempfile.mkdtemp(prefix="portico-caddy-"))
        self.process: subprocess.Popen | None = None

    @property
    def root_certificate(self) -> Path:
        """The internal CA's root, which clients of this proxy trust (curl ``--cacert``)."""
        return self.home / "data" / "caddy" / "pki" / "authorities" / "local" / "root.crt"

    def intermediate_spki(self) -> str:
        """What Chromium's ``--ignore-certificate-errors-spki-list`` takes to trust this proxy's
        certificates: base64 SHA-256 of its internal CA's intermediate key."""
        import base64
        import hashlib

        from cryptography import x509
        from cryptography.hazmat.primitives import serialization

        certificate = x509.load_pem_x509_certificate(
            self.root_certificate.with_name("intermediate.crt").read_bytes()
        )
        der = certificate.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        return base64.b64encode(hashlib.sha256(der).digest()).decode()

    def start(self, timeout: float = 15.0) -> CaddyProxy:
        caddy = shutil.which("caddy")
        if caddy is None:
            raise RuntimeError("Caddy is not installed; `make install-system` installs Debian's package.")
        options = [
            "admin off",
            "local_certs",
            "skip_install_trust",
            "default_bind 127.0.0.1",
            f"http_port {self.http_port}",
            f"https_port {self.https_port}",
            # HTTP/1.1 and 2 only: HTTP/3 would also bind the port for UDP, which the tests need not.
            "servers {\n\t\tprotocols h1 h2\n\t}",
        ]
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(self.home),
            "XDG_DATA_HOME": str(self.home / "data"),
            "XDG_CONFIG_HOME": str(self.home / "config"),
            "PORTICO_UPSTREAM": self.upstream,
            "PORTICO_ASK_UPSTREAM": self.upstream.split()[0],
            "CADDY_GLOBAL_OPTIONS": "\n".join(options),
        }
        self.log = open(self.home / "caddy.log", "wb")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(  # noqa: S603 - a fixed command line
            [caddy, "run", "--config", str(CADDYFILE), "--adapter", "caddyfile"],
            env=env,
            cwd=self.home,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"Caddy stopped at start:\n{self.output()}")
            try:
                socket.create_connection(("127.0.0.1", self.https_port), timeout=0.2).close()
                return self
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"Caddy did not listen on {self.https_port} within {timeout}s")

    def output(self) -> str:
        return (self.home / "caddy.log").read_text(errors="replace")[-4000:]

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.kill(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.process = None
        if getattr(self, "log", None):
            self.log.close()
        shutil.rmtree(self.home, ignore_errors=True)

    def curl(self, domain: str, path: str = "/") -> subprocess.CompletedProcess:
        """``curl --resolve`` to ``domain`` on this proxy, trusting only its internal CA; the
        status code is the last line of stdout."""
        return subprocess.run(  # noqa: S603 - a fixed command line
            [
                "curl",
                "--silent",
                "--show-error",
                "--max-time",
                "15",
                "--resolve",
                f"{domain}:{self.https_port}:127.0.0.1",
                "--cacert",
                str(self.root_certificate),
                "--write-out",
                "\n%{http_code}",
                f"https://{domain}:{self.https_port}{path}",
            ],  # fmt: skip
            capture_output=True,
            text=True,
            check=False,
        )
