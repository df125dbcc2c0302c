"""What the proposals API reads. Ids are integers, datetimes ISO 8601 in UTC, money decimal strings
with exactly the currency's minor unit."""

from __future__ import annotations

from rest_framework import serializers

from portal_core.payloads import money

from ..models import Proposal, ProposalEvent, ProposalVersion

ID = 2**63 - 1


class ProposalSignatureSerializer(serializers.Serializer):
    name = serializers.CharField(source="typed_name", help_text="The name the signer typed.")
    email = serializers.EmailField()
    role = serializers.CharField(help_text="``client``, or ``office`` for a countersignature.")
    version = serializers.IntegerField(source="version.number")
    signed_at = serializers.DateTimeField()
    ip = serializers.IPAddressField(allow_null=True)
    user_agent = serializers.CharField()
    consent_version = serializers.CharField(help_text="The version of the disclosure the signer agreed to.")
    document_sha256 = serializers.CharField(help_text="The SHA-256 of the exact PDF the client signed.")
    sealed_sha256 = serializers.CharField(
        help_text="The SHA-256 of the PDF this signature sealed; ``…/pdf`` serves the latest one."
    )
    total = serializers.SerializerMethodField()
    deposit = serializers.SerializerMethodField()

    class Meta:
        ref_name = "ProposalSignature"

    def get_total(self, signature) -> str:
        return money(signature.total, signature.proposal.currency)

    def get_deposit(self, signature) -> str:
        return money(signature.deposit, signature.proposal.currency)


class ProposalSerializer(serializers.ModelSerializer):
    """A proposal: its state, its latest version's number, and the signature once signed."""

    contact_id = serializers.IntegerField(read_only=True, allow_null=True)
    company_id = serializers.IntegerField(read_only=True, allow_null=True)
    version = serializers.SerializerMethodField(help_text="The latest version sent (null: a draft).")
    total = serializers.SerializerMethodField(
        help_text="The latest version's total as preselected, or as signed."
    )
    signature = serializers.SerializerMethodField(help_text="The client's signature (null until signed).")
    countersignature = serializers.SerializerMethodField(help_text="The office's, once countersigned.")

    class Meta:
        model = Proposal
        fields = [
            "id",
            "title",
            "status",
            "contact_id",
            "company_id",
            "currency",
            "valid_until",
            "version",
            "revised",
            "total",
            "sent_at",
            "viewed_at",
            "accepted_at",
            "deposit_paid_at",
            "declined_at",
            "decline_reason",
            "expired_at",
            "created",
            "signature",
            "countersignature",
        ]
        read_only_fields = fields
        ref_name = "Proposal"

    def get_version(self, proposal) -> int | None:
        numbers = [v.number for v in proposal.versions.all()]
        return max(numbers) if numbers else None

    def get_total(self, proposal) -> str:
        from ..selectors import latest_total

        return money(latest_total(proposal), proposal.currency)

    def _signed_by(self, proposal, role: str) -> dict | None:
        found = [s for s in proposal.signatures.all() if s.role == role]
        return ProposalSignatureSerializer(found[0]).data if found else None

    def get_signature(self, proposal) -> ProposalSignatureSerializer(allow_null=True):
        return self._signed_by(proposal, "client")

    def get_countersignature(self, proposal) -> ProposalSignatureSerializer(allow_null=True):
        return self._signed_by(proposal, "office")


class ProposalVersionSerializer(serializers.ModelSerializer):
    content = serializers.JSONField(
        read_only=True, help_text="The proposal exactly as sent: texts, items, terms."
    )

    class Meta:
        model = ProposalVersion
        fields = ["id", "number", "sent_at", "sent_by", "content"]
        read_only_fields = fields
        ref_name = "ProposalVersion"


class ProposalEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProposalEvent
        fields = ["id", "kind", "version_number", "at", "actor", "ip", "detail"]
        read_only_fields = fields
        ref_name = "ProposalEvent"


class ProposalFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Proposal.Status.choices, required=False)
    contact = serializers.IntegerField(required=False, min_value=1, max_value=ID, help_text="A contact id.")
    company = serializers.IntegerField(required=False, min_value=1, max_value=ID, help_text="A company id.")
