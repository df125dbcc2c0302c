"""``/api/v1/``: the core endpoints, each enabled module's routes, the schema and its docs."""

from django.urls import path, re_path, register_converter

from modules.urls import api_patterns

from . import accounts, activity, client_portal, companies, contacts, me, tokens, webhooks
from .docs import CachedSchemaView, DocsView


class RowIdConverter:
    """Any path segment as a row id: the view answers ``{"message": "… not found."}`` for ids that
    are not there (not numbers, negative, too large), where ``<int:…>`` would leave some of them to
    Django's HTML 404 page. The schema documents the id as an integer (``schema.ResourceSchema``)."""

    regex = "[^/]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value) -> str:
        return str(value)


register_converter(RowIdConverter, "row_id")

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
    path("contacts/", contacts.ContactListView.as_view(), name="contacts"),
    path("contacts/<row_id:id>/", contacts.ContactDetailView.as_view(), name="contact"),
    path("companies/", companies.CompanyListView.as_view(), name="companies"),
    path("companies/<row_id:id>/", companies.CompanyDetailView.as_view(), name="company"),
    path("portal-accounts/", accounts.PortalAccountListView.as_view(), name="portal-accounts"),
    path("portal-accounts/<row_id:id>/", accounts.PortalAccountDetailView.as_view(), name="portal-account"),
    path(
        "portal-accounts/<row_id:id>/disable",
        accounts.PortalAccountDisableView.as_view(),
        name="portal-account-disable",
    ),
    path(
        "portal-accounts/<row_id:id>/enable",
        accounts.PortalAccountEnableView.as_view(),
        name="portal-account-enable",
    ),
    path(
        "portal-accounts/<row_id:id>/invite",
        accounts.PortalAccountInviteView.as_view(),
        name="portal-account-invite",
    ),
    path("activity/", activity.ActivityListView.as_view(), name="activity"),
    path("me/", me.MeView.as_view(), name="me"),
    path("webhooks/endpoints/", webhooks.EndpointListView.as_view(), name="webhook-endpoints"),
    path("webhooks/endpoints/<row_id:id>/", webhooks.EndpointDetailView.as_view(), name="webhook-endpoint"),
    path(
        "webhooks/endpoints/<row_id:id>/rotate-secret",
        webhooks.EndpointRotateSecretView.as_view(),
        name="webhook-endpoint-rotate-secret",
    ),
    path(
        "webhooks/endpoints/<row_id:id>/test",
        webhooks.EndpointTestView.as_view(),
        name="webhook-endpoint-test",
    ),
    path(
        "webhooks/endpoints/<row_id:id>/deliveries/",
        webhooks.EndpointDeliveriesView.as_view(),
        name="webhook-endpoint-deliveries",
    ),
    path(
        "webhooks/deliveries/<row_id:id>/redeliver",
        webhooks.DeliveryRedeliverView.as_view(),
        name="webhook-delivery-redeliver",
    ),
    path("webhooks/event-types/", webhooks.EventTypesView.as_view(), name="webhook-event-types"),
    # The schema and docs are public: no credentials are read, so no credentials can be refused.
    path("schema/", CachedSchemaView.as_view(), name="schema"),
    path("docs/", DocsView.as_view(url_name="api:schema"), name="docs"),
    *api_patterns(),
]
