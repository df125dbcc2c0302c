"""``make run``: prepare the database, seed the demo office, then serve web and worker until stopped."""

import argparse
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "platform"))

from config.database import (  # noqa: E402
    LOCAL_URL,
    database_url,
    embedded_data_dir,
    embedded_server_stop,
    ensure_database,
)

PY = sys.executable


def manage(*args: str, env: dict, capture: bool = False) -> str:
    result = subprocess.run(  # noqa: S603
        [PY, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        text=True,
        stdout=subprocess.PIPE if capture else None,
    )
    return result.stdout if capture else ""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", default=os.environ.get("PORT", "8000"))
    args = parser.parse_args()

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "config.settings.dev"),
    }
    url = database_url(ROOT)
    if url == LOCAL_URL:
        ensure_database(url)
    env["DATABASE_URL"] = url
    base = env.setdefault("PORTICO_BASE_DOMAIN", "localhost")

    print("Preparing the database (migrations for every schema, the pool of ready schemas)…", flush=True)
    manage("migrate_schemas", "-v", "0", env=env)
    manage("pool_fill", env=env)
    demo = json.loads(manage("seed_demo", "--json", env=env, capture=True).strip().splitlines()[-1])
    operator = json.loads(manage("seed_operator", "--json", env=env, capture=True).strip().splitlines()[-1])

    port = args.port
    office = demo["office"]
    children = [
        subprocess.Popen(
            [PY, "manage.py", "runserver", f"{args.host}:{port}"],
            cwd=ROOT,
            env=env,  # noqa: S603
            start_new_session=True,
        ),
        subprocess.Popen([PY, "manage.py", "qcluster"], cwd=ROOT, env=env, start_new_session=True),  # noqa: S603
    ]
    print(
        f"""
  Portico is running (web + worker). Stop with Ctrl-C.

  Platform        http://{base}:{port}/
  Sign up         http://{base}:{port}/signup/   (verification codes are printed here)
  Operator admin  http://{base}:{port}/admin/    {operator["email"]} / {operator["password"]}
  Demo office     http://{demo["domain"]}:{port}/office/   {office["email"]} / {office["password"]}
  Demo portal     http://{demo["domain"]}:{port}/
  Health          http://{base}:{port}/healthz  ·  /readyz
""",
        flush=True,
    )

    def stop(*_):
        # Each process first stops its own children (the worker cluster finishes its tasks),
        # then whatever is left in its process group is ended.
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 15
        for child in children:
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
            for sig in (signal.SIGTERM, signal.SIGKILL):
                try:
                    os.killpg(child.pid, sig)
                except ProcessLookupError:
                    break
                time.sleep(0.5)
        if str(embedded_data_dir(ROOT)) in url:
            embedded_server_stop(embedded_data_dir(ROOT))
            print("Stopped the embedded PostgreSQL.", flush=True)
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    while all(child.poll() is None for child in children):
        time.sleep(0.5)
    print("A process stopped; shutting down.", flush=True)
    stop()


if __name__ == "__main__":
    main()
