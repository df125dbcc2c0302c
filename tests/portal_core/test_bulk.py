"""Bulk actions on selected contacts: the job, the task that works through it, the progress page."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django_q.models import OrmQ
from django_tenants.utils import schema_context

from portal_core.models import ActivityEntry, BulkJob, Contact, PortalAccount
from portal_core.tasks import bulk_job_run
from tests.portal_core.test_contacts import make_contact, messages_of


@pytest.fixture(autouse=True)
def worker_runs_later(settings):
    """Tasks wait in the queue (as in production) so each test sees the job before and after."""
    settings.PORTICO_TASKS_EAGER = False


def run_job(office, job_id: int) -> BulkJob:
    """What the worker does: the task, inside the office's schema."""
    with schema_context(office.schema_name):
        bulk_job_run(job_id)
        return BulkJob.objects.get(pk=job_id)


def start(staff, action: str, contacts) -> tuple[int, object]:
    response = staff.post(
        "/office/contacts/bulk/",
        # The portal is off in these offices: the office answered "send anyway" (test_dead_ends).
        {"action": action, "contact": [c.pk for c in contacts], "next": "/office/contacts/", "portal": "off"},
    )
    assert response.status_code == 302
    job_id = int(re.fullmatch(r"/office/jobs/(\d+)/", response["Location"]).group(1))
    return job_id, response


def test_it_invites_the_selected_contacts_and_reports_those_without_email(office_a, mailoutbox):
    ann = make_contact(office_a, "Ann", email="ann@example.com")
    bob = make_contact(office_a, "Bob", email="bob@example.com", status=PortalAccount.Status.JOINED)
    nil = make_contact(office_a, "Nil", "Noemail")
    make_contact(office_a, "Unselected", email="un@example.com")
    staff = office_a.staff_client()
    queued_before = OrmQ.objects.count()
    job_id, response = start(staff, "invite", [ann, bob, nil])
    queued = OrmQ.objects.order_by("-id").first()
    assert OrmQ.objects.count() == queued_before + 1
    assert queued.task["args"] == (office_a.schema_name, "portal_core.tasks.bulk_job_run", job_id)

    page = staff.get(response["Location"]).content.decode()
    assert "Invite to the portal" in page and "data-percent>0%" in page
    assert 'hx-trigger="every 1s"' in page and f'hx-get="/office/jobs/{job_id}/"' in page
    assert not mailoutbox  # nothing happens until the worker runs it

    job = run_job(office_a, job_id)
    assert (job.status, job.done, job.failed, job.total, job.percent) == ("done", 2, 1, 3, 100)
    assert job.errors == [
        {"contact_id": nil.pk, "name": "Nil Noemail", "message": "Contact does not have an email address"}
    ]
    assert sorted(m.to[0] for m in mailoutbox) == ["ann@example.com", "bob@example.com"]
    with schema_context(office_a.schema_name):
        assert PortalAccount.objects.get(contact=ann).status == "invited"
        assert PortalAccount.objects.get(contact=bob).status == "joined"
        assert not PortalAccount.objects.filter(contact=nil).exists()  # nothing half-written
        entry = ActivityEntry.objects.get(contact=ann, verb="invitation_sent")
        assert entry.actor_label == office_a.owner_email

    poll = staff.get(f"/office/jobs/{job_id}/", HTTP_HX_REQUEST="true").content.decode()
    assert poll.lstrip().startswith('<div id="job-progress"')
    assert "<html" not in poll and "hx-trigger" not in poll  # finished: the polling stops
    assert (
        "data-percent>100%" in poll
        and "Nil Noemail" in poll
        and "Contact does not have an email address" in poll
    )
    full = staff.get(f"/office/jobs/{job_id}/").content.decode()
    assert "100%" in full and "Finished" in full and "hx-trigger" not in full


def test_it_shows_progress_while_the_job_runs(office_a):
    contacts = [make_contact(office_a, f"P{n}") for n in range(4)]
    staff = office_a.staff_client()
    job_id, _ = start(staff, "disable", contacts)
    with schema_context(office_a.schema_name):
        BulkJob.objects.filter(pk=job_id).update(status="running", done=1, failed=1)
    poll = staff.get(f"/office/jobs/{job_id}/", HTTP_HX_REQUEST="true").content.decode()
    assert "Working…" in poll and "data-percent>50%" in poll and 'hx-trigger="every 1s"' in poll
    assert 'value="50"' in poll and "50%</progress>" in poll


