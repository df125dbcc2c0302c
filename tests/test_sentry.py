import sentry_sdk
from django.test import Client
from sentry_sdk.integrations.django import DjangoIntegration
from sentry_sdk.transport import Transport

from portal_core.services import module_enable


class Captured(Transport):
    def __init__(self, options=None):
        super().__init__(options)
        self.events = []

    def capture_envelope(self, envelope):
        self.events.extend(item.payload.json for item in envelope.items if item.type == "event")


def test_it_tags_errors_with_the_tenant(office_a, settings):
    from django.db import connection

    connection.set_tenant(office_a.tenant)
    module_enable(key="notes")
    connection.set_schema_to_public()
    settings.SENTRY_DSN = "http://public@127.0.0.1:9/1"
    transport = Captured()
    sentry_sdk.init(
        dsn=settings.SENTRY_DSN,
        integrations=[DjangoIntegration()],
        transport=transport,
        default_integrations=False,
    )
    try:
        response = Client(HTTP_HOST=office_a.host, raise_request_exception=False).get("/notes/error/")
        sentry_sdk.flush()
    finally:
        sentry_sdk.init(dsn=None)
    assert response.status_code == 500
    [event] = transport.events
    assert event["tags"]["tenant"] == "alpha"
    assert event["exception"]["values"][0]["value"] == "notes exploded"
