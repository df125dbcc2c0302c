"""Who may call what (kept apart from the views, which DRF's settings import late)."""

from rest_framework import permissions

from .auth import ApiCaller


class IsTenantCaller(permissions.BasePermission):
    """An API key or a staff JWT; writes need the ``write`` scope."""

    message = "Authentication credentials were not provided."

    def has_permission(self, request, view):
        caller = request.user
        if not isinstance(caller, ApiCaller) or caller.kind == "client":
            return False
        if request.method not in permissions.SAFE_METHODS and "write" not in caller.scopes:
            self.message = "This API key may only read."
            return False
        return True


class IsClientCaller(permissions.BasePermission):
    """A portal account's JWT (widgets that offices build on their own sites)."""

    def has_permission(self, request, view):
        return isinstance(request.user, ApiCaller) and request.user.kind == "client"
