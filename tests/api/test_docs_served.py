"""The API's schema is built once per process, served compressed and cached; the docs are branded
and lead back to the office's API keys."""

import gzip
import json

from portal_core.api import docs


def test_it_builds_the_schema_once_and_serves_it_compressed_and_cached(office_a, monkeypatch):
    docs._built.clear()
    calls = []
    real = docs.CachedSchemaView.generator_class.get_schema

    def counting(self, *args, **kwargs):
        calls.append(1)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(docs.CachedSchemaView.generator_class, "get_schema", counting)
    client = office_a.client()
    first = client.get("/api/v1/schema/?format=json", HTTP_ACCEPT_ENCODING="gzip")
    assert first.status_code == 200 and first["Content-Encoding"] == "gzip"
    assert "max-age=3600" in first["Cache-Control"] and first["ETag"]
    schema = json.loads(gzip.decompress(first.content))
    assert schema["info"]["title"] == "Portico API"
    assert any(path.startswith("/api/v1/client-portal/") for path in schema["paths"])
    again = client.get("/api/v1/schema/?format=json", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    client.get("/api/v1/schema/?format=json")
    assert len(calls) == 1


def test_the_docs_carry_portico_and_a_way_back_to_the_api_keys(office_a, platform_client):
    page = office_a.client().get("/api/v1/docs/").content.decode()
    assert "Portico API" in page and 'href="/office/api-keys/"' in page and "Back to your API keys" in page
    assert "api-docs.css" in page and "swagger-ui-bundle.js" in page
    keys = office_a.staff_client().get("/office/api-keys/").content.decode()
    assert 'href="/api/v1/docs/"' in keys
    platform = platform_client.get("/api/v1/docs/").content.decode()
    assert 'href="/office/api-keys/"' not in platform
