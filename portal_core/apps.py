from django.apps import AppConfig


class PortalCoreConfig(AppConfig):
    name = "portal_core"
    verbose_name = "Portal"

    def ready(self) -> None:
        from corsheaders.signals import check_request_enabled

        from . import signals  # noqa: F401
        from .embedding import cors_allowed

        check_request_enabled.connect(cors_allowed, dispatch_uid="portal_core_cors_allowed")
        from .email_tracking import connect

        connect()
