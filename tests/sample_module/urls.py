from django.urls import path

from . import views

portal_urlpatterns = [
    path("", views.portal_notes, name="list"),
    path("error/", views.portal_error, name="error"),
]
office_urlpatterns = [path("", views.office_notes, name="list")]
