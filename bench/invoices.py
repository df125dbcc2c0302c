"""Invoices at scale: the office's invoice list and the API's with 10,000 invoices, and the PDF of
a 20-line invoice.

    .venv/bin/python bench/invoices.py [--invoices 10000] [--requests 60] [--pdfs 30]

An office ``invoices-bench`` (kept between runs, database ``portico_bench_invoices``;
``PORTICO_BENCH_DATABASE_URL`` overrides it) has the invoices module on and ``--invoices``
invoices of 500 clients, three lines each, in every state (paid, open, partly paid, overdue,
draft), plus one invoice of 20 lines at three tax rates with a line discount and an invoice
discount, for a Dutch client. It is on a plan of its own whose API limit no run reaches.

Each page and endpoint is requested in this process through Django's test client (the whole
middleware stack, sessions, API-key authentication; no network), ``--requests`` times after five
warm-up requests; the figures are wall time per request, and the SQL statements of one request.
Lists: the office's ``/office/invoices/`` (first page, a page deep in the list, filtered by
status) and ``/api/v1/invoices/`` (first page of 50 with their lines, and the page its cursor
leads to). The query count of a list must not grow with the rows: every variant of a list is
counted, and ``list_queries_constant`` / ``api_queries_constant`` say whether they agree.

The PDF of the 20-line invoice: ``pdf_p50_ms`` / ``pdf_p95_ms`` are its rendering, every time
afresh (``modules.invoices.pdf.pdf_render`` of the invoice's document), ``--pdfs`` times after
three warm-up renders (WeasyPrint loads its fonts once per process); ``pdf_download_p50_ms`` is
``GET /office/invoices/<id>/pdf``, which serves a rendering kept for the unchanged document.

Wall times count whatever else the machine runs; each figure also has ``cpu_p50_ms``, the median
CPU time of this process per request (the database server's work not included), and the JSON
carries the load average the run saw, so that a run on a busy machine can be read for what it is.

Progress goes to stderr; the last line of stdout is one JSON object:
``{"invoices", "list_p50_ms", "list_p95_ms", "list_queries", "list_queries_constant", "api_p50_ms",
"api_p95_ms", "api_queries", "api_queries_constant", "pdf_p50_ms", "pdf_p95_ms", "pdf_cpu_p50_ms",
"pdf_download_p50_ms", "pdf_bytes", "load_average", "pages": {…}}``. Target: ``pdf_p50_ms`` ≤ 300.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchkit import env as bench_env  # noqa: E402

SETTINGS = "benchkit.settings_pages"
DATABASE = "portico_bench_invoices"
SLUG = "invoices-bench"
OWNER = f"owner@{SLUG}.example"
PASSWORD = "Bench-invoices-2026!"
PLAN_CODE = "bench-invoices"
CLIENTS = 500
WARM_UP = 5
PDF_WARM_UP = 3


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--invoices", type=int, default=10_000, help="invoices of the office (default 10000)")
    parser.add_argument("--requests", type=int, default=60, help="timed requests per list (default 60)")
    parser.add_argument("--pdfs", type=int, default=30, help="timed PDF downloads (default 30)")
    return parser.parse_args()


def office_ensure():
    from django.contrib.auth.hashers import make_password
    from django.db import connection
    from django_q.brokers import get_broker

    from tenants.models import Plan, Tenant
    from tenants.services import tenant_provision

    plan, _ = Plan.objects.update_or_create(
        code=PLAN_CODE, defaults={"name": "Bench invoices", "api_requests_per_minute": 10_000_000}
    )
    tenant = Tenant.objects.filter(slug=SLUG, status=Tenant.Status.ACTIVE).first()
    if tenant is None:
        bench_env.log(f"provisioning the office “{SLUG}”")
        tenant = tenant_provision(
            office_name="Invoices Bench Office",
            slug=SLUG,
            owner_name="Bench Owner",
            email=OWNER,
            password_hash=make_password(PASSWORD),
            plan=plan,
        ).tenant
        get_broker().purge_queue()  # the pool top-up it enqueued; no worker runs here
        connection.set_schema_to_public()
    if tenant.plan_id != plan.pk:
        tenant.plan = plan
        tenant.save(update_fields=["plan"])
    return tenant


def _invoices_made(count: int) -> None:
    """``count`` invoices of ``CLIENTS`` contacts in bulk, with the totals the money rule gives."""
    from datetime import timedelta
    from decimal import Decimal

    from django.utils import timezone

    from modules.invoices.models import Invoice, InvoiceLine
    from portal_core.models import Contact
    from portal_core.money import Line, totals

    bench_env.log(f"making {count} invoices…")
    Invoice.objects.all().delete()
    Contact.objects.filter(email__startswith="client-").delete()
    contacts = Contact.objects.bulk_create(
        Contact(first_name=f"Client {n}", last_name="Bench", email=f"client-{n}@{SLUG}.example")
        for n in range(CLIENTS)
    )
    today, now = timezone.localdate(), timezone.now()
    prices = [
        [(Decimal(1 + n % 3), Decimal(40 + n % 200) + Decimal("0.95"), Decimal(21)) for _ in range(2)]
        + [(Decimal(1), Decimal(15), Decimal(9))]
        for n in range(50)
    ]
    figures = [totals([Line(*line) for line in lines], currency="EUR") for lines in prices]
    states = ["paid"] * 6 + ["sent"] * 2 + ["partially_paid", "draft"]
    invoices, lines = [], []
    for n in range(count):
        status, shape = states[n % len(states)], n % len(prices)
        total = figures[shape]
        paid = {"paid": total.total, "partially_paid": (total.total / 2).quantize(Decimal("0.01"))}.get(
            status, Decimal(0)
        )
        issued = today - timedelta(days=n % 400)
        invoices.append(
            Invoice(
                contact=contacts[n % CLIENTS],
                number="" if status == "draft" else f"B{n:06d}",
                status=status,
                issue_date=None if status == "draft" else issued,
                due_date=issued + timedelta(days=14),
                subtotal=total.subtotal,
                discount=total.discount,
                tax=total.tax,
                total=total.total,
                amount_paid=paid,
                sent_at=None if status == "draft" else now - timedelta(days=n % 400),
                created=now - timedelta(days=n % 400, seconds=n),
            )
        )
    invoices = Invoice.objects.bulk_create(invoices, batch_size=2000)
    for n, invoice in enumerate(invoices):
        shape = n % len(prices)
        for position, ((quantity, price, rate), amount) in enumerate(
            zip(prices[shape], figures[shape].lines, strict=True)
        ):
            lines.append(
                InvoiceLine(
                    invoice=invoice,
                    position=position,
                    description=f"Service {position + 1}",
                    quantity=quantity,
                    unit_price=price,
                    tax_rate=rate,
                    amount=amount,
                )
            )
    InvoiceLine.objects.bulk_create(lines, batch_size=5000)


def data_ensure(tenant, count: int) -> dict:
    """The module on, ``count`` invoices (rebuilt when the count differs) and the 20-line one;
    returns its id and a fresh API key."""
    from decimal import Decimal

    from django_tenants.utils import tenant_context

    from modules.invoices import services
    from modules.invoices.models import Invoice
    from portal_core.models import Contact, PortalConfig
    from portal_core.services import module_enable
    from tenants.services import api_key_create

    with tenant_context(tenant):
        config = PortalConfig.objects.get()
        if not config.is_active:
            config.is_active = True
            config.save()
        if "invoices" not in config.enabled_modules:
            module_enable(key="invoices")
        long_one = Invoice.objects.filter(po_number="BENCH-20").first()
        if Invoice.objects.exclude(po_number="BENCH-20").count() != count or long_one is None:
            _invoices_made(count)
            client, _ = Contact.objects.get_or_create(
                email=f"sanne@{SLUG}.example", defaults={"first_name": "Sanne", "language": "nl"}
            )
            lines = [
                services.LineInput(
                    f"Consultancy, week {n + 1}: analysis, meetings and a written report",
                    Decimal(1 + n % 4) + Decimal("0.5"),
                    Decimal(85 + 7 * n) + Decimal("0.45"),
                    (Decimal(21), Decimal(9), Decimal(0))[n % 3],
                    Decimal(10) if n % 5 == 0 else Decimal(0),
                )
                for n in range(20)
            ]
            long_one = services.invoice_create(
                contact=client,
                lines=lines,
                discount_percent=Decimal(5),
                po_number="BENCH-20",
                notes="Payment within 14 days.\nThank you for your business.",
            )
            long_one = services.invoice_send(invoice=long_one)
    key = api_key_create(tenant=tenant, name="Invoices bench").secret
    return {"long_one": long_one.pk, "api_key": key}


def timed(browser, path: str, requests: int, headers: dict | None = None) -> dict:
    from django.db import connection

    headers = headers or {}
    executed: list[str] = []

    def count(execute, sql, params, many, context):
        executed.append(sql)
        return execute(sql, params, many, context)

    for _ in range(WARM_UP):
        response = browser.get(path, **headers)
        if response.status_code != 200:
            raise RuntimeError(f"{path} answered {response.status_code}: {response.content[:300]!r}")
    with connection.execute_wrapper(count):  # survives the connection closing after the request
        browser.get(path, **headers)
    timings, cpu = [], []
    for _ in range(requests):
        started, used = time.perf_counter(), time.process_time()
        browser.get(path, **headers)
        timings.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - used) * 1000)
    return _figures(timings, cpu) | {"queries": len(executed)}


def _figures(timings: list[float], cpu: list[float]) -> dict:
    timings = sorted(timings)
    return {
        "p50_ms": round(statistics.median(timings), 1),
        "p95_ms": round(timings[min(len(timings) - 1, int(len(timings) * 0.95))], 1),
        "cpu_p50_ms": round(statistics.median(cpu), 1),
    }


def measure(host: str, ids: dict, requests: int, pdfs: int) -> dict:
    from django.test import Client
    from django_tenants.utils import tenant_context

    from modules.invoices import pdf
    from modules.invoices.models import Invoice
    from tenants.models import Tenant

    staff = Client(HTTP_HOST=host)
    if staff.post("/office/login/", {"username": OWNER, "password": PASSWORD}).status_code != 302:
        raise RuntimeError("the bench office owner could not sign in")
    integrator = Client(HTTP_HOST=host, HTTP_AUTHORIZATION=f"Bearer {ids['api_key']}")
    first = integrator.get("/api/v1/invoices/").json()
    pages = {
        "office_list": (staff, "/office/invoices/"),
        "office_list_deep": (staff, "/office/invoices/?page=200"),
        "office_list_sent": (staff, "/office/invoices/?status=sent"),
        "api_list": (integrator, "/api/v1/invoices/"),
        "api_list_next": (integrator, first["next"].split(host, 1)[-1]),
    }
    results = {}
    for name, (browser, path) in pages.items():
        results[name] = timed(browser, path, requests)
        log_figures(name, results[name])

    path = f"/office/invoices/{ids['long_one']}/pdf"
    for _ in range(PDF_WARM_UP):
        response = staff.get(path)
        if response.status_code != 200 or not response.content.startswith(b"%PDF-"):
            raise RuntimeError(f"{path} answered {response.status_code}")
    downloads, cpu = [], []
    for _ in range(pdfs):
        started, used = time.perf_counter(), time.process_time()
        response = staff.get(path)
        downloads.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - used) * 1000)
    results["pdf"] = _figures(downloads, cpu) | {"bytes": len(response.content)}
    log_figures("pdf", results["pdf"])
    with tenant_context(Tenant.objects.get(slug=SLUG)):
        invoice = Invoice.objects.select_related("contact").prefetch_related("lines").get(pk=ids["long_one"])
        renders, cpu = [], []
        for _ in range(pdfs):
            started, used = time.perf_counter(), time.process_time()
            pdf.pdf_render(pdf.invoice_html(invoice))
            renders.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - used) * 1000)
    results["pdf_render"] = _figures(renders, cpu)
    log_figures("pdf_render", results["pdf_render"])
    return results


def log_figures(name: str, figures: dict) -> None:
    queries = f"  {figures['queries']} queries" if "queries" in figures else ""
    bench_env.log(
        f"  {name:18s} p50 {figures['p50_ms']:7.1f} ms  p95 {figures['p95_ms']:7.1f} ms  "
        f"(CPU p50 {figures['cpu_p50_ms']:7.1f} ms){queries}"
    )


def main() -> None:
    args = parse_args()
    bench_env.put_on_path()
    with tempfile.TemporaryDirectory(prefix="portico-bench-invoices-") as media:
        environ = bench_env.bench_environ(SETTINGS, database=DATABASE, PORTICO_BENCH_MEDIA_ROOT=media)
        import django

        django.setup()
        from django.conf import settings

        with contextlib.redirect_stdout(sys.stderr):
            bench_env.prepare_database(environ)
            tenant = office_ensure()
            ids = data_ensure(tenant, args.invoices)
            host = f"{SLUG}.{settings.PORTICO_BASE_DOMAIN}"
            results = measure(host, ids, args.requests, args.pdfs)
    office = [results[n]["queries"] for n in ("office_list", "office_list_deep", "office_list_sent")]
    api = [results[n]["queries"] for n in ("api_list", "api_list_next")]
    print(
        json.dumps(
            {
                "invoices": args.invoices,
                "pages": results,
                "list_p50_ms": results["office_list"]["p50_ms"],
                "api_p50_ms": results["api_list"]["p50_ms"],
                "pdf_p95_ms": results["pdf_render"]["p95_ms"],
                "pdf_cpu_p50_ms": results["pdf_render"]["cpu_p50_ms"],
                "pdf_download_p50_ms": results["pdf"]["p50_ms"],
                "pdf_bytes": results["pdf"]["bytes"],
                "load_average": [round(x, 2) for x in os.getloadavg()],
                "list_queries_constant": len(set(office)) == 1,
                "api_queries": results["api_list"]["queries"],
                "api_queries_constant": len(set(api)) == 1,
                "list_p95_ms": results["office_list"]["p95_ms"],
                "api_p95_ms": results["api_list"]["p95_ms"],
                "list_queries": results["office_list"]["queries"],
                "pdf_p50_ms": results["pdf_render"]["p50_ms"],
            }
        )
    )


if __name__ == "__main__":
    main()
