"""The one-click unsubscribe page a notification email links to (``List-Unsubscribe``, RFC 8058):
GET asks to confirm, in the client's language; POST (the mail app's one click, or the button)
unsubscribes, with no sign-in. A token that is not this office's, or was tampered with, is a 404
and changes nothing."""

from __future__ import annotations

from django.shortcuts import render
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from tenants.signin_policy import guarded

from .email_preferences import contact_unsubscribe, topic_label, unsubscribe_target
from .emails import supported_language
from .selectors import portal_config_get


@csrf_exempt  # mail providers post the one click with no cookie; the signed token is the proof
@guarded("client-unsubscribe")
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    config = portal_config_get()
    target = unsubscribe_target(token)
    if target is None:
        response = render(
            request, "portal_core/auth/unsubscribe_invalid.html", {"config": config}, status=404
        )
    else:
        contact, topic = target
        language = supported_language(contact.language)
        with translation.override(language):
            done = request.method == "POST"
            if done:
                contact_unsubscribe(contact=contact, topic=topic)
            response = render(
                request,
                "portal_core/auth/unsubscribe.html",
                {
                    "config": config,
                    "topic": topic_label(topic, language),
                    "email": contact.email,
                    "done": done,
                },
            )
        response["Content-Language"] = language
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex"
    return response
