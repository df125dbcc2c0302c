from django.apps import AppConfig


def module_events_allowed(event_type: str) -> bool:
    """Webhooks' emission gate: an event of a module the office has switched off is not emitted."""
    from modules.registry import registry

    from .selectors import module_is_enabled

    key = event_type.split(".", 1)[0]
    return key not in registry or module_is_enabled(key)


class PortalCoreConfig(AppConfig):
    name = "portal_core"
    verbose_name = "Portal"

    def ready(self) -> None:
        from corsheaders.signals import check_request_enabled

        from . import signals  # noqa: F401
        from .email_tracking import connect
        from .embedding import cors_allowed

        check_request_enabled.connect(cors_allowed, dispatch_uid="portal_core_cors_allowed")
        from .audit import connect_signals

        connect_signals()
        connect()
        self.events_register()

    @staticmethod
    def events_register() -> None:
        """Webhooks carry events; their emitters say which: the core's own types, then each
        module's (``<module>.events``), and the gate that silences a switched-off module."""
        from modules.registry import registry
        from webhooks.catalogue import event_types_register
        from webhooks.services import emission_gate_add

        from . import events

        registry.populate()
        event_types_register(types=events.EVENT_TYPES, examples=events.EVENT_EXAMPLES)
        for module in registry:
            event_types_register(types=module.event_types, examples=module.event_examples, module=module.name)
        emission_gate_add(module_events_allowed)
