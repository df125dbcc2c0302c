"""Server time of the real-estate pages for a client with 500 offered properties.

    .venv/bin/python bench/portal_pages.py [--properties 500] [--requests 60]

An office ``pages-bench`` (kept between runs, database ``portico_bench_pages``;
``PORTICO_BENCH_DATABASE_URL`` overrides it) has the real-estate module on and one client whose
deal offers ``--properties`` properties, each with three photos, spread over every group the
client sees (new, to rate, interested, rejected, visited, approved), a viewing on every other one
and feedback on every fifth. Each page is requested in this process through Django's test client
(the whole middleware stack, sessions and templates; no network), ``--requests`` times after five
warm-up requests; the figures are wall time per request, and the SQL statements of one request.

Pages: the client's overview, new properties, every group tab, a property, the viewings; the
office's deal page, the client's contact page and the property list.

Progress goes to stderr; the last line of stdout is one JSON object:
``{"properties": 500, "pages": {"<page>": {"p50_ms", "p95_ms", "queries"}, …}, "baseline_p95_ms": …,
"worst_p95_ms": …, "worst_ratio": …}``. ``baseline`` is the smallest portal page (the same
middleware, sign-in check and base template, one heading), measured in the same run, so the ratio
holds on a noisy machine. Targets: every page's p95 ≤ 3× the baseline's, and the worst under 60 ms.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchkit import env as bench_env  # noqa: E402

SETTINGS = "benchkit.settings_pages"
DATABASE = "portico_bench_pages"
SLUG = "pages-bench"
OWNER = f"owner@{SLUG}.example"
CLIENT = f"client@{SLUG}.example"
PASSWORD = "Bench-pages-2026!"
WARM_UP = 5


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--properties", type=int, default=500, help="offered properties (default 500)")
    parser.add_argument("--requests", type=int, default=60, help="timed requests per page (default 60)")
    return parser.parse_args()


def office_ensure():
    from django.contrib.auth.hashers import make_password
    from django.db import connection
    from django_q.brokers import get_broker

    from tenants.models import Tenant
    from tenants.services import tenant_provision

    tenant = Tenant.objects.filter(slug=SLUG, status=Tenant.Status.ACTIVE).first()
    if tenant is None:
        bench_env.log(f"provisioning the office “{SLUG}”")
        tenant = tenant_provision(
            office_name="Pages Bench Realty",
            slug=SLUG,
            owner_name="Bench Owner",
            email=OWNER,
            password_hash=make_password(PASSWORD),
        ).tenant
        get_broker().purge_queue()
        connection.set_schema_to_public()
    return tenant


def data_ensure(tenant, count: int):
    """The client, the deal and ``count`` offers (rebuilt when the count differs). Returns ids."""
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone
    from django_tenants.utils import tenant_context

    from modules.real_estate.models import (
        Deal,
        Feedback,
        OfferedProperty,
        Property,
        PropertyPhoto,
        Viewing,
        ViewingSlot,
    )
    from portal_core.access import portal_account_for
    from portal_core.models import Contact, PortalConfig
    from portal_core.services import module_enable

    with tenant_context(tenant):
        config = PortalConfig.objects.get()
        if not config.is_active:
            config.is_active = True
            config.save()
        if "real_estate" not in config.enabled_modules:
            module_enable(key="real_estate")
        contact, _ = Contact.objects.get_or_create(
            email=CLIENT, defaults={"first_name": "Bench", "last_name": "Client"}
        )
        account = portal_account_for(contact=contact)
        account.password = make_password(PASSWORD)
        account.onboarding_completed = account.tour_completed = True
        account.status = account.Status.JOINED
        account.save()
        deal = Deal.objects.filter(contact=contact).first() or Deal.objects.create(
            contact=contact, title="Looking for a family home"
        )
        if OfferedProperty.objects.filter(deal=deal).count() != count:
            bench_env.log(f"offering {count} properties…")
            OfferedProperty.objects.filter(deal=deal).delete()
            Property.objects.all().delete()
            now = timezone.now()
            properties = Property.objects.bulk_create(
                [
                    Property(
                        title=f"Townhouse {n}",
                        street=f"Canal Street {n}",
                        postal_code="2011 AB",
                        city="Haarlem",
                        country="NL",
                        price=250_000 + 1_000 * n,
                        rooms=3 + n % 4,
                        living_area=90 + n % 60,
                        features=["Garden", "Parking"],
                        description="A bright home near the station.",
                        energy_label="A",
                    )
                    for n in range(count)
                ]
            )
            PropertyPhoto.objects.bulk_create(
                [
                    PropertyPhoto(
                        property=p,
                        image=f"real-estate/property-photos/bench-{p.pk}-{i}.jpg",
                        width=1200,
                        height=800,
                        position=i,
                    )
                    for p in properties
                    for i in range(3)
                ]
            )
            groups = ("new", "to_rate", "interested", "rejected", "visited", "approved")
            offers = []
            for n, prop in enumerate(properties):
                group = groups[n % len(groups)]
                offers.append(
                    OfferedProperty(
                        deal=deal,
                        property=prop,
                        seen_at=None if group == "new" else now,
                        interest={"interested": "interested", "rejected": "rejected"}.get(
                            group, "interested" if group in ("visited", "approved") else "to_rate"
                        ),
                        rejection_reasons=["price"] if group == "rejected" else [],
                        favourite=n % 7 == 0,
                        visited_at=now - timedelta(days=2) if group in ("visited", "approved") else None,
                        approved_at=now - timedelta(days=1) if group == "approved" else None,
                    )
                )
            offers = OfferedProperty.objects.bulk_create(offers)
            viewings = Viewing.objects.bulk_create(
                [
                    Viewing(offered=o, status="confirmed", start=now + timedelta(days=1 + n % 30))
                    for n, o in enumerate(offers)
                    if n % 2 == 0 and o.visited_at is None and o.interest != "rejected"
                ]
            )
            ViewingSlot.objects.bulk_create([ViewingSlot(viewing=v, start=v.start) for v in viewings])
            Feedback.objects.bulk_create(
                [
                    Feedback(offered=o, rating=1 + n % 5, notes="Nice light.")
                    for n, o in enumerate(offers)
                    if o.visited_at
                ]
            )
        first = OfferedProperty.objects.filter(deal=deal).order_by("pk").first()
        return {"contact": contact.pk, "deal": deal.pk, "offer": first.pk}


def pages(ids: dict) -> dict[str, tuple[str, str]]:
    client = {
        "baseline": "/bench/baseline/",
        "client_overview": "/real-estate/",
        "client_new": "/real-estate/new/",
        **{
            f"client_{group}": f"/real-estate/properties/?group={group}"
            for group in ("to_rate", "interested", "rejected", "visited", "approved")
        },
        "client_property": f"/real-estate/properties/{ids['offer']}/",
        "client_viewings": "/real-estate/viewings/",
    }
    office = {
        "office_deal": f"/office/real-estate/deals/{ids['deal']}/",
        "office_contact": f"/office/contacts/{ids['contact']}/",
        "office_properties": "/office/real-estate/properties/",
    }
    return {**{k: ("client", v) for k, v in client.items()}, **{k: ("office", v) for k, v in office.items()}}


def signed_in(host: str):
    from django.test import Client

    client = Client(HTTP_HOST=host)
    if client.post("/auth/signin", {"email": CLIENT, "password": PASSWORD}).status_code != 302:
        raise RuntimeError("the bench client could not sign in")
    staff = Client(HTTP_HOST=host)
    if staff.post("/office/login/", {"username": OWNER, "password": PASSWORD}).status_code != 302:
        raise RuntimeError("the bench office owner could not sign in")
    return {"client": client, "office": staff}


def measure(browsers: dict, targets: dict, requests: int) -> dict:
    from django.db import connection

    executed = []

    def count(execute, sql, params, many, context):
        executed.append(sql)
        return execute(sql, params, many, context)

    results = {}
    for name, (who, path) in targets.items():
        browser = browsers[who]
        for _ in range(WARM_UP):
            response = browser.get(path)
            if response.status_code != 200:
                raise RuntimeError(f"{path} answered {response.status_code}")
        executed.clear()
        with connection.execute_wrapper(count):  # survives the connection closing after the request
            browser.get(path)
        timings = []
        for _ in range(requests):
            started = time.perf_counter()
            browser.get(path)
            timings.append((time.perf_counter() - started) * 1000)
        timings.sort()
        results[name] = {
            "p50_ms": round(statistics.median(timings), 1),
            "p95_ms": round(timings[min(len(timings) - 1, int(len(timings) * 0.95))], 1),
            "queries": len(executed),
        }
        bench_env.log(
            f"  {name:18s} p50 {results[name]['p50_ms']:6.1f} ms  p95 {results[name]['p95_ms']:6.1f} ms  "
            f"{results[name]['queries']} queries"
        )
    return results


def main() -> None:
    args = parse_args()
    bench_env.put_on_path()
    with tempfile.TemporaryDirectory(prefix="portico-bench-pages-") as media:
        environ = bench_env.bench_environ(SETTINGS, database=DATABASE, PORTICO_BENCH_MEDIA_ROOT=media)
        import django

        django.setup()
        from django.conf import settings

        with contextlib.redirect_stdout(sys.stderr):
            bench_env.prepare_database(environ)
            tenant = office_ensure()
            ids = data_ensure(tenant, args.properties)
            host = f"{SLUG}.{settings.PORTICO_BASE_DOMAIN}"
            results = measure(signed_in(host), pages(ids), args.requests)
    baseline = results["baseline"]["p95_ms"]
    worst = max(r["p95_ms"] for name, r in results.items() if name != "baseline")
    print(
        json.dumps(
            {
                "properties": args.properties,
                "pages": results,
                "baseline_p95_ms": baseline,
                "worst_p95_ms": worst,
                "worst_ratio": round(worst / baseline, 2) if baseline else None,
            }
        )
    )


if __name__ == "__main__":
    main()
