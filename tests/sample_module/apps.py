from modules import base


class NotesConfig(base.ModuleConfig):
    name = "tests.sample_module"
    label = "sample_notes"
    verbose_name = "Notes"
    key = "notes"
    icon = "note"
    description = "Notes an office shares with its clients."

    def enabled(self, tenant) -> None:
        from .models import HookCall

        HookCall.objects.create(hook="enabled", tenant_slug=tenant.slug)

    def disabled(self, tenant) -> None:
        from .models import HookCall

        HookCall.objects.create(hook="disabled", tenant_slug=tenant.slug)
