"""The platform's seal on the documents it certifies (signed proposals and contracts): a PDF
signature made with pyHanko and the platform's certificate, so that any change to the file after
sealing is detectable, and a record of the sealed file's SHA-256 in the public schema
(``SealedDocument``) for ``/verify/``.

The key and certificate come from ``PORTICO_SEAL_KEY_FILE`` and ``PORTICO_SEAL_CERT_FILE``; when
those files do not exist yet, development and tests (``PORTICO_SEAL_SELF_SIGNED``) make a key and a
self-signed certificate there on first use; production refuses to seal without its real files."""

from __future__ import annotations

import datetime
import hashlib
import io
import logging
import threading
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone

logger = logging.getLogger(__name__)
FIELD_NAME = "PorticoSeal"
MAX_VERIFY_BYTES = 20 * 1024 * 1024
_making = threading.Lock()


def sha256_of(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _paths() -> tuple[Path, Path]:
    return Path(settings.PORTICO_SEAL_KEY_FILE), Path(settings.PORTICO_SEAL_CERT_FILE)


def _development_pair(key_path: Path, cert_path: Path) -> None:
    """A key and a self-signed certificate for development, written once (owner-readable key)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, "Portico document seal (development)"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Portico"),
        ]
    )
    now = datetime.datetime.now(datetime.UTC)
    usage = x509.KeyUsage(
        digital_signature=True,
        content_commitment=True,
        key_cert_sign=True,
        crl_sign=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        encipher_only=False,
        decipher_only=False,
    )
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(usage, critical=True)
        .sign(key, hashes.SHA256())
    )
    key_path.parent.mkdir(parents=True, exist_ok=True)
    cert_path.parent.mkdir(parents=True, exist_ok=True)
    key_bytes = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    key_path.touch(mode=0o600)
    key_path.write_bytes(key_bytes)
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))


def _ready_paths() -> tuple[Path, Path]:
    key_path, cert_path = _paths()
    with _making:
        if not key_path.exists() and not cert_path.exists():
            if not settings.PORTICO_SEAL_SELF_SIGNED:
                raise RuntimeError(
                    f"The document seal's key and certificate are missing ({key_path}, {cert_path}): "
                    "set PORTICO_SEAL_KEY_FILE and PORTICO_SEAL_CERT_FILE."
                )
            logger.warning("No document seal certificate: making a self-signed one at %s.", cert_path)
            _development_pair(key_path, cert_path)
    return key_path, cert_path


def seal(content: bytes, *, office, kind: str) -> bytes:
    """``content`` (a PDF) sealed with the platform's certificate, and recorded for ``office`` (a
    ``Tenant``) as ``kind``. Returns the sealed bytes: the exact file to keep and serve."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers

    from .models import SealedDocument

    key_path, cert_path = _ready_paths()
    signer = signers.SimpleSigner.load(str(key_path), str(cert_path))
    if signer is None:
        raise RuntimeError("The document seal's key or certificate cannot be read.")
    writer = IncrementalPdfFileWriter(io.BytesIO(content))
    meta = signers.PdfSignatureMetadata(field_name=FIELD_NAME, reason="Sealed by Portico", name="Portico")
    sealed = signers.sign_pdf(writer, meta, signer=signer).getvalue()
    SealedDocument.objects.create(
        sha256=sha256_of(sealed), tenant=office, kind=kind[:40], sealed_at=timezone.now()
    )
    return sealed


@dataclass(frozen=True)
class Verdict:
    """What ``/verify/`` says of a file: recognised or not, and if so for which office and when."""

    recognised: bool
    office_name: str = ""
    kind: str = ""
    sealed_at: datetime.datetime | None = None


def _seal_intact(content: bytes) -> bool:
    """The file carries the platform's seal, made with its certificate, covering every byte."""
    from pyhanko.keys import load_cert_from_pemder
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    _key_path, cert_path = _ready_paths()
    try:
        reader = PdfFileReader(io.BytesIO(content), strict=False)
        seals = [s for s in reader.embedded_signatures if s.field_name == FIELD_NAME]
        if len(seals) != 1:
            return False
        status = validate_pdf_signature(
            seals[0], ValidationContext(trust_roots=[load_cert_from_pemder(str(cert_path))])
        )
    except Exception:  # a file that is not a PDF, or a broken one, is simply not recognised
        logger.info("A file given for verification could not be read as a sealed PDF.", exc_info=True)
        return False
    return (
        bool(status.intact and status.valid and status.trusted)
        and status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    )


def verify(content: bytes) -> Verdict:
    """Whether ``content`` is, byte for byte, a document the platform sealed, and its seal holds."""
    from .models import SealedDocument

    if not content or len(content) > MAX_VERIFY_BYTES or not content.startswith(b"%PDF-"):
        return Verdict(recognised=False)
    found = SealedDocument.objects.select_related("tenant").filter(sha256=sha256_of(content)).first()
    if found is None or not _seal_intact(content):
        return Verdict(recognised=False)
    return Verdict(recognised=True, office_name=found.tenant.name, kind=found.kind, sealed_at=found.sealed_at)
