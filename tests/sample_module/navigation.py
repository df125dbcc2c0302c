from modules.base import NavItem

portal_items = [NavItem(label="Notes", url_name="list", icon="note")]
office_items = [NavItem(label="Notes", url_name="list", icon="note")]