def test_it_resumes_a_job_where_it_stopped_and_never_runs_it_twice(office_a, mailoutbox):
    contacts = [make_contact(office_a, f"R{n}", email=f"r{n}@example.com") for n in range(3)]
    job_id, _ = start(office_a.staff_client(), "login_email", contacts)
    with schema_context(office_a.schema_name):
        BulkJob.objects.filter(pk=job_id).update(status="running", done=1)  # a worker died after one
    job = run_job(office_a, job_id)
    assert (job.status, job.done, job.failed) == ("done", 3, 0)
    assert sorted(m.to[0] for m in mailoutbox) == ["r1@example.com", "r2@example.com"]
    run_job(office_a, job_id)  # delivered again: nothing more happens
    assert len(mailoutbox) == 2


@pytest.mark.parametrize("action", ["disable", "enable", "login_email"])
def test_it_runs_each_bulk_action_through_its_service(office_a, mailoutbox, action):
    ann = make_contact(office_a, "Ann", email="ann@example.com", status=PortalAccount.Status.JOINED)
    off = make_contact(office_a, "Off", email="off@example.com", status=PortalAccount.Status.DISABLED)
    job_id, _ = start(office_a.staff_client(), action, [ann, off])
    job = run_job(office_a, job_id)
    with schema_context(office_a.schema_name):
        statuses = {a.contact_id: a.status for a in PortalAccount.objects.all()}
    if action == "disable":
        assert statuses == {ann.pk: "disabled", off.pk: "disabled"} and job.done == 2
    elif action == "enable":
        assert statuses == {ann.pk: "joined", off.pk: "invited"} and job.done == 2  # as before disabling
    else:
        assert (job.done, job.failed) == (1, 1) and [m.to for m in mailoutbox] == [["ann@example.com"]]
        assert job.errors[0]["name"] == "Off Client" and "disabled" in job.errors[0]["message"]


def test_it_reports_an_email_that_could_not_be_sent_and_goes_on(office_a, settings):
    settings.EMAIL_BACKEND = "tests.portal_core.test_contacts.BrokenSMTP"
    ann = make_contact(office_a, "Ann", email="ann@example.com")
    job_id, _ = start(office_a.staff_client(), "invite", [ann])
    job = run_job(office_a, job_id)
    assert (job.status, job.done, job.failed) == ("done", 0, 1)
    assert job.errors[0]["message"] == "The email could not be sent; nothing was changed for this contact"
    with schema_context(office_a.schema_name):
        assert not PortalAccount.objects.filter(contact=ann).exists()


def test_it_reports_a_contact_deleted_before_the_job_ran(office_a):
    gone = make_contact(office_a, "Gone")
    job_id, _ = start(office_a.staff_client(), "disable", [gone])
    with schema_context(office_a.schema_name):
        Contact.objects.filter(pk=gone.pk).delete()
    job = run_job(office_a, job_id)
    assert (job.done, job.failed) == (0, 1) and job.errors[0]["message"] == "This contact no longer exists"
    assert "(deleted contact)" in office_a.staff_client().get(f"/office/jobs/{job_id}/").content.decode()


def test_it_asks_to_select_contacts_first(office_a):
    staff = office_a.staff_client()
    response = staff.post(
        "/office/contacts/bulk/", {"action": "invite", "next": "/office/contacts/?q=x"}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/office/contacts/?q=x"
    assert "Select at least one contact first." in messages_of(response)
    evil = staff.post("/office/contacts/bulk/", {"action": "invite", "next": "https://evil.example/"})
    assert evil["Location"] == "/office/contacts/"
    ann = make_contact(office_a, "Ann")
    bad = staff.post(
        "/office/contacts/bulk/", {"action": "delete_everything", "contact": [ann.pk]}, follow=True
    )
    assert "Select a valid choice" in messages_of(bad)
    with schema_context(office_a.schema_name):
        assert not BulkJob.objects.exists()


def test_it_runs_a_job_at_once_where_tasks_are_eager(office_a, settings, mailoutbox):
    settings.PORTICO_TASKS_EAGER = True
    ann = make_contact(office_a, "Ann", email="ann@example.com")
    staff = office_a.staff_client()
    response = staff.post(
        "/office/contacts/bulk/", {"action": "login_email", "contact": [ann.pk], "portal": "off"}, follow=True
    )
    html = response.content.decode()
    assert "data-percent>100%" in html and "Every contact was handled." in html and "hx-trigger" not in html
    assert [m.to for m in mailoutbox] == [["ann@example.com"]]


def test_it_shows_no_job_to_another_office(office_a, office_b):
    ann = make_contact(office_a, "Ann")
    job_id, _ = start(office_a.staff_client(), "disable", [ann])
    stranger = office_b.staff_client()
    assert stranger.get(f"/office/jobs/{job_id}/").status_code == 404
    stranger.defaults["HTTP_HOST"] = office_a.host
    for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
        response = stranger.get(f"/office/jobs/{job_id}/", **headers)
        assert response.status_code == 302 and response["Location"].startswith("/office/login/")
        assert b"Ann" not in response.content
    connection.set_schema_to_public()
