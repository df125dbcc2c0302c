"""Offices that logged events before the index of due work existed are marked due now, once: the
sweeper and the pruning visit them at their next run and then keep their rows up to date."""

from django.db import migrations

KINDS = ("webhooks.sweep", "webhooks.prune")


def mark_due_now(apps, schema_editor):
    connection = schema_editor.connection
    schema = connection.schema_name
    if schema == "public":
        return
    WebhookEvent = apps.get_model("webhooks", "WebhookEvent")
    if not WebhookEvent.objects.exists():
        return
    with connection.cursor() as cursor:
        for kind in KINDS:
            cursor.execute(
                "INSERT INTO public.tenants_duework (schema_name, kind, due_at, version) "
                "VALUES (%s, %s, now(), 1) ON CONFLICT (schema_name, kind) "
                "DO UPDATE SET due_at = now(), version = public.tenants_duework.version + 1",
                [schema, kind],
            )


class Migration(migrations.Migration):
    dependencies = [
        ("webhooks", "0004_attempt_due_at"),
        ("tenants", "0013_due_work"),
    ]

    operations = [migrations.RunPython(mark_due_now, migrations.RunPython.noop)]
