"""The tenant URLconf with the bench's ping view in front."""

from django.urls import path

from benchkit.views import ping
from config.urls_tenant import urlpatterns as tenant_urlpatterns

urlpatterns = [path("bench/ping", ping, name="bench-ping"), *tenant_urlpatterns]
