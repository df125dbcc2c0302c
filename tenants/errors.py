"""The server-error view of every host: a database that cannot be reached answers 503 with
``Retry-After`` (the request may simply be tried again in a moment), anything else Django's 500.

Django calls ``handler500`` while it handles the exception, so ``sys.exc_info()`` is that exception.
Nothing here touches the database or a request's context processors: the page must render when the
database is what failed.
"""

from __future__ import annotations

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.views.decorators.csrf import requires_csrf_token
from django.views.defaults import server_error as django_server_error

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5
UNAVAILABLE = (OperationalError, InterfaceError)


def database_unavailable(exc: BaseException | None) -> bool:
    while exc is not None:
        if isinstance(exc, UNAVAILABLE):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


@requires_csrf_token
def server_error(request, template_name="500.html"):
    if not database_unavailable(sys.exc_info()[1]):
        return django_server_error(request, template_name)
    logger.warning("the database could not be reached: %s answered 503", request.path)
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {
                "detail": "The service is briefly unavailable. Please try again in a few seconds.",
                "code": "service_unavailable",
            },
            status=503,
        )
    else:
        response = HttpResponse(loader.render_to_string("tenants/unavailable.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response
