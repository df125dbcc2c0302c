"""The client's invoices at ``/invoices/`` (namespace ``invoices``), the office's at
``/office/invoices/`` (namespace ``office:invoices_office``)."""

from django.urls import path

from . import downloads, views

portal_urlpatterns = [
    path("", views.portal_list, name="list"),
    path("<int:pk>/", views.portal_invoice, name="invoice"),
    path("<int:pk>/pay", views.portal_pay, name="pay"),
    path("<int:pk>/paid", views.portal_paid, name="paid"),
    path("<int:pk>/pdf", downloads.portal_pdf, name="pdf"),
]
office_urlpatterns = [
    path("", views.office_list, name="list"),
    path("new/", views.office_create, name="create"),
    path("<int:pk>/", views.office_invoice, name="invoice"),
    path("<int:pk>/send", views.office_send, name="send"),
    path("<int:pk>/void", views.office_void, name="void"),
    path("<int:pk>/pdf", downloads.office_pdf, name="pdf"),
]
