"""``/api/v1/proposals/``, mounted by the module registry (namespace ``proposals_api``)."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.ProposalListView.as_view(), name="proposals"),
    path("<str:id>/", views.ProposalDetailView.as_view(), name="proposal"),
    path("<str:id>/send", views.ProposalSendView.as_view(), name="proposal-send"),
    path("<str:id>/versions/", views.ProposalVersionListView.as_view(), name="proposal-versions"),
    path("<str:id>/events/", views.ProposalEventListView.as_view(), name="proposal-events"),
    path("<str:id>/pdf", views.ProposalPdfView.as_view(), name="proposal-pdf"),
]
