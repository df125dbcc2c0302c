from django.conf import settings


def platform(request):
    return {
        "PORTICO_BASE_DOMAIN": settings.PORTICO_BASE_DOMAIN,
        "current_tenant": getattr(request, "tenant", None),
    }
