"""The real-estate module's office pages, under ``/office/real-estate/`` (namespace
``office:real_estate_office``). ``navigation`` names ``properties``, ``deals``, ``agenda`` and ``inbox``."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("properties/", views.property_list, name="properties"),
    path("properties/new/", views.property_create, name="property-create"),
    path("properties/<int:pk>/", views.property_detail, name="property-detail"),
    path("properties/<int:pk>/edit/", views.property_edit, name="property-edit"),
    path("properties/<int:pk>/status/", views.property_status, name="property-status"),
    path("properties/<int:pk>/delete/", views.property_delete, name="property-delete"),
    path("properties/<int:pk>/photos/", views.photos_upload, name="photos-upload"),
    path("properties/<int:pk>/photos/order/", views.photos_reorder, name="photos-reorder"),
    path("properties/<int:pk>/photos/<int:photo_pk>/caption/", views.photo_caption, name="photo-caption"),
    path("properties/<int:pk>/photos/<int:photo_pk>/move/", views.photo_move, name="photo-move"),
    path("properties/<int:pk>/photos/<int:photo_pk>/delete/", views.photo_delete, name="photo-delete"),
    path("deals/", views.deal_list, name="deals"),
    path("deals/new/", views.deal_create, name="deal-create"),
    path("deals/<int:pk>/", views.deal_detail, name="deal-detail"),
    path("deals/<int:pk>/edit/", views.deal_edit, name="deal-edit"),
    path("deals/<int:pk>/status/", views.deal_status, name="deal-status"),
    path("deals/<int:pk>/offer/", views.deal_offer, name="deal-offer"),
    path("offers/<int:pk>/approve/", views.offer_approve, name="offer-approve"),
    path("viewings/", views.agenda, name="agenda"),
    path("viewings/<int:pk>/", views.viewing_detail, name="viewing-detail"),
    path("viewings/<int:pk>/confirm/", views.viewing_confirm, name="viewing-confirm"),
    path("viewings/<int:pk>/propose/", views.viewing_propose, name="viewing-propose"),
    path("viewings/<int:pk>/reschedule/", views.viewing_reschedule, name="viewing-reschedule"),
    path("viewings/<int:pk>/cancel/", views.viewing_cancel, name="viewing-cancel"),
    path("viewings/<int:pk>/visited/", views.viewing_visited, name="viewing-visited"),
    path("messages/", views.inbox, name="inbox"),
    path("messages/<int:pk>/", views.message_detail, name="message-detail"),
]
