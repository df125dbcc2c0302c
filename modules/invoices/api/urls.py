"""``/api/v1/invoices/``, mounted by the module registry (namespace ``invoices_api``). Row ids are
any path segment; the views answer ``{"message": "… not found."}`` for ids that are not there."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.InvoiceListView.as_view(), name="invoices"),
    path("<str:id>/", views.InvoiceDetailView.as_view(), name="invoice"),
    path("<str:id>/send", views.InvoiceSendView.as_view(), name="invoice-send"),
    path("<str:id>/void", views.InvoiceVoidView.as_view(), name="invoice-void"),
    path("<str:id>/pdf", views.InvoicePdfView.as_view(), name="invoice-pdf"),
    path("<str:id>/payments/", views.InvoicePaymentListView.as_view(), name="invoice-payments"),
]
