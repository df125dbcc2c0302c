"""The office's contacts, companies and their portal accounts (``office:`` namespace).

Every action calls a service (``contacts``, ``access``, ``profile``, ``tasks``); the views only
turn requests into calls and results into messages and pages."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from .. import contacts as contact_services
from ..access import (
    AccessError,
    access_token_get_or_create,
    magic_link_send,
    portal_account_disable,
    portal_account_enable,
    portal_account_for,
    portal_account_invite,
    portal_account_reset_password,
)
from ..activity import activity_record
from ..audit import Kind as AuditKind
from ..audit import audit_record
from ..email_preferences import (
    contact_email_working_mark,
    contact_resubscribe,
    topic_label,
    unsubscribed_topics,
)
from ..forms_contacts import (
    BulkForm,
    CompanyForm,
    CompanySearchForm,
    ContactFilterForm,
    ContactForm,
    ImportForm,
    InviteForm,
    SharedFileForm,
)
from ..models import ActivityEntry, BulkJob, Company, Contact, PortalAccount, SharedFile
from ..profile import shared_file_upload
from ..selectors import enabled_parts, portal_config_get
from ..services import portal_config_update
from ..tasks import BULK_ACTIONS, EMAIL_ERRORS, bulk_job_start
from .pages import preview_start
from .shell import actor, query_without, render_office, staff_required

logger = logging.getLogger(__name__)
CONTACTS_PER_PAGE = 50
COMPANIES_PER_PAGE = 50
ACTIVITY_PER_PAGE = 20
DIRECT_LINK_SESSION = "office:direct-link"
IMPORT_REPORT_SESSION = "office:import-report"
IMPORT_REPORT_MAX_ERRORS = 500
HOLDERS = {"contact": Contact, "company": Company}


# --- contacts -----------------------------------------------------------------------------------


@staff_required
def contact_list(request):
    form = ContactFilterForm(request.GET or None)
    filters = form.filters()
    contacts = contact_services.contact_search(**filters)
    page = Paginator(contacts, CONTACTS_PER_PAGE).get_page(request.GET.get("page"))
    return render_office(
        request,
        "portal_core/office/contacts/list.html",
        {
            "form": form,
            "page": page,
            "filtered": any(filters.values()),
            "query_string": query_without(request, "page"),
            "bulk_actions": BULK_ACTIONS.items(),
            "total": Contact.objects.count(),
        },
    )


@staff_required
def contact_create(request):
    initial = {"owner": request.user.pk}
    if request.GET.get("company", "").isdigit():
        initial["company"] = request.GET["company"]
    form = ContactForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            contact = contact_services.contact_create(**form.cleaned_data, actor=actor(request))
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"{contact.full_name} is added.")
            _warn_email_conflict(request, contact)
            return redirect("office:contact-detail", pk=contact.pk)
    return render_office(
        request, "portal_core/office/contacts/form.html", {"form": form, "title": "New contact"}
    )


@staff_required
def contact_edit(request, pk):
    contact = get_object_or_404(Contact, pk=pk)
    form = ContactForm(request.POST or None, instance=contact)
    if request.method == "POST" and form.is_valid():
        try:
            # A fresh copy: validating the form already applied its values to ``contact``.
            saved = contact_services.contact_update(
                contact=Contact.objects.get(pk=pk), **form.cleaned_data, actor=actor(request)
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Contact saved.")
            _warn_email_conflict(request, saved)
            return redirect("office:contact-detail", pk=pk)
    return render_office(
        request,
        "portal_core/office/contacts/form.html",
        {"form": form, "contact": contact, "title": f"Edit {contact.full_name}"},
    )


def _warn_email_conflict(request, contact: Contact) -> None:
    if contact_services.contacts_sharing_email(contact).exists():
        messages.warning(
            request,
            f"Another contact also uses {contact.email}. Each keeps their own portal account and "
            "password, but they cannot reset a forgotten password themselves.",
        )


@staff_required
@never_cache
def contact_detail(request, pk):
    contact = get_object_or_404(Contact.objects.select_related("company", "owner"), pk=pk)
    account = PortalAccount.objects.filter(contact=contact).first()
    activity = ActivityEntry.objects.filter(contact=contact).select_related("account")
    return render_office(
        request,
        "portal_core/office/contacts/detail.html",
        {
            "contact": contact,
            "conflicts": contact_services.contacts_sharing_email(contact).select_related("company"),
            **_account_context(request, "contact", contact, account),
            "activity": Paginator(activity, ACTIVITY_PER_PAGE).get_page(request.GET.get("activity")),
            "module_panels": _module_panels(request, contact),
            "unsubscribed": unsubscribed_topics(contact),
        },
    )


@staff_required
@require_POST
def contact_email_working(request, pk):
    contact = get_object_or_404(Contact, pk=pk)
    if contact_email_working_mark(contact=contact, actor=actor(request)):
        messages.success(request, f"{contact.email} is marked as working: notifications go to it again.")
    return redirect("office:contact-detail", pk=pk)


def _module_panels(request, contact) -> list:
    """The cards the office's switched-on modules add to a contact's page."""
    return [
        (module.key, panel)
        for module, contact_panels in enabled_parts("contact_panels")
        for panel in contact_panels(request, contact)
    ]


# --- companies ----------------------------------------------------------------------------------


@staff_required
def company_list(request):
    form = CompanySearchForm(request.GET or None)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    page = Paginator(contact_services.company_search(query=query), COMPANIES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render_office(
        request,
        "portal_core/office/companies/list.html",
        {"form": form, "page": page, "query": query, "query_string": query_without(request, "page")},
    )


@staff_required
def company_create(request):
    form = CompanyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            company = contact_services.company_create(**form.cleaned_data, actor=actor(request))
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"{company.name} is added.")
            return redirect("office:company-detail", pk=company.pk)
    return render_office(
        request, "portal_core/office/companies/form.html", {"form": form, "title": "New company"}
    )


@staff_required
def company_edit(request, pk):
    company = get_object_or_404(Company, pk=pk)
    form = CompanyForm(request.POST or None, instance=company)
    if request.method == "POST" and form.is_valid():
        try:
            contact_services.company_update(
                company=Company.objects.get(pk=pk), **form.cleaned_data, actor=actor(request)
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Company saved.")
            return redirect("office:company-detail", pk=pk)
    return render_office(
        request,
        "portal_core/office/companies/form.html",
        {"form": form, "company": company, "title": f"Edit {company.name}"},
    )


@staff_required
@never_cache
def company_detail(request, pk):
    company = get_object_or_404(Company, pk=pk)
    account = PortalAccount.objects.filter(company=company).first()
    activity = ActivityEntry.objects.filter(company=company, contact=None).select_related("account")
    contacts = company.contacts.select_related("portal_account").order_by("last_name", "first_name")
    return render_office(
        request,
        "portal_core/office/companies/detail.html",
        {
            "company": company,
            "contacts": contacts,
            **_account_context(request, "company", company, account),
            "activity": Paginator(activity, ACTIVITY_PER_PAGE).get_page(request.GET.get("activity")),
            "module_panels": _company_panels(request, company),
            "unsubscribed": unsubscribed_topics(company),
        },
    )


def _topic_on(request, recipient, detail: str):
    topic = (request.POST.get("topic") or "")[:100]
    if contact_resubscribe(contact=recipient, topic=topic):
        messages.success(request, f"{recipient.email} gets {topic_label(topic).lower()} again.")
    return redirect(detail, pk=recipient.pk)


@staff_required
@require_POST
def contact_topic_on(request, pk):
    """The client asked to get a kind of notification again (they had unsubscribed from it)."""
    return _topic_on(request, get_object_or_404(Contact, pk=pk), "office:contact-detail")


@staff_required
@require_POST
def company_topic_on(request, pk):
    return _topic_on(request, get_object_or_404(Company, pk=pk), "office:company-detail")


@staff_required
@require_POST
def company_email_working(request, pk):
    company = get_object_or_404(Company, pk=pk)
    if contact_email_working_mark(contact=company, actor=actor(request)):
        messages.success(request, f"{company.email} is marked as working: notifications go to it again.")
    return redirect("office:company-detail", pk=pk)


def _company_panels(request, company) -> list:
    """The cards the office's switched-on modules add to a company's page."""
    return [
        (module.key, panel)
        for module, company_panels in enabled_parts("company_panels")
        for panel in company_panels(request, company)
    ]


# --- one portal account: shared by contacts and companies ---------------------------------------


def _account_urls(kind: str, pk: int) -> dict[str, str]:
    names = [
        "invite",
        "direct-link",
        "login-email",
        "reset-password",
        "reset-two-factor",
        "disable",
        "enable",
        "preview",
    ]
    urls = {name.replace("-", "_"): reverse(f"office:{kind}-{name}", args=[pk]) for name in names}
    urls["upload"] = reverse(f"office:{kind}-file-upload", args=[pk])
    return urls


INVITATION_KINDS = ("invitation", "invitation_temporary_password")


def _account_context(request, kind: str, holder, account: PortalAccount | None) -> dict:
    link = request.session.get(DIRECT_LINK_SESSION)
    direct_link = None
    if link and account is not None and link.get("account") == account.pk:
        direct_link = request.session.pop(DIRECT_LINK_SESSION)
    return {
        "kind": kind,
        "holder": holder,
        "account": account,
        "account_urls": _account_urls(kind, holder.pk),
        "invite_form": InviteForm(),
        "direct_link": direct_link,
        "invitation_email": (
            account.emails.filter(kind__in=INVITATION_KINDS).first() if account is not None else None
        ),
        "files": SharedFile.objects.filter(account=account) if account else SharedFile.objects.none(),
        "file_form": SharedFileForm(),
        "file_sharing_on": portal_config_get().allow_file_sharing,
    }


def _holder_or_404(kind: str, pk: int):
    return get_object_or_404(HOLDERS[kind], pk=pk)


def _detail(kind: str, pk: int):
    return redirect(f"office:{kind}-detail", pk=pk)


def _run(request, kind: str, pk: int, action, *, notify: bool = True) -> tuple[PortalAccount | None, str]:
    """Run ``action(account)`` on the holder's account (created when missing) in one transaction:
    when the service refuses, nothing stays behind, not even the new account. Returns the account
    (None on refusal) and the refusal's message; ``notify`` puts either outcome in the messages."""
    holder = _holder_or_404(kind, pk)
    try:
        with transaction.atomic():
            account = portal_account_for(**{kind: holder})
            result = action(account)
    except AccessError as exc:
        error = _sentence(exc.message)
    except EMAIL_ERRORS:
        logger.exception("office action on %s %s: the email could not be sent", kind, pk)
        error = "The email could not be sent just now, so nothing was changed. Please try again in a moment."
    else:
        if notify and isinstance(result, str) and result:
            messages.success(request, result)
        return account, ""
    if notify:
        messages.error(request, error)
    return None, error


