"""The tenant URLconf with the pages bench's baseline in front: the smallest portal page."""

from django.urls import path

from benchkit.views import portal_baseline
from config.urls_tenant import urlpatterns as tenant_urlpatterns

urlpatterns = [path("bench/baseline/", portal_baseline, name="bench-baseline"), *tenant_urlpatterns]
