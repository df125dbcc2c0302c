"""Checking uploads by their content, not their name: images are re-encoded (which drops EXIF,
location included), other files must be of a known kind and within size limits."""

from __future__ import annotations

import io

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_IMAGE_BYTES = 10 * 1024 * 1024
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_PIXELS = 40_000_000

# Leading bytes of the document kinds clients and offices share.
SIGNATURES = [
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"GIF87a", "image/gif", ".gif"),
    (b"GIF89a", "image/gif", ".gif"),
    (b"PK\x03\x04", "application/zip", ".zip"),  # also docx, xlsx, pptx, odt
]
OFFICE_TYPES = {
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".zip": "application/zip",
}


def image_reencoded(upload, *, max_side: int = 1600) -> ContentFile:
    """A JPEG re-encoded from the upload (orientation applied, metadata dropped), or a clear error."""
    if upload is None:
        raise ValidationError(_("Choose a photo to upload."))
    if upload.size > MAX_IMAGE_BYTES:
        raise ValidationError(_("This photo is too large (the limit is 10 MB)."))
    try:
        Image.MAX_IMAGE_PIXELS = MAX_PIXELS
        with Image.open(upload) as image:
            image.verify()
        upload.seek(0)
        with Image.open(upload) as image:
            if image.format not in {"JPEG", "PNG", "GIF", "WEBP"}:
                raise ValidationError(_("Upload a JPEG, PNG, GIF or WebP photo."))
            image = ImageOps.exif_transpose(image).convert("RGB")
            image.thumbnail((max_side, max_side))
            out = io.BytesIO()
            image.save(out, format="JPEG", quality=85, optimize=True)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, SyntaxError) as exc:
        raise ValidationError(_("This file is not a photo we can read.")) from exc
    return ContentFile(out.getvalue(), name="photo.jpg")


def document_checked(upload) -> tuple[str, str]:
    """(content type, safe file name) for an allowed document, or a clear error."""
    if upload is None:
        raise ValidationError(_("Choose a file to upload."))
    if upload.size == 0:
        raise ValidationError(_("This file is empty."))
    if upload.size > MAX_FILE_BYTES:
        raise ValidationError(_("This file is too large (the limit is 20 MB)."))
    head = upload.read(16)
    upload.seek(0)
    name = (upload.name or "file").replace("/", "_").replace("\\", "_")[-150:]
    extension = ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""
    for signature, content_type, _default_ext in SIGNATURES:
        if head.startswith(signature):
            if content_type == "application/zip":
                return OFFICE_TYPES.get(extension, "application/zip"), name
            return content_type, name
    if extension in {".txt", ".csv"} and _is_text(upload):
        return "text/plain" if extension == ".txt" else "text/csv", name
    raise ValidationError(
        _("This kind of file cannot be shared. Use PDF, an image, an office document or text.")
    )


def _is_text(upload) -> bool:
    sample = upload.read(4096)
    upload.seek(0)
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return b"\x00" not in sample
