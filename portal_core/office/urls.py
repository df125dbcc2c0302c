"""The office's URL list (namespace ``office``): the core's pages, then each module's under
``/office/<key-with-dashes>/`` (namespace ``office:<key>_office``). Pages never import it."""

from modules.urls import office_patterns

from . import audit, contacts, devices, domains, email_templates, pages, payments, security, sender, webhooks

app_name = "office"

urlpatterns = [
    *pages.urlpatterns,
    *security.urlpatterns,
    *devices.urlpatterns,
    *audit.urlpatterns,
    *contacts.urlpatterns,
    *email_templates.urlpatterns,
    *webhooks.urlpatterns,
    *payments.urlpatterns,
    *domains.urlpatterns,
    *sender.urlpatterns,
    *office_patterns(),
]
