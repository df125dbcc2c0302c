"""The client's invoices at ``/invoices/`` (namespace ``invoices``), the office's at
``/office/invoices/`` (namespace ``office:invoices_office``)."""

from django.urls import path

from . import downloads, office, views

portal_urlpatterns = [
    path("", views.portal_list, name="list"),
    path("<int:pk>/", views.portal_invoice, name="invoice"),
    path("<int:pk>/pay", views.portal_pay, name="pay"),
    path("<int:pk>/paid", views.portal_paid, name="paid"),
    path("<int:pk>/pdf", downloads.portal_pdf, name="pdf"),
]
office_urlpatterns = [
    path("", office.office_list, name="list"),
    path("new/", office.office_create, name="create"),
    path("totals", office.office_totals, name="totals"),
    path("export/invoices.csv", office.office_export_invoices, name="export-invoices"),
    path("export/payments.csv", office.office_export_payments, name="export-payments"),
    path("recurring/", office.office_recurring, name="recurring"),
    path("recurring/<int:pk>/stop", office.office_recurring_stop, name="recurring-stop"),
    path("settings/", office.office_settings, name="settings"),
    path("<int:pk>/", office.office_invoice, name="invoice"),
    path("<int:pk>/edit/", office.office_edit, name="edit"),
    path("<int:pk>/pdf", downloads.office_pdf, name="pdf"),
    path("<int:pk>/send", office.office_send, name="send"),
    path("<int:pk>/void", office.office_void, name="void"),
    path("<int:pk>/duplicate", office.office_duplicate, name="duplicate"),
    path("<int:pk>/payments", office.office_payment, name="payment"),
    path("<int:pk>/payments/<int:payment_pk>/refund", office.office_refund, name="refund"),
    path("<int:pk>/part-payments", office.office_part_payments, name="part-payments"),
    path("<int:pk>/recurring", office.office_recurring_create, name="make-recurring"),
]
