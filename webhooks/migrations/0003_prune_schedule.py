"""The daily django-q schedule that trims every office's webhook log (``webhooks.tasks.events_prune``),
written in the public schema like the sweeper's (``0002_sweeper_schedule``)."""

from django.db import migrations


def schedule(apps, schema_editor):
    connection = schema_editor.connection
    Schedule = apps.get_model("django_q", "Schedule")
    tenant = connection.tenant
    connection.set_schema_to_public()
    try:
        Schedule.objects.update_or_create(
            name="webhooks_events_prune",
            defaults={"func": "webhooks.tasks.events_prune", "schedule_type": "D", "repeats": -1},
        )
    finally:
        connection.set_tenant(tenant)


class Migration(migrations.Migration):
    dependencies = [("webhooks", "0002_sweeper_schedule")]
    operations = [migrations.RunPython(schedule, migrations.RunPython.noop)]
