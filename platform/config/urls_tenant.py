"""URLs of a tenant's hosts: the client portal, the office console, the API."""

from django.urls import include, path

from modules.urls import office_patterns, portal_patterns
from portal_core import office

office_urls = [
    *office.urlpatterns,
    *office_patterns(),
]

urlpatterns = [
    path("office/", include((office_urls, "office"))),
    path("api/v1/", include(("portal_core.api.urls", "api"))),
    path("", include("portal_core.urls")),
    *portal_patterns(),
]
