from modules import base


class InvoicesConfig(base.ModuleConfig):
    name = "modules.invoices"
    label = "invoices"
    verbose_name = "Invoices"
    key = "invoices"
    icon = "receipt"
    description = "Invoices your clients can view, download and pay from the portal."
