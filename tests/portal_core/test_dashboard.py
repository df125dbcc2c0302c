"""The office home's dashboard: clients per portal status, recent activity, sign-ins per day."""

import re
from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import schema_context

from portal_core.activity import activity_record
from portal_core.models import ActivityEntry, Company, Contact, PortalAccount
from portal_core.selectors import account_status_counts, logins_per_day, recent_activity

Status = PortalAccount.Status


def _clients(office, statuses: list[str], *, start: int = 0) -> None:
    """One contact per status (None: no account at all), each with a sign-in and another entry."""
    with schema_context(office.schema_name):
        for n, status in enumerate(statuses, start=start):
            contact = Contact.objects.create(
                first_name=f"Client{n}", last_name="Test", email=f"c{n}@x.example"
            )
            account = PortalAccount.objects.create(contact=contact, status=status) if status else None
            ActivityEntry.objects.create(contact=contact, account=account, verb="login", summary="Signed in")
            ActivityEntry.objects.create(
                contact=contact, account=account, verb="file_shared", summary="Shared"
            )


def test_it_counts_clients_per_portal_status(office_a):
    _clients(
        office_a, [Status.JOINED] * 3 + [Status.INVITED] * 2 + [Status.NOT_INVITED, Status.DISABLED, None]
    )
    with schema_context(office_a.schema_name):
        PortalAccount.objects.create(company=Company.objects.create(name="Acme"), status=Status.INVITED)
        assert account_status_counts() == {
            "joined": 3,
            "invited": 3,
            "not_invited": 2,
            "disabled": 1,
            "total": 9,
        }
    html = office_a.staff_client().get("/office/").content.decode()
    found = dict(re.findall(r'data-status="(\w+)"><dt>[^<]+</dt><dd class="stat">(\d+)</dd>', html))
    assert found == {"joined": "3", "invited": "3", "not_invited": "2", "disabled": "1"}
    assert "3 of 6 invited clients have joined (50%)." in html


def test_it_draws_thirty_days_of_sign_ins(office_a):
    now = timezone.now()
    with schema_context(office_a.schema_name):
        for days_ago, count in [(0, 3), (1, 1), (7, 5), (29, 2), (30, 9), (45, 4)]:
            for _ in range(count):
                ActivityEntry.objects.create(
                    verb="login", summary="Signed in", created=now - timedelta(days=days_ago)
                )
        ActivityEntry.objects.create(verb="magic_link_sent", summary="Not a sign-in", created=now)
        points = logins_per_day(days=30)
    assert len(points) == 30 and points[-1] == (timezone.localdate(), 3)
    assert sum(count for _day, count in points) == 11 and points[0][1] == 2

    html = office_a.staff_client().get("/office/").content.decode()
    svg = re.search(r"<svg class=\"chart\".*?</svg>", html, re.S).group(0)
    assert 'role="img"' in svg and "<title>Sign-ins over the last 30 days: 11 in total" in svg
    assert re.search(r'aria-label="Sign-ins over the last 30 days: 11 in total, most on [^"]+ \(5\)\."', svg)
    bars = re.findall(r'<rect class="bar[^"]*"[^>]*data-count="(\d+)"', svg)
    assert len(bars) == 30 and sum(map(int, bars)) == 11
    assert bars[-1] == "3" and bars.count("0") == 26
    assert len(re.findall(r'class="bar bar--empty"', svg)) == 26
    assert '<th scope="col">Sign-ins</th>' in html  # the figures, as a table


def test_it_lists_the_last_ten_entries_with_contact_names(office_a):
    _clients(office_a, [Status.JOINED] * 6)  # 12 entries
    with schema_context(office_a.schema_name):
        latest = Contact.objects.get(first_name="Client5")
        activity_record(account=latest.portal_account, verb="password_changed")
        entries = recent_activity(10)
    assert len(entries) == 10 and entries[0].office_text == "Password changed"
    html = office_a.staff_client().get("/office/").content.decode()
    section = re.search(r'id="recent-activity".*?</section>', html, re.S).group(0)
    assert section.count("<li>") == 10 and "Client5 Test" in section and "Password changed" in section
    assert "Client0 Test" not in section  # older than the last ten


def test_it_keeps_the_checklist_above_the_dashboard(office_a):
    html = office_a.staff_client().get("/office/").content.decode()
    assert "Nothing yet." in html and "Nobody is invited yet." in html and "No sign-ins yet" in html
    assert html.index('id="setup-checklist"') < html.index('id="client-counts"')
    assert "1 of 5 done" in html and len(re.findall(r'data-item="\w+" data-done=', html)) == 5


def _uncached(queries) -> list[str]:
    """The queries that do not depend on the shared cache (the configuration is read from the cache,
    which a parallel test run may clear at any moment)."""
    return [q["sql"] for q in queries.captured_queries if "portal_core_portalconfig" not in q["sql"]]


def test_it_needs_the_same_number_of_queries_for_5_or_50_clients(office_a):
    staff = office_a.staff_client()
    _clients(office_a, [Status.JOINED, Status.INVITED, Status.NOT_INVITED, Status.DISABLED, None])
    staff.get("/office/")  # warm the caches (configuration, routing)
    with CaptureQueriesContext(connection) as five:
        assert staff.get("/office/").status_code == 200
    _clients(office_a, [Status.JOINED, Status.INVITED, Status.NOT_INVITED] * 15, start=5)
    with CaptureQueriesContext(connection) as fifty:
        html = staff.get("/office/").content.decode()
    assert "Client49 Test" in html
    assert len(_uncached(fifty)) == len(_uncached(five)) <= 10, "\n".join(_uncached(fifty))


def test_it_shows_no_dashboard_to_another_offices_owner(office_a, office_b):
    _clients(office_a, [Status.JOINED])
    stranger = office_b.staff_client()
    stranger.defaults["HTTP_HOST"] = office_a.host
    response = stranger.get("/office/")
    assert response.status_code == 302 and response["Location"].startswith("/office/login/")
    assert b"Client0" not in response.content
    own = office_b.staff_client().get("/office/").content.decode()
    assert "Client0" not in own and 'data-status="joined"><dt>Joined</dt><dd class="stat">0</dd>' in own
