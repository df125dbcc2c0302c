"""The API's schema and docs: the schema is built once per process (so once per deploy, since a
deploy starts new processes), served compressed and cached by browsers; the docs page carries
Portico's name and a way back to the office."""

from __future__ import annotations

import hashlib
import json

from django.utils.decorators import method_decorator
from django.views.decorators.gzip import gzip_page
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

SCHEMA_MAX_AGE = 3600
_built: dict[str, tuple[dict, str]] = {}


@method_decorator(gzip_page, name="dispatch")
class CachedSchemaView(SpectacularAPIView):
    """``/api/v1/schema/``: the OpenAPI document, generated on the first request of the process."""

    authentication_classes = []
    permission_classes = [AllowAny]

    def _get_schema_response(self, request):
        version = self.api_version or request.version or self._get_version_parameter(request)
        key = str(version)
        if key not in _built:
            generator = self.generator_class(
                urlconf=self.urlconf, api_version=version, patterns=self.patterns
            )
            schema = generator.get_schema(request=request, public=self.serve_public)
            etag = hashlib.sha256(json.dumps(schema, sort_keys=True, default=str).encode()).hexdigest()[:32]
            _built[key] = (schema, etag)
        schema, etag = _built[key]
        asked = request.headers.get("If-None-Match", "").removeprefix("W/").replace(";gzip", "")
        if asked == f'"{etag}"':
            return Response(status=304, headers={"ETag": f'"{etag}"'})
        return Response(
            data=schema,
            headers={
                "Content-Disposition": f'inline; filename="{self._get_filename(request, version)}"',
                "Cache-Control": f"public, max-age={SCHEMA_MAX_AGE}",
                "ETag": f'"{etag}"',
            },
        )


@method_decorator(gzip_page, name="dispatch")
class DocsView(SpectacularSwaggerView):
    """``/api/v1/docs/``: Swagger UI (served from the drf-spectacular-sidecar package) under Portico's
    own header, with a link back to the office's API keys when opened from an office's host."""

    template_name = "portal_core/api/docs.html"
    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        response.data["back_url"] = (
            "/office/api-keys/"
            if getattr(request, "tenant", None)
            and getattr(request.tenant, "schema_name", "public") != "public"
            else "/"
        )
        response["Cache-Control"] = "public, max-age=300"
        return response
