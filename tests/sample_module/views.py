from django.http import HttpResponse, JsonResponse

from .models import Note


def portal_notes(request):
    return HttpResponse(
        "<h1>Notes</h1>" + "".join(f"<p class='note'>{n.text}</p>" for n in Note.objects.all())
    )


def office_notes(request):
    return HttpResponse(f"<h1>Office notes</h1><p>{Note.objects.count()} notes</p>")


def api_notes(request):
    return JsonResponse({"results": [{"id": n.id, "text": n.text} for n in Note.objects.all()]})


def portal_error(request):
    raise RuntimeError("notes exploded")
