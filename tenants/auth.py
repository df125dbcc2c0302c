from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class EmailBackend(ModelBackend):
    """Staff and operators sign in with their email address (or username)."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None
        user_model = get_user_model()
        candidates = user_model._default_manager.filter(
            email__iexact=username
        ) | user_model._default_manager.filter(username=username)
        for user in candidates.distinct():
            if user.check_password(password) and self.user_can_authenticate(user):
                return user
        user_model().set_password(password)  # same cost when nobody matches
        return None
