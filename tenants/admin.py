import threading

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.models import CHANGE, DELETION, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import HttpResponseRedirect
from django.template.defaultfilters import pluralize
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from . import services
from .hosts import office_host, tenant_url
from .models import Domain, OperatorSecondFactor, Plan, Tenant
from .selectors import tenant_usage_counts

# The operators' home: Portico's dashboard above the data pages (django-tenants ships its own
# admin/index.html, so the page has a name of its own).
admin.site.index_template = "admin/portico_index.html"


class DomainInline(admin.TabularInline):
    model = Domain
    extra = 0
    fields = ["domain", "is_primary", "verified", "created"]
    readonly_fields = ["created"]


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "code",
        "max_portal_accounts",
        "api_requests_per_minute",
        "max_custom_domains",
        "modules",
        "is_default",
        "tenant_count",
    ]
    prepopulated_fields = {"code": ["name"]}

    @admin.display(description="Modules")
    def modules(self, plan):
        return ", ".join(plan.allowed_modules) or "All"

    @admin.display(description="Offices")
    def tenant_count(self, plan):
        return plan.tenants.count()


class OfficeStatusFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [(Tenant.Status.ACTIVE, "Active"), (Tenant.Status.SUSPENDED, "Suspended")]

    def queryset(self, request, queryset):
        return queryset.filter(status=self.value()) if self.value() else queryset


def offices_count(count: int) -> str:
    return f"{count} office{pluralize(count)}"


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="Reason",
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Recorded with the change and shown to the office's owner on their suspended office pages.",
    )


class DeleteConfirmForm(forms.Form):
    reason = forms.CharField(
        label="Reason",
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Recorded with the deletion and emailed to the office's owner.",
    )
    confirm_slug = forms.CharField(label="Type the office's subdomain to confirm")


