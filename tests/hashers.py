"""A password hasher that counts its verifications, so tests can prove equal work per sign-in."""

import threading

from django.contrib.auth.hashers import MD5PasswordHasher, PBKDF2PasswordHasher

_lock = threading.Lock()
verifications = [0]


class CountingMD5PasswordHasher(MD5PasswordHasher):
    """MD5 (fast, for tests), with the same algorithm name so stored hashes keep working."""

    def verify(self, password, encoded):
        with _lock:
            verifications[0] += 1
        return super().verify(password, encoded)


def count() -> int:
    return verifications[0]


class TimingPBKDF2PasswordHasher(PBKDF2PasswordHasher):
    """A real key-derivation cost (a few milliseconds), for the timing test."""

    algorithm = "pbkdf2_timing"
    iterations = 60_000
