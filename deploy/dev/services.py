"""Make sure the services the tests need are up, and print their settings as shell exports.

PostgreSQL: ``DATABASE_URL``, else 127.0.0.1:5432, else the embedded server under ``.data/``.
Redis: ``REDIS_URL``, else 127.0.0.1:6379, else a ``redis-server`` started under ``.data/redis``.
"""

import shlex
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "platform"))

from config.database import database_url  # noqa: E402

EMBEDDED_REDIS_PORT = 6390


def listening(port: int, host: str = "127.0.0.1") -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def redis_url() -> str:
    import os

    if os.environ.get("REDIS_URL"):
        return os.environ["REDIS_URL"]
    if listening(6379):
        return "redis://127.0.0.1:6379"
    if not listening(EMBEDDED_REDIS_PORT):
        binary = shutil.which("redis-server")
        if not binary:
            sys.exit("redis-server is not installed: run `make install-system`")
        data = ROOT / ".data" / "redis"
        data.mkdir(parents=True, exist_ok=True)
        subprocess.run(  # noqa: S603
            [
                binary,
                "--port",
                str(EMBEDDED_REDIS_PORT),
                "--bind",
                "127.0.0.1",
                "--daemonize",
                "yes",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(data),
                "--logfile",
                str(data / "redis.log"),
            ],
            check=True,
        )
        for _ in range(50):
            if listening(EMBEDDED_REDIS_PORT):
                break
            time.sleep(0.1)
    return f"redis://127.0.0.1:{EMBEDDED_REDIS_PORT}"


def main() -> None:
    if sys.argv[1:] != ["env"]:
        sys.exit("usage: services.py env")
    exports = {
        "DATABASE_URL": database_url(ROOT),
        "PORTICO_TEST_REDIS_URL": redis_url(),
    }
    for key, value in exports.items():
        print(f"export {key}={shlex.quote(value)}")


if __name__ == "__main__":
    main()