def _sentence(text: str) -> str:
    return text if text.endswith((".", "!", "?")) else f"{text}."


def portal_off_answer(request, *, what: str, count: int, back: str):
    """Emails that invite clients in while the portal is off: ask first, and offer to switch it on.
    None when the portal is on or the office has answered (``portal=on`` switches it on)."""
    config = portal_config_get()
    answer = request.POST.get("portal")
    if config.is_active or answer == "off":
        return None
    if answer == "on":
        portal_config_update(config=config, is_active=True)
        messages.success(request, "Your client portal is on: clients can sign in.")
        return None
    fields = [
        (k, v)
        for k, values in request.POST.lists()
        if k not in ("csrfmiddlewaretoken", "portal")
        for v in values
    ]
    context = {"what": what, "count": count, "fields": fields, "action": request.path, "back": back}
    return render_office(request, "portal_core/office/portal_off.html", context)


@staff_required
def account_invite(request, pk, *, kind):
    holder = _holder_or_404(kind, pk)
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        asked = portal_off_answer(
            request, what=f"Invite {holder} to the portal?", count=1, back=_detail(kind, pk).url
        )
        if asked is not None:
            return asked
        temporary = form.cleaned_data["delivery"] == InviteForm.TEMPORARY_PASSWORD

        def invite(account):
            portal_account_invite(
                account=account,
                custom_message=form.cleaned_data["custom_message"],
                temporary_password=temporary,
                actor=actor(request),
            )
            how = "a temporary password" if temporary else "a link to set their password"
            return f"Invitation sent to {account.email} with {how}."

        _run(request, kind, pk, invite)
        return _detail(kind, pk)
    return render_office(
        request,
        "portal_core/office/contacts/invite.html",
        {"form": form, "holder": holder, "kind": kind, "action": reverse(f"office:{kind}-invite", args=[pk])},
    )


