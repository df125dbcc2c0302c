"""URLs of a tenant's hosts: the client portal, the office console, the API."""

from django.urls import include, path

from modules.urls import portal_patterns

urlpatterns = [
    path("office/", include("portal_core.office.urls")),
    path("api/v1/", include(("portal_core.api.urls", "api"))),
    path("", include("portal_core.urls")),
    *portal_patterns(),
]

# A database that cannot be reached answers 503 with Retry-After, not 500.
handler500 = "tenants.errors.server_error"
