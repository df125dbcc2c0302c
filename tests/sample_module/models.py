from django.db import models


class Note(models.Model):
    text = models.CharField(max_length=200)

    def __str__(self) -> str:
        return self.text


class HookCall(models.Model):
    hook = models.CharField(max_length=20)
    tenant_slug = models.CharField(max_length=40)

    def __str__(self) -> str:
        return self.hook
