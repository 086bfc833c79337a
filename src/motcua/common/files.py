"""Checking uploaded files by what they contain, not by what they are called."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from .errors import DomainError

# Magic numbers of the formats one-stop counters accept (scans and electronic documents).
SIGNATURES: list[tuple[bytes, str]] = [
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
]


@dataclass(frozen=True)
class CheckedFile:
    content: bytes
    sha256: str
    content_type: str
    size: int


def max_upload_bytes() -> int:
    return int(getattr(settings, "MOTCUA_MAX_UPLOAD_MB", 10)) * 1024 * 1024


def checked_upload(upload: UploadedFile) -> CheckedFile:
    """Read an upload fully and refuse it unless it is a non-empty PDF, PNG or JPEG under the limit."""
    limit = max_upload_bytes()
    if upload.size is not None and upload.size > limit:
        raise DomainError(_("Tệp quá lớn: tối đa %(mb)s MB.") % {"mb": limit // (1024 * 1024)})
    content = upload.read(limit + 1)
    if len(content) > limit:
        raise DomainError(_("Tệp quá lớn: tối đa %(mb)s MB.") % {"mb": limit // (1024 * 1024)})
    if not content:
        raise DomainError(_("Tệp trống. Hãy chọn lại tệp giấy tờ."))
    kind = next((mime for magic, mime in SIGNATURES if content.startswith(magic)), None)
    if kind is None:
        raise DomainError(
            _(
                "Chỉ nhận tệp PDF, PNG hoặc JPEG. Tệp này không phải định dạng đó (dù tên tệp có thể ghi .pdf)."
            )
        )
    return CheckedFile(content, hashlib.sha256(content).hexdigest(), kind, len(content))
