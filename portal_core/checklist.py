"""The office's set-up checklist (seed 000): every item is computed from live data."""

from dataclasses import dataclass

from django.urls import reverse

from .payments.selectors import stripe_connected
from .selectors import enabled_module_entries, enabled_parts, portal_config_get


@dataclass(frozen=True)
class ChecklistItem:
    key: str
    title: str
    hint: str
    done: bool
    url: str


def setup_checklist(request) -> list[ChecklistItem]:
    from tenants.models import ApiKey

    config = portal_config_get()
    has_key = any(k.is_active for k in ApiKey.objects.filter(tenant_id=request.tenant.id, revoked_at=None))
    first_content = any(check(request) for _module, check in enabled_parts("first_content"))
    takes_payments = any(module.config.takes_payments for module in enabled_module_entries())
    stripe = [
        ChecklistItem(
            "stripe",
            "Connect Stripe",
            "Clients pay you by card in their portal; the money goes straight to your own Stripe account.",
            stripe_connected(),
            reverse("office:payments"),
        )
    ]
    return [
        ChecklistItem(
            "portal_on",
            "Switch the client portal on",
            "Clients can sign in as soon as it is on.",
            config.is_active,
            reverse("office:settings"),
        ),
        ChecklistItem(
            "api_key",
            "Create an API key",
            "For integrations and your website's widgets.",
            has_key,
            reverse("office:api-keys"),
        ),
        ChecklistItem(
            "company_name",
            "Fill in your company name",
            "It is the portal's browser title.",
            bool(config.company_name),
            reverse("office:settings"),
        ),
        ChecklistItem(
            "email",
            "Configure email settings",
            "Sender name and reply-to address for emails to your clients.",
            config.email_configured,
            reverse("office:email"),
        ),
        ChecklistItem(
            "first_content",
            "Add your first content",
            "Switch on a module and add something for your clients, e.g. a property on a deal.",
            first_content,
            reverse("office:modules"),
        ),
        *(stripe if takes_payments else []),
    ]
