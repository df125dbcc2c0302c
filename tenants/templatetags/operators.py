from django import template

from ..dashboard import operator_dashboard

register = template.Library()


@register.inclusion_tag("admin/tenants/_dashboard.html")
def operator_dashboard_panel():
    """The operators' figures on the admin's home page."""
    return {"d": operator_dashboard()}
