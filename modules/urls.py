"""URL patterns the core mounts for every registered module."""

from django.urls import include, path

from .registry import registry


def portal_patterns() -> list:
    return [
        path(f"{m.url_prefix}/", include((m.portal_urlpatterns, m.portal_namespace)))
        for m in registry
        if m.portal_urlpatterns
    ]


def office_patterns() -> list:
    return [
        path(f"{m.url_prefix}/", include((m.office_urlpatterns, m.office_namespace)))
        for m in registry
        if m.office_urlpatterns
    ]


def api_patterns() -> list:
    return [
        path(f"{m.url_prefix}/", include((m.api_urlpatterns, m.api_namespace)))
        for m in registry
        if m.api_urlpatterns
    ]
