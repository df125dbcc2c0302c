from django.http import JsonResponse


def ping(request):
    """The smallest useful JSON answer: no database, no session, no template."""
    return JsonResponse({"ok": True})
