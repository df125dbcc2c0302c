"""Pages on the platform host: the landing page and self-service sign-up."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from .forms import ChangeSubdomainForm, FindOfficeForm, SignupForm, VerifyForm
from .hosts import office_host, tenant_url
from .models import SignupRequest
from .services import (
    SignupError,
    office_find_request,
    signup_change_subdomain,
    signup_start,
    signup_verify_code,
    signup_verify_link,
)
from .signin_policy import guarded


def landing(request):
    return render(request, "tenants/landing.html", {"plans": _landing_plans(), "find_form": FindOfficeForm()})


def _landing_plans() -> list[dict]:
    """The plans with a price, cheapest first, as the pricing table shows them (in English, as the
    platform's pages are)."""
    from babel.numbers import format_currency, format_decimal

    from .models import Plan

    rows = []
    for plan in Plan.objects.filter(monthly_price__isnull=False).order_by("monthly_price", "name"):
        price = plan.monthly_price
        whole = price == price.to_integral_value()
        rows.append(
            {
                "plan": plan,
                "accounts": format_decimal(plan.max_portal_accounts or 0, locale="en"),
                "price": format_currency(
                    price, plan.price_currency, locale="en", format="¤#,##0" if whole else None,
                    currency_digits=not whole,
                ),
            }
        )  # fmt: skip
    return rows


@guarded("office-find", account_field="email")
@never_cache
def office_find(request):
    """ "Sign in to your office": whatever the email, the same answer; the links go by email."""
    if request.method != "POST":
        return redirect(f"{reverse('landing')}#sign-in")
    form = FindOfficeForm(request.POST)
    if not form.is_valid():
        return render(
            request, "tenants/landing.html", {"plans": _landing_plans(), "find_form": form}, status=400
        )
    office_find_request(email=form.cleaned_data["email"])
    messages.success(
        request,
        f"If {form.cleaned_data['email']} works at an office on Portico, we have emailed it a link to "
        "each office's sign-in. It can take a minute to arrive.",
    )
    return redirect(f"{reverse('landing')}#sign-in")


@guarded("signup", account_field="email")
@never_cache
def signup(request):
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        base = tenant_url(request, settings.PORTICO_BASE_DOMAIN, "").rstrip("/")
        try:
            pending = signup_start(
                office_name=data["office_name"],
                slug=data["subdomain"],
                owner_name=data["owner_name"],
                email=data["email"],
                password=data["password"],
                verify_url_base=base,
                time_zone=data["time_zone"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect("signup-verify", signup_id=pending.id)
    return render(request, "tenants/signup.html", {"form": form})


def _land_in_office(request, provisioned) -> HttpResponseRedirect:
    host = office_host(provisioned.tenant.slug)
    return HttpResponseRedirect(tenant_url(request, host, f"/office/welcome/{provisioned.handoff_token}/"))


@guarded("signup-code")
@never_cache
def signup_verify(request, signup_id):
    pending = get_object_or_404(SignupRequest, pk=signup_id)
    form = VerifyForm(request.POST or None)
    subdomain_form = None
    if request.method == "POST" and "subdomain" in request.POST:
        subdomain_form = ChangeSubdomainForm(request.POST)
        if subdomain_form.is_valid():
            try:
                signup_change_subdomain(signup_id=pending.id, slug=subdomain_form.cleaned_data["subdomain"])
            except ValidationError as exc:
                subdomain_form.add_error("subdomain", exc)
            else:
                return redirect("signup-verify", signup_id=pending.id)
        form = VerifyForm()
    elif request.method == "POST" and form.is_valid():
        try:
            provisioned = signup_verify_code(signup_id=pending.id, code=form.cleaned_data["code"])
        except SignupError as exc:
            form.add_error("code", exc.message)
            if exc.code == "taken":
                subdomain_form = ChangeSubdomainForm()
        else:
            return _land_in_office(request, provisioned)
    pending.refresh_from_db()
    return render(
        request,
        "tenants/verify.html",
        {
            "form": form,
            "signup": pending,
            "subdomain_form": subdomain_form,
            "minutes": settings.PORTICO_SIGNUP_CODE_MINUTES,
        },
    )


@guarded("signup-confirm")
@never_cache
def signup_confirm(request, token):
    if request.method != "POST":
        # A mail scanner following the link must not provision the office: ask for one click.
        return render(request, "tenants/confirm.html", {"token": token})
    try:
        provisioned = signup_verify_link(token=token)
    except SignupError as exc:
        return render(request, "tenants/confirm.html", {"token": token, "error": exc.message}, status=400)
    return _land_in_office(request, provisioned)


def portal_signin(request):
    """The shared entry link on the platform host, ``/auth/signin?id=<portal_id>`` (or
    ``company_id=``), sends a client to their office's portal; without a known id, an
    information page tells them to ask their agent for the link (seed 000)."""
    from .models import Tenant

    portal_id = (request.GET.get("id") or request.GET.get("company_id") or "").strip()
    tenant = None
    if portal_id and len(portal_id) <= 32:
        tenant = Tenant.objects.filter(portal_id=portal_id, status=Tenant.Status.ACTIVE).first()
    if tenant is None:
        return render(request, "tenants/portal_link_needed.html", status=404 if portal_id else 200)
    return HttpResponseRedirect(tenant_url(request, tenant.primary_host(), "/auth/signin"))


def office_by_path(request, slug: str, then: str):
    """``<base>/<slug>/login`` and ``<base>/<slug>/`` on the platform host: to the office's sign-in or
    portal on its primary host; an unknown slug gets the page that says to ask for the link."""
    from .models import Tenant

    # A suspended office's host says so itself; pooled schemas have no slug.
    tenant = Tenant.objects.filter(
        slug=slug, status__in=[Tenant.Status.ACTIVE, Tenant.Status.SUSPENDED]
    ).first()
    if tenant is None:
        return render(request, "tenants/portal_link_needed.html", status=404)
    return HttpResponseRedirect(tenant_url(request, tenant.primary_host(), then))
