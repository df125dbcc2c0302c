"""The client portal's URLs on a tenant's host (namespace ``portal``)."""

from django.urls import path
from django.views.generic import RedirectView

from . import portal, security, signin, unsubscribe

app_name = "portal"

urlpatterns = [
    path("", portal.home, name="home"),
    path("auth/signin", signin.signin, name="signin"),
    # The address offices put on their websites (seed 004: "http://[your custom domain]/login").
    path("login", RedirectView.as_view(url="/auth/signin", query_string=True)),
    path("auth/magic", signin.magic_link_request, name="magic-request"),
    path("auth/magic/<str:token>", signin.magic_link, name="magic"),
    path("auth/invite/<str:token>", signin.invitation, name="invitation"),
    path("auth/link", signin.pending_link, name="link"),
    path("auth/forgot", signin.forgot_password, name="forgot"),
    path("auth/reset/<str:token>", signin.reset_password, name="reset"),
    path("auth/signup", signin.register, name="register"),
    path("auth/signup/verify", signin.register_verify, name="register-verify"),
    path("auth/logout", signin.logout, name="logout"),
    path("auth/two-factor", signin.two_factor_challenge, name="two-factor"),
    path(
        "auth/two-factor/passkey/options",
        signin.two_factor_passkey_options,
        name="two-factor-passkey-options",
    ),
    path("auth/two-factor/passkey", signin.two_factor_passkey, name="two-factor-passkey"),
    path("auth/passkey/options", signin.passkey_signin_options, name="passkey-signin-options"),
    path("auth/passkey", signin.passkey_signin, name="passkey-signin"),
    path("profile/security", security.client_security, name="security"),
    path(
        "profile/security/devices/<int:pk>/sign-out",
        security.client_device_sign_out,
        name="device-sign-out",
    ),
    path("profile/security/passkeys/options", security.passkey_options, name="passkey-options"),
    path("profile/security/passkeys/add", security.passkey_add, name="passkey-add"),
    path("profile/security/passkeys/<int:pk>/remove", security.passkey_remove, name="passkey-remove"),
    path("client-portal/<str:token>", signin.access_link, name="access-link"),
    path("welcome/password", portal.onboarding_password, name="onboarding-password"),
    path("welcome/", portal.onboarding, name="onboarding"),
    path("welcome/tour-done", portal.tour_done, name="tour-done"),
    path("profile/", portal.profile_view, name="profile"),
    path("profile/photo", portal.photo, name="photo"),
    path("profile/restart-tour", portal.tour_restart, name="tour-restart"),
    path("files/", portal.files, name="files"),
    path("files/<int:pk>/", portal.file_download, name="file-download"),
    path("branding/logo", portal.logo, name="logo"),
    path("email/unsubscribe/<str:token>/", unsubscribe.unsubscribe, name="unsubscribe"),
]
