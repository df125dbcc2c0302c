"""``/api/v1/``: the core endpoints, each enabled module's routes, the schema and its docs."""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from modules.urls import api_patterns

from . import client_portal, tokens

urlpatterns = [
    re_path(r"^client-portal/config/?$", client_portal.ConfigView.as_view(), name="client-portal-config"),
    re_path(
        r"^client-portal/contacts/(?P<contact_id>[^/]+)/invite/?$",
        client_portal.ContactInviteView.as_view(),
        name="client-portal-contact-invite",
    ),
    re_path(
        r"^client-portal/companies/(?P<company_id>[^/]+)/invite/?$",
        client_portal.CompanyInviteView.as_view(),
        name="client-portal-company-invite",
    ),
    re_path(r"^client-portal/token/?$", client_portal.TokenView.as_view(), name="client-portal-token"),
    path("auth/token", tokens.ObtainTokenView.as_view(), name="auth-token"),
    path("auth/token/refresh", tokens.RefreshTokenView.as_view(), name="auth-token-refresh"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    *api_patterns(),
]
