"""``/verify/`` on the platform host: anyone may give a PDF and learn whether it is a document
sealed through Portico, for which office and when; nothing else is revealed, and nothing given is
kept."""

from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.cache import never_cache

from . import sealing
from .forms import DocumentVerifyForm


@never_cache
def document_verify(request):
    verdict, status = None, 200
    if request.method == "POST":
        form = DocumentVerifyForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["document"]
            verdict = sealing.verify(upload.read(sealing.MAX_VERIFY_BYTES + 1))
        else:
            status = 400
    else:
        form = DocumentVerifyForm()
    return render(request, "tenants/document_verify.html", {"form": form, "verdict": verdict}, status=status)
