"""``make run``: prepare the database, seed the demo office, then serve web and worker until stopped."""

import argparse
import json
import os
import signal
import socket
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


def fake_stripe_start(port: str, *, webhook: str, env: dict) -> subprocess.Popen:
    """The local stand-in for Stripe (``deploy/dev/fake_stripe.py``), sending its events to
    Portico's Connect webhook; returns once it answers."""
    child = subprocess.Popen(  # noqa: S603
        [PY, str(ROOT / "deploy/dev/fake_stripe.py"), "--port", port, "--webhook", webhook],
        cwd=ROOT,
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if child.poll() is not None:
            sys.exit(f"The fake Stripe could not start on port {port} (set STRIPE_FAKE_PORT).")
        try:
            socket.create_connection(("127.0.0.1", int(port)), timeout=0.5).close()
            return child
        except OSError:
            time.sleep(0.1)
    child.kill()
    sys.exit(f"The fake Stripe did not answer on port {port}.")


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

    port = args.port
    children = []
    stripe_line = "Stripe          your own (STRIPE_SECRET_KEY)"
    if not env.get("STRIPE_SECRET_KEY"):
        fake_port = env.get("STRIPE_FAKE_PORT", "12111")
        children.append(
            fake_stripe_start(fake_port, webhook=f"http://{base}:{port}/stripe/connect/webhook/", env=env)
        )
        env["STRIPE_SECRET_KEY"] = "sk_test_portico_development"  # noqa: S105 (the local fake's)
        env["STRIPE_API_BASE"] = f"http://127.0.0.1:{fake_port}"
        env["STRIPE_CONNECT_WEBHOOK_SECRET"] = "whsec_portico_development"  # noqa: S105 (the fake's own)
        stripe_line = f"Stripe (fake)   {env['STRIPE_API_BASE']}   the demo office is connected to it"

    print("Preparing the database (migrations for every schema, the pool of ready schemas)…", flush=True)
    try:
        manage("migrate_schemas", "-v", "0", env=env)
        manage("pool_fill", env=env)
        demo = json.loads(manage("seed_demo", "--json", env=env, capture=True).strip().splitlines()[-1])
        operator = json.loads(
            manage("seed_operator", "--json", env=env, capture=True).strip().splitlines()[-1]
        )
    except BaseException:
        for child in children:  # the fake Stripe
            child.terminate()
        raise

    office = demo["office"]
    children += [
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
  {stripe_line}
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
