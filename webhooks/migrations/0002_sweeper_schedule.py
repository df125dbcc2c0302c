"""The django-q schedule of the webhook sweeper, in the public schema (where django-q lives).

webhooks is a tenant app, so this runs in tenant schemas (the base schema at least): it writes
the one public row from there, idempotently.
"""

from django.db import migrations

SCHEDULE_NAME = "webhooks_deliveries_due"


def schedule(apps, schema_editor):
    connection = schema_editor.connection
    Schedule = apps.get_model("django_q", "Schedule")
    tenant = connection.tenant
    connection.set_schema_to_public()
    try:
        Schedule.objects.update_or_create(
            name=SCHEDULE_NAME,
            defaults={
                "func": "webhooks.tasks.deliveries_due",
                "schedule_type": "I",
                "minutes": 1,
                "repeats": -1,
            },
        )
    finally:
        connection.set_tenant(tenant)


class Migration(migrations.Migration):
    dependencies = [
        ("webhooks", "0001_initial"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]
    operations = [migrations.RunPython(schedule, migrations.RunPython.noop)]
