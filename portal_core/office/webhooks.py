"""Office pages at ``/office/webhooks/``: endpoints, their secret, test events, the delivery log."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Max, Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from webhooks.catalogue import event_catalogue
from webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from webhooks.services import (
    delivery_redeliver,
    endpoint_create,
    endpoint_delete,
    endpoint_disable,
    endpoint_enable,
    endpoint_secret_rotate,
    endpoint_send_test,
    endpoint_update,
)

from ..forms_webhooks import EndpointForm
from .shell import errors_onto, render_office, staff_required

DELIVERIES_PER_PAGE = 20


@staff_required
def endpoint_list(request):
    endpoints = WebhookEndpoint.objects.annotate(
        delivery_count=Count("deliveries"), last_delivery=Max("deliveries__created")
    ).order_by("-created", "-id")
    return render_office(
        request,
        "portal_core/office/webhooks/list.html",
        {"endpoints": endpoints, "descriptions": {t.name: t.description for t in event_catalogue()}},
    )


@staff_required
def endpoint_new(request):
    form = EndpointForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            endpoint = endpoint_create(
                url=form.cleaned_data["url"],
                description=form.cleaned_data["description"],
                event_types=form.chosen_event_types(),
            )
        except ValidationError as exc:
            errors_onto(form, exc)
        else:
            messages.success(request, "Endpoint added. Copy its signing secret to verify what we send.")
            return redirect("office:webhook-detail", pk=endpoint.pk)
    return render_office(request, "portal_core/office/webhooks/form.html", {"form": form, "endpoint": None})


@staff_required
def endpoint_edit(request, pk):
    endpoint = get_object_or_404(WebhookEndpoint, pk=pk)
    form = EndpointForm(request.POST or None, endpoint=endpoint)
    if request.method == "POST" and form.is_valid():
        try:
            endpoint_update(
                endpoint=endpoint,
                url=form.cleaned_data["url"],
                description=form.cleaned_data["description"],
                event_types=form.chosen_event_types(),
            )
        except ValidationError as exc:
            errors_onto(form, exc)
        else:
            messages.success(request, "Endpoint saved.")
            return redirect("office:webhook-detail", pk=endpoint.pk)
    return render_office(
        request, "portal_core/office/webhooks/form.html", {"form": form, "endpoint": endpoint}
    )


def _in_flight(delivery: WebhookDelivery) -> bool:
    """Pending, or retrying within the next two minutes (later retries do not keep the page busy)."""
    if delivery.status == WebhookDelivery.Status.PENDING:
        return True
    soon = timezone.now() + timedelta(minutes=2)
    return delivery.status == WebhookDelivery.Status.FAILED and bool(
        delivery.next_attempt_at and delivery.next_attempt_at <= soon
    )


def _detail_context(request, endpoint: WebhookEndpoint, *, reveal: bool = False) -> dict:
    deliveries = (
        WebhookDelivery.objects.filter(endpoint=endpoint)
        .select_related("event")
        .prefetch_related(Prefetch("attempts", queryset=WebhookAttempt.objects.order_by("number")))
        .order_by("-created", "-id")
    )
    status = request.GET.get("status", "")
    if status in WebhookDelivery.Status.values:
        deliveries = deliveries.filter(status=status)
    page = Paginator(deliveries, DELIVERIES_PER_PAGE).get_page(request.GET.get("page"))
    descriptions = {t.name: t.description for t in event_catalogue()}
    return {
        "endpoint": endpoint,
        "page": page,
        # While a delivery on this page is still on its way, the log refreshes itself.
        "in_flight": any(_in_flight(d) for d in page.object_list),
        "status": status,
        "statuses": WebhookDelivery.Status.choices,
        "reveal": reveal,
        "subscribed": [(name, descriptions.get(name, "")) for name in endpoint.event_types],
    }


@staff_required
@never_cache
def endpoint_detail(request, pk):
    endpoint = get_object_or_404(WebhookEndpoint, pk=pk)
    return render_office(
        request, "portal_core/office/webhooks/detail.html", _detail_context(request, endpoint)
    )


@staff_required
@never_cache
def endpoint_secret(request, pk):
    """The signing secret, shown only on request (an htmx click swaps it in; without script, the
    page reloads with it shown)."""
    endpoint = get_object_or_404(WebhookEndpoint, pk=pk)
    if request.htmx:
        context = {"endpoint": endpoint, "reveal": True}
        return render(request, "portal_core/office/webhooks/_secret.html", context)
    context = _detail_context(request, endpoint, reveal=True)
    return render_office(request, "portal_core/office/webhooks/detail.html", context)


@staff_required
@require_POST
def endpoint_toggle(request, pk):
    endpoint = get_object_or_404(WebhookEndpoint, pk=pk)
    if request.POST.get("enable") == "1":
        try:
            endpoint_enable(endpoint=endpoint)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, "Endpoint enabled: new events will be sent to it.")
    else:
        endpoint_disable(endpoint=endpoint, reason=f"Disabled by {request.user.email}.")
        messages.success(request, "Endpoint disabled: nothing is sent to it until you enable it again.")
    return redirect("office:webhook-detail", pk=endpoint.pk)


@staff_required
@require_POST
def endpoint_rotate(request, pk):
    endpoint = get_object_or_404(WebhookEndpoint, pk=pk)
    endpoint_secret_rotate(endpoint=endpoint)
    messages.success(
        request,
        "New secret created. For the next 24 hours every message is signed with both the old and the "
        "new secret, so you can update your receiver without missing one.",
    )
    return redirect("office:webhook-detail", pk=endpoint.pk)


@staff_required
@require_POST
def endpoint_test(request, pk):
    endpoint = get_object_or_404(WebhookEndpoint, pk=pk)
    try:
        endpoint_send_test(endpoint=endpoint)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Test event sent. Its delivery appears below.")
    return redirect("office:webhook-detail", pk=endpoint.pk)


@staff_required
@require_POST
def endpoint_remove(request, pk):
    endpoint = get_object_or_404(WebhookEndpoint, pk=pk)
    endpoint_delete(endpoint=endpoint)
    messages.success(request, f"Endpoint {endpoint.url} deleted.")
    return redirect("office:webhooks")


@staff_required
@require_POST
def delivery_redeliver_view(request, pk, delivery_pk):
    delivery = get_object_or_404(
        WebhookDelivery.objects.select_related("endpoint"), pk=delivery_pk, endpoint_id=pk
    )
    try:
        delivery_redeliver(delivery=delivery)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Event {delivery.event_id} sent again.")
    return redirect("office:webhook-detail", pk=pk)


urlpatterns = [
    path("webhooks/", endpoint_list, name="webhooks"),
    path("webhooks/new/", endpoint_new, name="webhook-new"),
    path("webhooks/<int:pk>/", endpoint_detail, name="webhook-detail"),
    path("webhooks/<int:pk>/edit/", endpoint_edit, name="webhook-edit"),
    path("webhooks/<int:pk>/secret/", endpoint_secret, name="webhook-secret"),
    path("webhooks/<int:pk>/toggle/", endpoint_toggle, name="webhook-toggle"),
    path("webhooks/<int:pk>/rotate/", endpoint_rotate, name="webhook-rotate"),
    path("webhooks/<int:pk>/test/", endpoint_test, name="webhook-test"),
    path("webhooks/<int:pk>/delete/", endpoint_remove, name="webhook-delete"),
    path(
        "webhooks/<int:pk>/deliveries/<int:delivery_pk>/redeliver/",
        delivery_redeliver_view,
        name="webhook-redeliver",
    ),
]
