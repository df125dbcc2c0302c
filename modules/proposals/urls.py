"""The client's proposals at ``/proposals/`` (namespace ``proposals``), the office's at
``/office/proposals/`` (namespace ``office:proposals_office``)."""

from django.urls import path

from . import office, views

portal_urlpatterns = [
    path("", views.portal_list, name="list"),
    path("<int:pk>/", views.portal_proposal, name="proposal"),
    path("<int:pk>/totals", views.portal_totals, name="totals"),
    path("<int:pk>/review", views.portal_review, name="review"),
    path("<int:pk>/review/<int:review_pk>/", views.portal_review_page, name="review-page"),
    path("<int:pk>/review/<int:review_pk>/pdf", views.portal_review_pdf, name="review-pdf"),
    path("<int:pk>/review/<int:review_pk>/sign", views.portal_sign, name="sign"),
    path("<int:pk>/decline", views.portal_decline, name="decline"),
    path("<int:pk>/deposit", views.portal_deposit, name="deposit"),
    path("<int:pk>/paid", views.portal_paid, name="paid"),
    path("<int:pk>/pdf", views.portal_pdf, name="pdf"),
]
office_urlpatterns = [
    path("", office.office_list, name="list"),
    path("new/", office.office_create, name="create"),
    path("preview", office.office_preview, name="preview"),
    path("templates/", office.office_templates, name="templates"),
    path("<int:pk>/", office.office_proposal, name="proposal"),
    path("<int:pk>/edit/", office.office_edit, name="edit"),
    path("<int:pk>/send", office.office_send, name="send"),
    path("<int:pk>/duplicate", office.office_duplicate, name="duplicate"),
    path("<int:pk>/template", office.office_save_template, name="save-template"),
    path("<int:pk>/countersign", office.office_countersign, name="countersign"),
    path("<int:pk>/pdf", office.office_pdf, name="pdf"),
]
