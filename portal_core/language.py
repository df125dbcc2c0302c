"""Which language a page speaks: a signed-in client's own (their contact's language), else the
browser's among the ten, else English. The office console, the admin and the API speak English."""

from django.utils import translation

from .emails import supported_language

STAFF_PATHS = ("/office/", "/admin/", "/api/")


class PortalLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith(STAFF_PATHS):
            language = "en"
        elif getattr(request, "client", None):
            language = supported_language(request.client.language)
        else:
            language = supported_language(translation.get_language_from_request(request))
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        return response
