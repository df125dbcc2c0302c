from django.http import Http404, JsonResponse

from tenants.routing import is_tenant_request, wants_json

from .registry import registry


class ModuleGateMiddleware:
    """A disabled module's pages and API answer 404, whatever its own views do."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if match is None or not is_tenant_request(request):
            return None
        for namespace in match.namespaces:
            key = registry.module_for_namespace(namespace)
            if key is not None:
                from portal_core.selectors import module_is_enabled

                if not module_is_enabled(key):
                    if wants_json(request):  # the API's errors are {"message": …}
                        return JsonResponse({"message": "This module is not enabled."}, status=404)
                    raise Http404("This module is not enabled.")
                request.module_key = key
                break
        return None
