"""A staff member's other browsers: ended from *Sign-in and security* (the list is on that page)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path
from django.views.decorators.http import require_POST

from ..audit import Kind, audit_record
from ..devices import STAFF, device_end
from .shell import staff_required


@staff_required
@require_POST
def device_sign_out(request, pk: int):
    if not device_end(request, kind=STAFF, holder_id=request.user.pk, device_id=pk):
        raise Http404("No such device")
    audit_record(kind=Kind.SESSION_ENDED, request=request)
    messages.success(request, "That device is signed out.")
    return redirect("office:security")


urlpatterns = [
    path("security/devices/<int:pk>/sign-out", device_sign_out, name="device-sign-out"),
]
