"""``/api/v1/proposals/``: proposals (list, one), their versions and audit trail, send, and the
signed PDF."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse

from portal_core.api.resources import LIST_DESCRIPTION, ListRows, OfficeResource, RowAction, ShowRow, doc
from portal_core.api.schema import ResourceSchema

from .. import services
from ..models import Proposal, ProposalEvent, ProposalVersion
from ..views import signed_pdf_response
from . import serializers as s

OCTET_STREAM = "application/octet-stream"


class ProposalView(OfficeResource):
    resource = ""
    OutputSerializer = s.ProposalSerializer

    def get_queryset(self):
        return Proposal.objects.filter(is_template=False).prefetch_related(
            "versions", "signatures__version", "signatures__proposal"
        )


class ProposalListView(ListRows, ProposalView):
    """Proposals: list."""

    FilterSerializer = s.ProposalFilterSerializer
    lookups = {"status": "status", "contact": "contact_id", "company": "company_id"}
    docs = {"list": doc("List proposals", LIST_DESCRIPTION)}


class ProposalDetailView(ShowRow, ProposalView):
    """One proposal."""

    docs = {"retrieve": doc("Get a proposal")}


class ProposalSendView(RowAction, ProposalView):
    action = "send"
    docs = {
        "send": doc(
            "Send a proposal",
            "Freezes the proposal into its next version, opens it to the client and emails them. Refused "
            "(400) when the client has the latest version already, or the proposal is closed. Event "
            "``proposals.proposal_sent``.",
            errors=(400,),
        )
    }

    def act(self, row, data, actor):
        services.proposal_send(proposal=row, actor=actor)


class _ChildView(ListRows, OfficeResource):
    parent_queryset = Proposal.objects.filter(is_template=False)
    path_ids = {"id": "The proposal's id."}
    pagination_class = None


class ProposalVersionListView(_ChildView):
    """A proposal's versions, each exactly as it was sent."""

    resource = "versions"
    OutputSerializer = s.ProposalVersionSerializer
    docs = {"list": doc("List a proposal's versions", "Oldest first; a version never changes once sent.")}

    def get_queryset(self):
        return ProposalVersion.objects.filter(proposal=self.parent).order_by("number")


class ProposalEventListView(_ChildView):
    """A proposal's audit trail."""

    resource = "events"
    OutputSerializer = s.ProposalEventSerializer
    docs = {
        "list": doc("List a proposal's audit trail", "Sent, viewed, signed, deposit paid, declined, expired.")
    }

    def get_queryset(self):
        return ProposalEvent.objects.filter(proposal=self.parent).order_by("at", "id")


class _PdfSchema(ResourceSchema):
    def get_response_serializers(self):
        responses = super().get_response_serializers()
        responses.pop(200, None)
        pdf = OpenApiResponse(OpenApiTypes.BINARY, description="The PDF")
        return {(200, "application/pdf"): pdf, (200, OCTET_STREAM): pdf, **responses}


class ProposalPdfView(ProposalView):
    """The signed proposal as the sealed PDF, byte for byte as the client and the office get it."""

    methods = {"get": "pdf"}
    action_status = 200
    schema = _PdfSchema()
    docs = {
        "pdf": doc(
            "Download the signed PDF",
            "The document with its signature page, sealed with the platform's certificate; its SHA-256 is "
            "``signature.sealed_sha256``, and ``/verify/`` on the platform host recognises it. 404 until "
            "the proposal is signed. ``application/pdf``, or the same bytes as ``application/octet-stream`` "
            "when only that is accepted.",
        )
    }

    def perform_content_negotiation(self, request, force=False):
        return super().perform_content_negotiation(request, force=True)

    def get(self, request, **kwargs):
        response = signed_pdf_response(self.get_object())
        accept = request.headers.get("Accept", "")
        if OCTET_STREAM in accept and "application/pdf" not in accept:
            response["Content-Type"] = OCTET_STREAM  # the same bytes, for clients that ask for bytes
        return response
