from django.core.files.storage import FileSystemStorage
from django_tenants.files.storage import TenantFileSystemStorage


class TenantMediaStorage(TenantFileSystemStorage):
    """Media under ``MEDIA_ROOT/<schema_name>/``. django-tenants' storage passes the wrong argument
    when settings change, so a new ``MEDIA_ROOT`` was never picked up; this one follows it."""

    def _clear_cached_properties(self, setting, **kwargs):
        FileSystemStorage._clear_cached_properties(self, setting, **kwargs)
        if setting in ("MEDIA_ROOT", "MULTITENANT_RELATIVE_MEDIA_ROOT"):
            self.__dict__.pop("relative_media_root", None)
        if setting in ("MEDIA_URL", "MULTITENANT_RELATIVE_MEDIA_ROOT"):
            self.__dict__.pop("relative_media_url", None)
