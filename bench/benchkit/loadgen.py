"""A closed-loop HTTP load generator: wrk when installed (C, light on the shared CPUs), else
Python processes with one new connection per request."""

from __future__ import annotations

import http.client
import multiprocessing
import re
import shutil
import subprocess
import time


def _client(
    port: int, host: str, path: str, seconds: float, start_at: float, headers: dict[str, str] | None = None
) -> tuple[int, int]:
    """Requests until the deadline; returns (successes, failures)."""
    while time.time() < start_at:
        time.sleep(0.001)
    deadline = time.monotonic() + seconds
    ok = failed = 0
    while time.monotonic() < deadline:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        try:
            connection.request("GET", path, headers={**(headers or {}), "Host": host, "Connection": "close"})
            response = connection.getresponse()
            response.read()
            if response.status == 200:
                ok += 1
            else:
                failed += 1
        except OSError:
            failed += 1
        finally:
            connection.close()
    return ok, failed


class LoadGenerator:
    """``clients`` processes kept for the whole bench, so rounds do not pay for spawning them."""

    def __init__(self, clients: int) -> None:
        self.clients = clients
        self.wrk = shutil.which("wrk")
        self.pool = None if self.wrk else multiprocessing.get_context("spawn").Pool(clients)

    @property
    def name(self) -> str:
        return "wrk" if self.wrk else "python"

    def _run_wrk(
        self, port: int, host: str, path: str, seconds: float, headers: dict[str, str] | None = None
    ) -> tuple[float, int]:
        extra = [arg for name, value in (headers or {}).items() for arg in ("-H", f"{name}: {value}")]
        out = subprocess.run(
            [
                self.wrk,
                "-t1",
                f"-c{self.clients * 2}",
                f"-d{max(1, round(seconds))}s",
                "-H",
                f"Host: {host}",
                *extra,
                f"http://127.0.0.1:{port}{path}",
            ],
            capture_output=True,
            text=True,
            check=True,
            timeout=seconds + 30,
        ).stdout
        rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
        bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
        errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
        failed = (int(bad.group(1)) if bad else 0) + (sum(map(int, errors.groups())) if errors else 0)
        return rps, failed

    def run(
        self, port: int, host: str, path: str, seconds: float, headers: dict[str, str] | None = None
    ) -> tuple[float, int]:
        """Requests per second over ``seconds``, and how many requests failed (``headers`` are sent
        with every request, e.g. ``Authorization``)."""
        if self.wrk:
            return self._run_wrk(port, host, path, seconds, headers)
        start_at = time.time() + 0.2
        jobs = [(port, host, path, seconds, start_at, headers) for _ in range(self.clients)]
        results = self.pool.starmap(_client, jobs)
        ok = sum(r[0] for r in results)
        failed = sum(r[1] for r in results)
        return ok / seconds, failed

    def close(self) -> None:
        if self.pool is not None:
            self.pool.close()
            self.pool.join()
