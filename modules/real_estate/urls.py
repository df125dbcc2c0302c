"""The module's pages: the client's under ``/real-estate/`` (namespace ``real_estate``), the
office's under ``/office/real-estate/`` (namespace ``real_estate_office``)."""

from .office.urls import urlpatterns as office_urlpatterns
from .portal.urls import urlpatterns as portal_urlpatterns

__all__ = ["office_urlpatterns", "portal_urlpatterns"]
