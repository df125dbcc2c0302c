"""``/api/v1/real-estate/``, mounted by the module registry (namespace ``real_estate_api``).

Row ids are any path segment (``str``, the same pattern as the core's ``row_id`` converter, which
is registered only once the core's API URLconf loads, after the registry has read this one): the
views answer ``{"message": "… not found."}`` for ids that are not there."""

from django.urls import path

from . import client, deals, inbox, properties, viewings

urlpatterns = [
    path("properties/", properties.PropertyListView.as_view(), name="properties"),
    path("properties/<str:id>/", properties.PropertyDetailView.as_view(), name="property"),
    path("properties/<str:id>/photos/", properties.PropertyPhotoListView.as_view(), name="property-photos"),
    path(
        "properties/<str:id>/photos/reorder",
        properties.PropertyPhotoOrderView.as_view(),
        name="property-photos-reorder",
    ),
    path(
        "properties/<str:id>/photos/<str:photo_id>/",
        properties.PropertyPhotoDetailView.as_view(),
        name="property-photo",
    ),
    path("deals/", deals.DealListView.as_view(), name="deals"),
    path("deals/<str:id>/", deals.DealDetailView.as_view(), name="deal"),
    path("deals/<str:id>/offers/", deals.DealOfferListView.as_view(), name="deal-offers"),
    path("offers/", deals.OfferListView.as_view(), name="offers"),
    path("offers/<str:id>/", deals.OfferDetailView.as_view(), name="offer"),
    path("offers/<str:id>/approve", deals.OfferApproveView.as_view(), name="offer-approve"),
    path("viewings/", viewings.ViewingListView.as_view(), name="viewings"),
    path("viewings/<str:id>/", viewings.ViewingDetailView.as_view(), name="viewing"),
    path("viewings/<str:id>/confirm", viewings.ViewingConfirmView.as_view(), name="viewing-confirm"),
    path("viewings/<str:id>/propose", viewings.ViewingProposeView.as_view(), name="viewing-propose"),
    path("viewings/<str:id>/reschedule", viewings.ViewingRescheduleView.as_view(), name="viewing-reschedule"),
    path("viewings/<str:id>/cancel", viewings.ViewingCancelView.as_view(), name="viewing-cancel"),
    path(
        "viewings/<str:id>/mark-visited",
        viewings.ViewingMarkVisitedView.as_view(),
        name="viewing-mark-visited",
    ),
    path("feedback/", inbox.FeedbackListView.as_view(), name="feedback-list"),
    path("feedback/<str:id>/", inbox.FeedbackDetailView.as_view(), name="feedback"),
    path("messages/", inbox.AgentMessageListView.as_view(), name="messages"),
    path("messages/<str:id>/", inbox.AgentMessageDetailView.as_view(), name="message"),
    path("messages/<str:id>/read", inbox.AgentMessageReadView.as_view(), name="message-read"),
    path("messages/<str:id>/reply", inbox.AgentMessageReplyView.as_view(), name="message-reply"),
    path("me/offers/", client.ClientOfferListView.as_view(), name="me-offers"),
    path("me/offers/<str:id>/", client.ClientOfferDetailView.as_view(), name="me-offer"),
    path("me/viewings/", client.ClientViewingListView.as_view(), name="me-viewings"),
    path("me/viewings/<str:id>/", client.ClientViewingDetailView.as_view(), name="me-viewing"),
]
