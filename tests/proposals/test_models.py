"""Proposal versions are written once: the database refuses a change or a removal."""

import pytest
from django.db import DatabaseError, transaction
from django_tenants.utils import schema_context

from modules.proposals.models import Proposal, ProposalVersion
from portal_core.models import Contact


def test_a_version_is_never_changed_nor_removed_even_by_a_bulk_query(office_a):
    with schema_context(office_a.schema_name):
        proposal = Proposal.objects.create(title="Redesign", contact=Contact.objects.create(first_name="Kim"))
        version = ProposalVersion.objects.create(proposal=proposal, number=1, snapshot={}, sha256="0" * 64)
        with pytest.raises(DatabaseError), transaction.atomic():
            ProposalVersion.objects.filter(pk=version.pk).update(sha256="1" * 64)
        with pytest.raises(DatabaseError), transaction.atomic():
            ProposalVersion.objects.filter(pk=version.pk).delete()
        assert ProposalVersion.objects.get(pk=version.pk).sha256 == "0" * 64
