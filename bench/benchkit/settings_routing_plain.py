"""``settings_routing`` with tenancy switched off: no host → schema routing, all else the same."""

from benchkit.settings_routing import *  # noqa: F403

MIDDLEWARE = [m for m in MIDDLEWARE if m != "tenants.routing.TenantRoutingMiddleware"]  # noqa: F405
