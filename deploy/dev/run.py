"""``make run`` and ``make dev``: prepare the database, seed the demo office, then serve web and worker
until stopped (Ctrl-C ends every process started here, and the embedded PostgreSQL if it was started
here).

``make run`` serves as production does: gunicorn with ``deploy/gunicorn.conf.py`` (several workers),
``DEBUG`` off unless ``DJANGO_DEBUG=1``, static files collected and served compressed by WhiteNoise.
``make dev`` (``--dev``) runs Django's auto-reloading development server with ``DEBUG`` on.
"""

import argparse
import hashlib
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


def static_sources_fingerprint() -> str:
    """What the collected static files depend on: the project's static folders and the lock file
    (the installed packages' own static files change only with it)."""
    digest = hashlib.sha256((ROOT / "uv.lock").read_bytes())
    for folder in sorted(ROOT.glob("**/static")):
        if {".venv", ".data", "node_modules", ".git"} & set(folder.relative_to(ROOT).parts):
            continue
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                stat = path.stat()
                digest.update(f"{path.relative_to(ROOT)}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()


def collect_static(env: dict) -> None:
    """Collect (hash, gzip and brotli) the static files, unless nothing they depend on changed."""
    root = Path(env.get("STATIC_ROOT") or ROOT / ".data" / "static")
    stamp = root / ".sources"
    fingerprint = static_sources_fingerprint()
    if (root / "staticfiles.json").is_file() and stamp.is_file() and stamp.read_text() == fingerprint:
        return
    print("Collecting and compressing the static files (once, until they change)…", flush=True)
    manage("collectstatic", "--noinput", "--clear", "-v", "0", env=env)
    stamp.write_text(fingerprint)


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
    parser.add_argument("--dev", action="store_true", help="the auto-reloading server, DEBUG on")
    args = parser.parse_args()

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "config.settings.dev"),
    }
    env.setdefault("DJANGO_DEBUG", "1" if args.dev else "0")
    debug = env["DJANGO_DEBUG"].lower() in {"1", "true", "yes", "on"}
    embedded = embedded_data_dir(ROOT)
    embedded_was_running = (embedded / "postmaster.pid").exists()
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
        manage("migrate_platform", "-v", "0", env=env)
        if not debug:
            collect_static(env)
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
    if args.dev:
        web = [PY, "manage.py", "runserver", f"{args.host}:{port}"]
        serving = "the development server, reloading on changes"
    else:
        web = [
            PY, "-m", "gunicorn", "--config", "deploy/gunicorn.conf.py",
            "--bind", f"{args.host}:{port}", "config.wsgi:application",
        ]  # fmt: skip
        serving = "gunicorn as in production"
    hint = "" if args.dev else " `make dev` reloads on changes."
    children += [
        subprocess.Popen(web, cwd=ROOT, env=env, start_new_session=True),  # noqa: S603
        subprocess.Popen([PY, "manage.py", "qcluster"], cwd=ROOT, env=env, start_new_session=True),  # noqa: S603
    ]
    print(
        f"""
  Portico is running (web + worker): {serving}, DEBUG {"on" if debug else "off"}.{hint}
  Stop with Ctrl-C.

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
        if str(embedded) in url and not embedded_was_running:
            embedded_server_stop(embedded)
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
