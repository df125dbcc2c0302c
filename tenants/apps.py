from django.apps import AppConfig


class TenantsConfig(AppConfig):
    name = "tenants"
    verbose_name = "Tenants"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from . import signals  # noqa: F401
        from .credentials import on_user_logged_in

        user_logged_in.connect(on_user_logged_in, dispatch_uid="tenants.credentials.stamp")
