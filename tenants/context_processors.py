from django.conf import settings

from .routing import is_tenant_request


def platform(request):
    return {
        "PORTICO_BASE_DOMAIN": settings.PORTICO_BASE_DOMAIN,
        "current_tenant": request.tenant if is_tenant_request(request) else None,
    }