@staff_required
@require_POST
def account_direct_link(request, pk, *, kind):
    link = {}

    def direct_link(account):
        if account.status == PortalAccount.Status.DISABLED:
            raise AccessError("This portal account is disabled. Enable it first", code="disabled")
        token = access_token_get_or_create(account=account, created_by=actor(request))
        expires = date_format(timezone.localtime(token.token.expires_at), "j F Y")
        link.update(account=account.pk, url=token.url, expires=expires)
        return ""

    account, error = _run(request, kind, pk, direct_link, notify=not request.htmx)
    if request.htmx:
        return render(
            request,
            "portal_core/office/contacts/_direct_link.html",
            {"direct_link": link, "error": error, "holder": account.holder if account else None},
        )
    if account is not None:
        request.session[DIRECT_LINK_SESSION] = link
    return _detail(kind, pk)


@staff_required
@require_POST
def account_login_email(request, pk, *, kind):
    def login_email(account):
        magic_link_send(account=account, actor=actor(request), kind="login_email")
        return f"Login email sent to {account.email}."

    _run(request, kind, pk, login_email)
    return _detail(kind, pk)


@staff_required
@require_POST
def account_reset_two_factor(request, pk, *, kind):
    """For a client who lost their phone: their authenticator app and recovery codes are removed
    (recorded on the contact), so they sign in with their password alone and may set it up again."""

    def reset(account):
        from .. import two_factor

        if not two_factor.second_factor_remove(kind=two_factor.CLIENT, holder_id=account.pk):
            return "This client has no two-factor sign-in to reset."
        activity_record(
            account=account,
            verb="two_factor_reset_by_office",
            actor=ActivityEntry.Actor.STAFF,
            actor_label=actor(request),
            visible_to_client=False,
        )
        audit_record(kind=AuditKind.TWO_FACTOR_RESET, request=request, client=account.email)
        return "Two-factor sign-in reset: they sign in with their password and may set it up again."

    _run(request, kind, pk, reset)
    return _detail(kind, pk)


