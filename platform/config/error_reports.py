"""The error page and error emails never show secrets, even with ``DEBUG`` on: settings and request
variables whose names speak of a URL, DSN, key, token, secret or password are masked, and so is the
password in any ``scheme://user:password@host`` value."""

import re

from django.views.debug import SafeExceptionReporterFilter

CREDENTIALS_IN_URL = re.compile(
    r"(?P<scheme>[a-z][a-z0-9+.-]*://)(?P<user>[^:/@\s]*):(?P<password>[^@/\s]+)@", re.I
)


class SecretSafeExceptionReporterFilter(SafeExceptionReporterFilter):
    hidden_settings = re.compile(
        r"API|AUTH|TOKEN|KEY|SECRET|PASS|SIGNATURE|HTTP_COOKIE|COOKIE|URL|DSN|DATABASE|CREDENTIAL|PRIVATE",
        flags=re.IGNORECASE,
    )

    def cleanse_setting(self, key, value):
        value = super().cleanse_setting(key, value)
        if isinstance(value, str):
            return CREDENTIALS_IN_URL.sub(rf"\g<scheme>\g<user>:{self.cleansed_substitute}@", value)
        return value

    def get_traceback_frame_variables(self, request, tb_frame):
        """Local variables too: masked by name, and a password inside a URL masked anywhere."""
        return [
            (name, self.cleanse_setting(name, value))
            for name, value in super().get_traceback_frame_variables(request, tb_frame)
        ]
