from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from .signin_policy import equal_work, password_matches


class EmailBackend(ModelBackend):
    """Staff and operators sign in with their email address (or username). Every candidate costs one
    hash verification, and so does an unknown name or a user without a usable password."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None
        user_model = get_user_model()
        candidates = list(
            (
                user_model._default_manager.filter(email__iexact=username)
                | user_model._default_manager.filter(username=username)
            ).distinct()
        )
        found = None
        for user in candidates:
            if (
                password_matches(password, user.password)
                and found is None
                and self.user_can_authenticate(user)
            ):
                found = user
        if not candidates:
            equal_work(password)
        if found is not None:
            _upgrade_hash(found, password)
        return found


def _upgrade_hash(user, password: str) -> None:
    """Django's ``check_password`` re-hashes with the preferred hasher; ours compared the hash
    directly, so re-hash here when the hasher changed (no second verification)."""
    from django.contrib.auth.hashers import get_hasher, identify_hasher, make_password

    try:
        hasher = identify_hasher(user.password)
        if hasher.algorithm != get_hasher().algorithm or hasher.must_update(user.password):
            user.password = make_password(password)  # the same password: no credentials end
            user.save(update_fields=["password"])
    except ValueError:
        pass
