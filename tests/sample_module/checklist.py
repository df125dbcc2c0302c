from .models import Note


def first_content(request) -> bool:
    return Note.objects.exists()
