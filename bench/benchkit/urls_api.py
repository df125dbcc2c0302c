"""The tenant URLconf with the API bench's bare DRF view in front."""

from django.urls import path

from benchkit.api_views import BareView
from config.urls_tenant import urlpatterns as tenant_urlpatterns

urlpatterns = [path("bench/bare", BareView.as_view(), name="bench-bare"), *tenant_urlpatterns]
