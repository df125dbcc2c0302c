from django.urls import reverse

from modules.base import Statistic

from .models import Note


def statistics(request):
    return [Statistic(label="Notes", value=Note.objects.count(), url=reverse("notes:list"))]
