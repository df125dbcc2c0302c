from django.apps import AppConfig


class TenantsConfig(AppConfig):
    name = "tenants"
    verbose_name = "Tenants"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in
        from django_tenants.signals import schema_migrated

        from . import signals  # noqa: F401
        from .credentials import on_user_logged_in
        from .migration_state import on_schema_migrated

        user_logged_in.connect(on_user_logged_in, dispatch_uid="tenants.credentials.stamp")
        schema_migrated.connect(on_schema_migrated, dispatch_uid="tenants.migration_state.record")
