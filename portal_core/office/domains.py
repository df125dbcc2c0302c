"""Portal → Domain: the office adds its own domain, reads exactly which records to add at its
registrar, checks them ("Check now"; the background checks run on their own), makes a verified
domain the portal's address, or removes it."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_POST

from tenants import domains as service
from tenants.hosts import office_host
from tenants.models import CustomDomain, Domain, Tenant

from .shell import errors_onto, render_office, staff_required


class DomainForm(forms.Form):
    domain = forms.CharField(
        label="Domain", max_length=253, help_text="For example portal.youragency.com",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "inputmode": "url"}),
    )  # fmt: skip


def _tenant(request) -> Tenant:
    return Tenant.objects.select_related("plan").get(pk=request.tenant.pk)


def _own(request, pk: int) -> CustomDomain:
    queryset = CustomDomain.objects.select_related("tenant").exclude(status=CustomDomain.Status.REMOVED)
    return get_object_or_404(queryset, pk=pk, tenant_id=request.tenant.pk)


@staff_required
def domains_page(request):
    tenant = _tenant(request)
    form = DomainForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            added = service.custom_domain_add(tenant=tenant, domain=form.cleaned_data["domain"])
        except ValidationError as exc:
            errors_onto(form, exc, default="domain")
        else:
            messages.success(request, f"{added.domain} is added. Add the records below at your registrar.")
            return redirect("office:domains")
    primary = Domain.objects.filter(tenant=tenant, is_primary=True).values_list("domain", flat=True).first()
    rows = []
    listed = CustomDomain.objects.filter(tenant=tenant).exclude(status=CustomDomain.Status.REMOVED)
    for d in listed.select_related("tenant"):
        results = {result["key"]: result for result in d.results}
        records = [(record, results.get(record.key, {})) for record in service.records_for(d)]
        just_checked = d.checked_at is not None and timezone.now() - d.checked_at < timedelta(minutes=1)
        rows.append(
            {
                "domain": d,
                "records": records,
                "primary": d.domain == primary,
                "just_checked": just_checked,
                "taken": "taken" in results,  # another office's portal is served there
            }
        )
    context = {
        "form": form,
        "rows": rows,
        "subdomain": office_host(tenant.slug),
        "subdomain_primary": primary == office_host(tenant.slug),
        "limit": tenant.plan.max_custom_domains if tenant.plan_id else 0,
        "propagation": service.PROPAGATION,
    }
    return render_office(request, "portal_core/office/domains.html", context)


@staff_required
@require_POST
def domain_check(request, pk: int):
    checked = service.custom_domain_check_now(custom_domain=_own(request, pk))
    messages.info(request, f"{checked.domain}: {checked.get_status_display()}.")
    return redirect("office:domains")


@staff_required
@require_POST
def domain_primary(request, pk: int):
    try:
        service.custom_domain_make_primary(custom_domain=_own(request, pk))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Your portal's address is changed. Links and emails use it from now on.")
    return redirect("office:domains")


@staff_required
@require_POST
def domain_primary_reset(request):
    service.custom_domain_primary_reset(tenant=_tenant(request))
    messages.success(request, "Your portal's address is its subdomain again.")
    return redirect("office:domains")


@staff_required
@require_POST
def domain_remove(request, pk: int):
    removed = _own(request, pk)
    service.custom_domain_remove(custom_domain=removed)
    messages.success(request, f"{removed.domain} is removed; your portal is no longer served there.")
    return redirect("office:domains")


urlpatterns = [
    path("domain/", domains_page, name="domains"),
    path("domain/<int:pk>/check/", domain_check, name="domain-check"),
    path("domain/<int:pk>/primary/", domain_primary, name="domain-primary"),
    path("domain/primary-reset/", domain_primary_reset, name="domain-primary-reset"),
    path("domain/<int:pk>/remove/", domain_remove, name="domain-remove"),
]
