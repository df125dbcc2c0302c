"""A module the office has switched off answers 404 everywhere, whatever its own views do: the core
asks the registry which module a URL's namespace belongs to (``<key>``, ``<key>_office``,
``<key>_api``) and checks the office's configuration. No module repeats it.

Pages: on an office's own host ``ModuleGateMiddleware`` answers an HTML 404 before the view runs.
API: the office is known once the caller's credentials are read (on the platform host an API key
alone names its office), so every API view (``PorticoAPIView``) asks ``api_gate`` right after
authentication, on every host alike, and answers ``{"message": "This module is not enabled."}``
(404) to any caller of that office: a caller without valid credentials gets the 401 it would get
anywhere, a method the URL does not have its 405. A module API view that is not a ``PorticoAPIView`` reads no
credentials: the middleware answers for it (the JSON 404 while the module is off; on the platform
host, where it cannot know its office, always)."""

from __future__ import annotations

from django.http import Http404, JsonResponse
from rest_framework import exceptions

from modules.registry import registry
from tenants.routing import is_tenant_request, wants_json

from .selectors import module_is_enabled

MODULE_OFF = "This module is not enabled."


def module_key(request) -> str | None:
    """The key of the module whose URL ``request`` resolved to, if it is a module's."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return None
    return next(
        (key for key in map(registry.module_for_namespace, match.namespaces) if key is not None), None
    )


def api_gate(request) -> None:
    """Raise the API's 404 when ``request`` (its caller and office known) is for a module that
    office has off."""
    key = module_key(request)
    if key is not None and not module_is_enabled(key):
        raise exceptions.NotFound(MODULE_OFF)


def _checks_after_authentication(view_func) -> bool:
    from .api.base import PorticoAPIView

    view_class = getattr(view_func, "cls", None)
    return isinstance(view_class, type) and issubclass(view_class, PorticoAPIView)


class ModuleGateMiddleware:
    """A disabled module's pages and API answer 404 (see the module's docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        key = module_key(request)
        if key is None:
            return None
        request.module_key = key
        if _checks_after_authentication(view_func):
            return None
        if not is_tenant_request(request):
            return JsonResponse({"message": MODULE_OFF}, status=404)
        if not module_is_enabled(key):
            if wants_json(request):  # the API's errors are {"message": …}
                return JsonResponse({"message": MODULE_OFF}, status=404)
            raise Http404(MODULE_OFF)
        return None
