"""The platform's seal: made with its own key and certificate, a self-signed pair made only where
settings allow it (never in production)."""

from __future__ import annotations

import pytest

from tenants import sealing


def test_without_its_files_production_refuses_to_seal_and_development_makes_a_pair(settings, tmp_path):
    settings.PORTICO_SEAL_KEY_FILE = str(tmp_path / "seal" / "key.pem")
    settings.PORTICO_SEAL_CERT_FILE = str(tmp_path / "seal" / "cert.pem")
    settings.PORTICO_SEAL_SELF_SIGNED = False
    with pytest.raises(RuntimeError, match="key and certificate are missing"):
        sealing._ready_paths()
    assert not (tmp_path / "seal").exists()
    settings.PORTICO_SEAL_SELF_SIGNED = True
    key, cert = sealing._ready_paths()
    assert key.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    assert cert.read_bytes().startswith(b"-----BEGIN CERTIFICATE-----")
    assert key.stat().st_mode & 0o077 == 0  # the key is readable by its owner only
    first = cert.read_bytes()
    sealing._ready_paths()
    assert cert.read_bytes() == first  # made once


def test_a_registered_hash_without_the_platforms_seal_is_not_recognised(office_a, settings, tmp_path):
    """Recognition takes the hash and the seal: a file sealed with another certificate is refused
    even when its hash were on record."""
    from django.utils import timezone

    from portal_core.documents import pdf_render
    from tenants.models import SealedDocument

    document = pdf_render("<p>An agreement</p>")
    ours = sealing.seal(document, office=office_a.tenant, kind="Signed proposal")
    assert sealing.verify(ours).recognised and sealing.verify(ours).office_name == office_a.tenant.name
    ours_files = settings.PORTICO_SEAL_KEY_FILE, settings.PORTICO_SEAL_CERT_FILE
    settings.PORTICO_SEAL_KEY_FILE = str(tmp_path / "other" / "key.pem")
    settings.PORTICO_SEAL_CERT_FILE = str(tmp_path / "other" / "cert.pem")
    theirs = sealing.seal(document, office=office_a.tenant, kind="Signed proposal")  # another pair
    settings.PORTICO_SEAL_KEY_FILE, settings.PORTICO_SEAL_CERT_FILE = ours_files
    assert SealedDocument.objects.filter(sha256=sealing.sha256_of(theirs)).exists()
    assert not sealing.verify(theirs).recognised
    assert not sealing.verify(document).recognised  # on record or not, an unsealed file is not
    SealedDocument.objects.create(
        sha256=sealing.sha256_of(document), tenant=office_a.tenant, kind="x", sealed_at=timezone.now()
    )
    assert not sealing.verify(document).recognised
