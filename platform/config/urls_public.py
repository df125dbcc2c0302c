"""URLs of the platform host (public schema): landing, sign-up, the operators' admin, the API and
the email providers' webhooks."""

from django.contrib import admin
from django.urls import include, path

from portal_core.payments.webhook import connect_webhook
from tenants import operator_two_factor, verification, views
from tenants.signin_policy import guarded

admin.site.site_header = "Portico operations"
admin.site.site_title = "Portico operations"
admin.site.index_title = "Platform"
# The operators' sign-in and password change are under the one sign-in policy too.
admin.site.login = guarded("admin-login", account_field="username")(admin.site.login)
admin.site.password_change = guarded("admin-login")(admin.site.password_change)
# ...and give a second factor before any console page opens.
operator_two_factor.protect(admin.site)

urlpatterns = [
    path("", views.landing, name="landing"),
    path("signup/", views.signup, name="signup"),
    path("find-office/", views.office_find, name="office-find"),
    path("signup/verify/<uuid:signup_id>/", views.signup_verify, name="signup-verify"),
    path("signup/confirm/<str:token>/", views.signup_confirm, name="signup-confirm"),
    path("auth/signin", views.portal_signin, name="portal-signin"),
    # Is this PDF a document sealed through Portico? (tenants.sealing)
    path("verify/", verification.document_verify, name="document-verify"),
    path("admin/two-factor/", operator_two_factor.challenge, name="operator-two-factor"),
    path("admin/", admin.site.urls),
    path("api/v1/", include(("portal_core.api.urls", "api"))),
    # Email providers' tracking webhooks (delivery status of client emails: portal_core.email_tracking).
    path("anymail/", include("anymail.urls")),
    # Stripe Connect events of every office's account (portal_core.payments).
    path("stripe/connect/webhook/", connect_webhook, name="stripe-connect-webhook"),
    # Path sign-in (seed 004): <base>/<slug>/login and <base>/<slug>/ send a client to the office.
    path("<slug:slug>/login", views.office_by_path, {"then": "/auth/signin"}, name="path-login"),
    path("<slug:slug>/login/", views.office_by_path, {"then": "/auth/signin"}),
    path("<slug:slug>/", views.office_by_path, {"then": "/"}, name="path-portal"),
]

# A database that cannot be reached answers 503 with Retry-After, not 500.
handler500 = "tenants.errors.server_error"
