from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    dependencies = []

    operations = [
        migrations.CreateModel(
            name="Marker",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("label", models.CharField(max_length=40)),
                ("created", models.DateTimeField(auto_now_add=True)),
            ],
            options={"indexes": [models.Index(fields=["label"], name="scale_step_label")]},
        ),
    ]
