from django.apps import AppConfig


class PortalCoreConfig(AppConfig):
    name = "portal_core"
    verbose_name = "Portal"

    def ready(self) -> None:
        from . import signals  # noqa: F401
