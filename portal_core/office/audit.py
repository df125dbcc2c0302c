"""The office's audit log: every security event, filtered by person and kind, exported as CSV."""

import csv

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.urls import path

from ..audit import Kind, audit_events, audit_record
from .shell import render_office, staff_required


def _filters(request) -> tuple[str, str]:
    person = request.GET.get("person", "").replace("\x00", "").strip()[:254]
    kind = request.GET.get("kind", "")
    return person, kind if kind in Kind.values else ""


@staff_required
def audit_log(request):
    person, kind = _filters(request)
    page = Paginator(audit_events(person=person, kind=kind), 50).get_page(request.GET.get("page"))
    return render_office(
        request,
        "portal_core/office/audit.html",
        {"page": page, "person": person, "kind": kind, "kinds": Kind.choices},
    )


def _csv_cell(value) -> str:
    """A cell a spreadsheet never runs as a formula."""
    text = str(value if value is not None else "")
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@staff_required
def audit_export(request):
    person, kind = _filters(request)
    audit_record(kind=Kind.EXPORT, request=request, what="audit log")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="audit-log.csv"'
    writer = csv.writer(response)
    writer.writerow(["time (UTC)", "event", "who", "kind of person", "IP address", "browser", "details"])
    for event in audit_events(person=person, kind=kind).iterator():
        details = "; ".join(f"{k}={v}" for k, v in event.data.items())
        writer.writerow(
            [
                _csv_cell(cell)
                for cell in (
                    event.created_at.isoformat(),
                    event.get_kind_display(),
                    event.actor_label,
                    event.get_actor_kind_display(),
                    event.ip,
                    event.user_agent,
                    details,
                )
            ]
        )
    return response


urlpatterns = [
    path("audit/", audit_log, name="audit"),
    path("audit/export.csv", audit_export, name="audit-export"),
]
