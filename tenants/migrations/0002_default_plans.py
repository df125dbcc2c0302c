from django.db import migrations

PLANS = [
    {
        "name": "Starter",
        "code": "starter",
        "max_portal_accounts": 100,
        "allowed_modules": [],
        "api_requests_per_minute": 60,
        "max_custom_domains": 0,
        "is_default": True,
    },
    {
        "name": "Professional",
        "code": "professional",
        "max_portal_accounts": 2000,
        "allowed_modules": [],
        "api_requests_per_minute": 300,
        "max_custom_domains": 3,
        "is_default": False,
    },
]


def create_plans(apps, schema_editor):
    if schema_editor.connection.schema_name != "public":
        return
    Plan = apps.get_model("tenants", "Plan")
    for plan in PLANS:
        Plan.objects.get_or_create(code=plan["code"], defaults=plan)


class Migration(migrations.Migration):
    dependencies = [("tenants", "0001_initial")]
    operations = [migrations.RunPython(create_plans, migrations.RunPython.noop)]
