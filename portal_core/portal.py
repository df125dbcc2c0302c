"""The client portal shell on a tenant's host."""

from django.shortcuts import render
from django.urls import reverse

from modules.registry import registry

from .selectors import enabled_modules, portal_config_get


def portal_nav() -> list[dict]:
    items = []
    for key in enabled_modules():
        module = registry.get(key)
        for item in module.portal_nav:
            items.append(
                {
                    "label": item.label,
                    "url": reverse(f"{module.portal_namespace}:{item.url_name}"),
                    "module": key,
                }
            )
    return items


def home(request):
    config = portal_config_get()
    if not config.is_active:
        return render(request, "portal_core/portal/inactive.html", {"config": config})
    statistics = []
    for key in enabled_modules():
        module = registry.get(key)
        if module.statistics:
            statistics.extend(module.statistics(request))
    return render(
        request,
        "portal_core/portal/home.html",
        {"config": config, "nav": portal_nav(), "statistics": statistics},
    )
