from django.apps import AppConfig


class ModulesConfig(AppConfig):
    name = "modules"
    verbose_name = "Module registry"

    def ready(self) -> None:
        from .registry import registry

        registry.populate()