@staff_required
@require_POST
def account_reset_password(request, pk, *, kind):
    def reset(account):
        portal_account_reset_password(account=account, actor=actor(request))
        return (
            "Password reset: the old password no longer works. Send a portal invite or copy the "
            "direct link so they can choose a new one."
        )

    _run(request, kind, pk, reset)
    return _detail(kind, pk)


@staff_required
@require_POST
def account_disable(request, pk, *, kind):
    def disable(account):
        if account.status == PortalAccount.Status.DISABLED:
            return "Portal access was already disabled."
        portal_account_disable(account=account, actor=actor(request))
        return "Portal access disabled. Their links and sessions no longer work; their data is kept."

    _run(request, kind, pk, disable)
    return _detail(kind, pk)


@staff_required
@require_POST
def account_enable(request, pk, *, kind):
    def enable(account):
        if account.status != PortalAccount.Status.DISABLED:
            return "Portal access was already enabled."
        portal_account_enable(account=account, actor=actor(request))
        return "Portal access enabled."

    _run(request, kind, pk, enable)
    return _detail(kind, pk)


@staff_required
@require_POST
def account_preview(request, pk, *, kind):
    """Preview for a holder that has no portal account yet: create it, then ``office:preview-start``."""
    account = portal_account_for(**{kind: _holder_or_404(kind, pk)})
    return preview_start(request, account.pk)


@staff_required
@require_POST
def account_file_upload(request, pk, *, kind):
    holder = _holder_or_404(kind, pk)
    form = SharedFileForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "Choose a file to upload.")
        return _detail(kind, pk)
    try:
        with transaction.atomic():
            account = portal_account_for(**{kind: holder})
            shared = shared_file_upload(
                account=account,
                upload=form.cleaned_data["file"],
                uploaded_by="staff",
                actor_label=actor(request),
            )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"{shared.name} is shared with {account.display_name}.")
    return _detail(kind, pk)


@staff_required
def account_file_download(request, pk, file_pk, *, kind):
    shared = get_object_or_404(SharedFile, pk=file_pk, **{f"account__{kind}_id": pk})
    return FileResponse(
        shared.file.open("rb"), as_attachment=True, filename=shared.name, content_type=shared.content_type
    )


# --- bulk actions -------------------------------------------------------------------------------