@admin.register(Tenant)
class TenantAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "slug",
        "status",
        "plan",
        "domain_list",
        "created",
        "staff_count",
        "portal_account_count",
        "open_links",
    ]
    list_filter = [OfficeStatusFilter, "plan"]
    search_fields = ["name", "slug", "domains__domain"]
    readonly_fields = ["schema_name", "created", "suspended_at"]
    fields = ["name", "slug", "status", "plan", "schema_name", "created", "suspended_at", "suspension_reason"]
    inlines = [DomainInline]
    actions = ["suspend", "resume", "delete_with_export"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(status__in=[Tenant.Status.ACTIVE, Tenant.Status.SUSPENDED])
            .select_related("plan")
            .prefetch_related("domains")
        )

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def has_add_permission(self, request):
        return False  # offices are created by sign-up, which claims a ready schema

    def has_delete_permission(self, request, obj=None):
        return False  # only through "delete with export"

    _page = threading.local()  # usage counts of the page being rendered, one query per page

    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        self._page.usage = tenant_usage_counts([t.schema_name for t in changelist.result_list])
        return changelist

    def _usage_for(self, tenant):
        return getattr(self._page, "usage", {}).get(tenant.schema_name, {})

    @admin.display(description="Domains")
    def domain_list(self, tenant):
        return format_html_join(", ", "{}", ((d.domain,) for d in tenant.domains.all()))

    @admin.display(description="Staff")
    def staff_count(self, tenant):
        return self._usage_for(tenant).get("staff", "–")

    @admin.display(description="Portal accounts")
    def portal_account_count(self, tenant):
        return self._usage_for(tenant).get("portal_accounts", "–")

    @admin.display(description="Open")
    def open_links(self, tenant):
        host = next((d.domain for d in tenant.domains.all() if d.is_primary), office_host(tenant.slug))
        base = tenant_url(self._request, host, "") if getattr(self, "_request", None) else f"//{host}"
        return format_html(
            '<span class="portico-open"><a href="{}/" target="_blank" rel="noopener">Portal</a>'
            '<a href="{}/office/" target="_blank" rel="noopener">Office</a></span>',
            base,
            base,
        )

    def changelist_view(self, request, extra_context=None):
        self._request = request
        ready = Tenant.objects.filter(status=Tenant.Status.POOLED).count()
        subtitle = f"{ready} ready schema{pluralize(ready)} in the pool"
        extra_context = {"subtitle": subtitle, **(extra_context or {})}
        return super().changelist_view(request, extra_context)

    @admin.action(description="Suspend selected offices…")
    def suspend(self, request, queryset):
        ids = ",".join(str(pk) for pk in queryset.values_list("pk", flat=True))
        return HttpResponseRedirect(f"{reverse('admin:tenants_tenant_status', args=['suspend'])}?ids={ids}")

    @admin.action(description="Resume selected offices…")
    def resume(self, request, queryset):
        ids = ",".join(str(pk) for pk in queryset.values_list("pk", flat=True))
        return HttpResponseRedirect(f"{reverse('admin:tenants_tenant_status', args=['resume'])}?ids={ids}")

    def status_view(self, request, change):
        """Suspend or resume offices after a confirmation page that asks for the reason."""
        ids = [int(pk) for pk in request.GET.get("ids", "").split(",") if pk.isdigit()]
        offices = list(self.get_queryset(request).filter(pk__in=ids))
        if change not in ("suspend", "resume") or not offices:
            self.message_user(request, "Choose one or more offices first.", messages.ERROR)
            return HttpResponseRedirect(reverse("admin:tenants_tenant_changelist"))
        form = ReasonForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            reason = form.cleaned_data["reason"]
            for tenant in offices:
                if change == "suspend":
                    services.tenant_suspend(tenant=tenant, reason=reason)
                else:
                    services.tenant_resume(tenant=tenant)
            LogEntry.objects.log_actions(
                user_id=request.user.pk,
                queryset=offices,
                action_flag=CHANGE,
                change_message=f"{change.capitalize()}d: {reason}",
                single_object=len(offices) == 1,
            )
            done = "Suspended" if change == "suspend" else "Resumed"
            self.message_user(request, f"{done} {offices_count(len(offices))}: {reason}", messages.SUCCESS)
            return HttpResponseRedirect(reverse("admin:tenants_tenant_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "offices": offices,
            "change": change,
            "form": form,
            "opts": self.model._meta,
            "title": f"{change.capitalize()} {offices_count(len(offices))}?",
        }
        return TemplateResponse(request, "admin/tenants/tenant/status_confirm.html", context)

    @admin.action(description="Delete selected office (export first)…")
    def delete_with_export(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, "Delete one office at a time.", messages.ERROR)
            return None
        return HttpResponseRedirect(reverse("admin:tenants_tenant_delete_export", args=[queryset.get().pk]))

    def get_urls(self):
        return [
            path(
                "status/<str:change>/",
                self.admin_site.admin_view(self.status_view),
                name="tenants_tenant_status",
            ),
            path(
                "<int:pk>/delete-with-export/",
                self.admin_site.admin_view(self.delete_view_export),
                name="tenants_tenant_delete_export",
            ),
            *super().get_urls(),
        ]

    def delete_view_export(self, request, pk):
        tenant = self.get_queryset(request).get(pk=pk)
        form = DeleteConfirmForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                export = services.tenant_delete(
                    tenant=tenant,
                    confirm_slug=form.cleaned_data["confirm_slug"],
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as exc:
                form.add_error("confirm_slug", exc)
            except RuntimeError as exc:
                self.message_user(request, f"Nothing was deleted: {exc}", messages.ERROR)
                return HttpResponseRedirect(reverse("admin:tenants_tenant_changelist"))
            else:
                connection.set_schema_to_public()
                LogEntry.objects.create(
                    user_id=request.user.pk,
                    content_type=ContentType.objects.get_for_model(Tenant),
                    object_id=str(pk),
                    object_repr=f"{tenant.name} ({tenant.slug})",
                    action_flag=DELETION,
                    change_message=f"Deleted: {form.cleaned_data['reason']}",
                )
                self.message_user(
                    request, f"Deleted {tenant.name}. Export written to {export}.", messages.SUCCESS
                )
                return HttpResponseRedirect(reverse("admin:tenants_tenant_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "tenant": tenant,
            "form": form,
            "opts": self.model._meta,
            "title": f"Delete {tenant.name}",
        }
        return TemplateResponse(request, "admin/tenants/tenant/delete_with_export.html", context)


@admin.register(OperatorSecondFactor)
class OperatorSecondFactorAdmin(admin.ModelAdmin):
    """Operators' authenticator apps: delete one to reset it (its owner lost the phone); they set up
    a new one at their next sign-in. The deletion is kept in the console's history."""

    list_display = ("user", "confirmed_at", "recovery_codes_left")
    fields = ("user", "confirmed_at", "created_at")
    readonly_fields = fields

    @admin.display(description="Recovery codes left")
    def recovery_codes_left(self, factor):
        return len(factor.recovery_codes)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
