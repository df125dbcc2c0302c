"""The real-estate module's portal pages, under ``/real-estate/`` on the office's host (namespace
``real_estate``). The media URLs also serve the office's pages (see ``media``)."""

from django.urls import path

from . import media, views

urlpatterns = [
    path("", views.home, name="home"),
    path("new/", views.new, name="new"),
    path("properties/", views.properties, name="properties"),
    path("properties/<int:pk>/", views.property_detail, name="property"),
    path("properties/<int:pk>/interest", views.interest, name="interest"),
    path("properties/<int:pk>/favourite", views.favourite, name="favourite"),
    path("properties/<int:pk>/viewing", views.viewing_request, name="viewing-request"),
    path("properties/<int:pk>/feedback", views.feedback, name="feedback"),
    path("contact/", views.contact_agent, name="contact"),
    path("viewings/", views.viewings, name="viewings"),
    path("viewings/<int:pk>/accept", views.viewing_accept, name="viewing-accept"),
    path("viewings/<int:pk>/cancel", views.viewing_cancel, name="viewing-cancel"),
    path("media/property-photos/<int:pk>", media.property_photo, name="media-property-photo"),
    path("media/feedback-photos/<int:pk>", media.feedback_photo, name="media-feedback-photo"),
    path("media/voice-notes/<int:pk>", media.voice_note, name="media-voice-note"),
]
