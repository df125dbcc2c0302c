"""Background work of the portal core: office actions on many contacts at once (bulk jobs).

A job is created by ``bulk_job_start`` and run by ``bulk_job_run`` in the worker, inside the
office's schema (``tenants.queue.enqueue``). Each contact is one step calling the same service an
office button calls; a contact that cannot be handled (no email, disabled…) is counted as failed
with the reason, and the job goes on."""

from __future__ import annotations

import logging
import smtplib
from typing import TYPE_CHECKING

from anymail.exceptions import AnymailError
from django.db import transaction
from django.utils import timezone

from tenants.queue import enqueue

from .access import (
    AccessError,
    magic_link_send,
    portal_account_disable,
    portal_account_enable,
    portal_account_for,
    portal_account_invite,
)
from .models import BulkJob, Contact, PortalAccount

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

logger = logging.getLogger(__name__)

BULK_ACTIONS = {
    "invite": "Invite to the portal",
    "login_email": "Send login email",
    "disable": "Disable portal access",
    "enable": "Enable portal access",
}
BULK_MAX_CONTACTS = 5000
EMAIL_ERRORS = (smtplib.SMTPException, OSError, AnymailError)


def bulk_job_start(
    *,
    action: str,
    contact_ids: list[int],
    created_by: AbstractBaseUser | None = None,
    params: dict | None = None,
) -> BulkJob:
    """Record a job for ``action`` on these contacts and queue it (after the surrounding commit)."""
    if action not in BULK_ACTIONS:
        raise ValueError(f"Unknown bulk action {action!r}")
    ids = list(dict.fromkeys(int(pk) for pk in contact_ids))
    if not ids:
        raise ValueError("A bulk job needs at least one contact.")
    if len(ids) > BULK_MAX_CONTACTS:
        raise ValueError(f"A bulk job handles at most {BULK_MAX_CONTACTS} contacts.")
    job = BulkJob.objects.create(
        action=action, params=params or {}, contact_ids=ids, total=len(ids), created_by=created_by
    )
    enqueue("portal_core.tasks.bulk_job_run", job.pk, task_name=f"bulk-{action}-{job.pk}")
    return job


def _actor(job: BulkJob) -> str:
    return job.created_by.email if job.created_by_id and job.created_by else "bulk action"


def _bulk_step(job: BulkJob, contact: Contact, actor: str) -> None:
    account = portal_account_for(contact=contact)
    if job.action == "invite":
        portal_account_invite(
            account=account,
            custom_message=job.params.get("custom_message", ""),
            temporary_password=bool(job.params.get("temporary_password")),
            actor=actor,
        )
    elif job.action == "login_email":
        magic_link_send(account=account, actor=actor, kind="login_email")
    elif job.action == "disable":
        if account.status != PortalAccount.Status.DISABLED:
            portal_account_disable(account=account, actor=actor)
    elif job.action == "enable":
        if account.status == PortalAccount.Status.DISABLED:
            portal_account_enable(account=account, actor=actor)


def bulk_job_run(job_id: int) -> None:
    """Work through a bulk job, saving progress after every contact so the office page can show it.
    Safe to run again (tasks are delivered at least once): it resumes after the last contact done."""
    with transaction.atomic():
        job = (
            BulkJob.objects.select_for_update(of=("self",))
            .select_related("created_by")
            .filter(pk=job_id)
            .first()
        )
        if job is None or job.status in (BulkJob.Status.DONE, BulkJob.Status.FAILED):
            return
        job.status = BulkJob.Status.RUNNING
        job.save(update_fields=["status"])
    actor = _actor(job)
    contacts = Contact.objects.in_bulk(job.contact_ids)
    try:
        for contact_id in job.contact_ids[job.done + job.failed :]:
            contact = contacts.get(contact_id)
            error = ""
            if contact is None:
                error = "This contact no longer exists"
            else:
                try:
                    with transaction.atomic():
                        _bulk_step(job, contact, actor)
                except AccessError as exc:
                    error = exc.message
                except EMAIL_ERRORS:
                    logger.exception("bulk job %s: no email for contact %s", job.pk, contact_id)
                    error = "The email could not be sent; nothing was changed for this contact"
                except Exception:  # one contact must not stop the others
                    logger.exception("bulk job %s failed on contact %s", job.pk, contact_id)
                    error = "Something went wrong with this contact; please try again"
            if error:
                job.failed += 1
                job.errors.append(
                    {"contact_id": contact_id, "name": contact.full_name if contact else "", "message": error}
                )
            else:
                job.done += 1
            job.save(update_fields=["done", "failed", "errors"])
    except Exception:
        job.status = BulkJob.Status.FAILED
        job.finished = timezone.now()
        job.save(update_fields=["status", "finished"])
        raise
    job.status = BulkJob.Status.DONE
    job.finished = timezone.now()
    job.save(update_fields=["status", "finished"])
