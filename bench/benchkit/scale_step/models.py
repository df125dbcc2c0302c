from django.db import models


class Marker(models.Model):
    label = models.CharField(max_length=40)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["label"], name="scale_step_label")]

    def __str__(self) -> str:
        return self.label