@staff_required
@require_POST
def contacts_bulk(request):
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}) or not back.startswith(
        "/office/"
    ):
        back = reverse("office:contacts")
    form = BulkForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(back)
    if form.cleaned_data["action"] in ("invite", "login_email"):
        count = len(form.cleaned_data["contact"])
        label = BULK_ACTIONS[form.cleaned_data["action"]].lower()
        asked = portal_off_answer(
            request,
            what=f"{label.capitalize()}: {count} contact{'s' if count != 1 else ''}?",
            count=count,
            back=back,
        )
        if asked is not None:
            return asked
    job = bulk_job_start(
        action=form.cleaned_data["action"],
        contact_ids=[c.pk for c in form.cleaned_data["contact"]],
        created_by=request.user,
    )
    return redirect("office:job-detail", pk=job.pk)


@staff_required
@never_cache
def job_detail(request, pk):
    job = get_object_or_404(BulkJob.objects.select_related("created_by"), pk=pk)
    context = {"job": job, "action_label": BULK_ACTIONS.get(job.action, job.action)}
    if request.htmx:
        return render(request, "portal_core/office/jobs/_progress.html", context)
    return render_office(request, "portal_core/office/jobs/detail.html", context)


# --- CSV import ---------------------------------------------------------------------------------


@staff_required
def contacts_import(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            report = contact_services.contacts_import_csv(
                file=form.cleaned_data["file"], owner=request.user, actor=actor(request)
            )
        except ValidationError as exc:
            form.add_error("file", exc)
        else:
            data = report.as_dict()
            data["errors_total"] = len(data["errors"])
            data["errors"] = data["errors"][:IMPORT_REPORT_MAX_ERRORS]
            data["failed_rows"] = report.failed_rows
            request.session[IMPORT_REPORT_SESSION] = data
            return redirect("office:contacts-import")
    report = request.session.pop(IMPORT_REPORT_SESSION, None) if request.method == "GET" else None
    return render_office(
        request,
        "portal_core/office/contacts/import.html",
        {"form": form, "report": report, "columns": contact_services.IMPORT_COLUMNS},
    )


@staff_required
def contacts_import_sample(request):
    response = HttpResponse(
        "first_name,last_name,email,phone,language,company\r\n"
        "Anna,de Vries,anna@example.com,+31 6 12345678,nl,Vries Holding\r\n"
        "Ben,Smith,,+44 20 7946 0000,en,\r\n",
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="contacts-sample.csv"'
    return response


def _account_patterns(prefix: str, kind: str) -> list:
    views = [
        ("invite", account_invite),
        ("direct-link", account_direct_link),
        ("login-email", account_login_email),
        ("reset-password", account_reset_password),
        ("reset-two-factor", account_reset_two_factor),
        ("disable", account_disable),
        ("enable", account_enable),
        ("preview", account_preview),
    ]
    return [
        *[
            path(f"{prefix}/<int:pk>/portal/{name}/", view, {"kind": kind}, name=f"{kind}-{name}")
            for name, view in views
        ],
        path(f"{prefix}/<int:pk>/files/", account_file_upload, {"kind": kind}, name=f"{kind}-file-upload"),
        path(
            f"{prefix}/<int:pk>/files/<int:file_pk>/",
            account_file_download,
            {"kind": kind},
            name=f"{kind}-file-download",
        ),
    ]


urlpatterns = [
    path("contacts/", contact_list, name="contacts"),
    path("contacts/new/", contact_create, name="contact-create"),
    path("contacts/import/", contacts_import, name="contacts-import"),
    path("contacts/import/sample.csv", contacts_import_sample, name="contacts-import-sample"),
    path("contacts/bulk/", contacts_bulk, name="contacts-bulk"),
    path("contacts/<int:pk>/", contact_detail, name="contact-detail"),
    path("contacts/<int:pk>/edit/", contact_edit, name="contact-edit"),
    path("contacts/<int:pk>/email-working/", contact_email_working, name="contact-email-working"),
    path("contacts/<int:pk>/email-topic-on/", contact_topic_on, name="contact-topic-on"),
    *_account_patterns("contacts", "contact"),
    path("companies/", company_list, name="companies"),
    path("companies/new/", company_create, name="company-create"),
    path("companies/<int:pk>/", company_detail, name="company-detail"),
    path("companies/<int:pk>/edit/", company_edit, name="company-edit"),
    path("companies/<int:pk>/email-working/", company_email_working, name="company-email-working"),
    path("companies/<int:pk>/email-topic-on/", company_topic_on, name="company-topic-on"),
    *_account_patterns("companies", "company"),
    path("jobs/<int:pk>/", job_detail, name="job-detail"),
]
