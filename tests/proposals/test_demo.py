"""``seed_demo`` gives the demo client one proposal to sign and one signed (its deposit due), once
however often it runs; the signed one's PDF is sealed and verifies."""

from __future__ import annotations

from io import StringIO

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_context

from modules.proposals.models import Proposal
from tenants.models import Tenant
from tests.conftest import PLATFORM_HOST, host_for
from tests.portal_core.test_payments import stripe_fake  # noqa: F401 (fixture)


def test_the_demo_client_has_a_proposal_to_sign_and_one_signed(
    db,
    stripe_fake,  # noqa: F811 (the fixture)
    django_capture_on_commit_callbacks,
):
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            call_command("seed_demo", "--json", stdout=StringIO(), stderr=StringIO())
        connection.set_schema_to_public()
    with schema_context(Tenant.objects.get(slug="demo").schema_name):
        proposals = {p.title: p for p in Proposal.objects.filter(contact__email="client@demo.example")}
        assert sorted((p.status, p.awaits_deposit) for p in proposals.values()) == [
            ("accepted", True),
            ("sent", False),
        ]
        signed = next(p for p in proposals.values() if p.status == "accepted")
    connection.set_schema_to_public()
    client = Client(HTTP_HOST=host_for("demo"))
    signed_in = client.post("/auth/signin", {"email": "client@demo.example", "password": "Demo-client-2026!"})
    assert signed_in.status_code == 302
    page = client.get("/proposals/").content.decode()
    assert page.count("data-proposal=") == 2
    assert "Proposals awaiting you" in client.get("/").content.decode()
    pdf = client.get(f"/proposals/{signed.pk}/pdf").content
    verdict = Client(HTTP_HOST=PLATFORM_HOST).post(
        "/verify/", {"document": SimpleUploadedFile("signed.pdf", pdf, content_type="application/pdf")}
    )
    assert "This is a document sealed by Portico." in verdict.content.decode()
