"""The API bench's baseline: Django REST framework with nothing of Portico's API around it."""

from rest_framework.response import Response
from rest_framework.views import APIView


class BareView(APIView):
    """A DRF view with no authentication, permissions or throttles, answering a small JSON."""

    authentication_classes = []
    permission_classes = []
    throttle_classes = []

    def get(self, request):
        return Response({"ok": True})
