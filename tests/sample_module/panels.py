from django.utils.html import format_html

from modules.base import Panel

from .models import Note


def contact_panels(request, contact):
    count = Note.objects.count()
    return [Panel(title="Notes", html=format_html("<p>{} notes for {}</p>", count, contact.first_name))]
