"""Receipts: checked by their content (not their name or the browser's word), stored privately."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

# The first bytes of the formats a receipt may have: a photo or a PDF.
SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
)


def sniff(head: bytes) -> str | None:
    for signature, content_type in SIGNATURES:
        if head.startswith(signature):
            return content_type
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


def sniff_receipt(upload: UploadedFile) -> str:
    """The receipt's real content type, or a ValidationError on the ``receipt`` field."""
    limit = settings.TANDEM_RECEIPT_MAX_BYTES
    if upload.size is None or upload.size > limit:
        raise ValidationError({"receipt": _("The receipt is too large: at most %(mb)s MB, please.") % {"mb": limit // (1024 * 1024)}})
    if not upload.size:
        raise ValidationError({"receipt": _("The receipt file is empty.")})
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    content_type = sniff(head)
    if content_type is None:
        raise ValidationError({"receipt": _("A receipt must be a photo (JPEG, PNG, WebP) or a PDF.")})
    return content_type
