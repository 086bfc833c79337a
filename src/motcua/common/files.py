"""Checking uploaded files by what they contain, not by what they are called (decision 0033):
the size bounded while the body streams in (``uploads.LimitedUploadHandler``), then the whole file
opened with pypdf or decoded with Pillow, then the optional virus scan; one validator for every
path that keeps a file."""

from __future__ import annotations

import hashlib
import io
import logging
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.functional import Promise
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from .errors import DomainError

log = logging.getLogger(__name__)

# Magic numbers of the formats one-stop counters accept (scans and electronic documents).
SIGNATURES: list[tuple[bytes, str]] = [
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
]
EXTENSIONS = {".pdf": "application/pdf", ".png": "image/png", ".jpg": "image/jpeg",
              ".jpeg": "image/jpeg", ".jpe": "image/jpeg"}  # fmt: skip
NAMES = {"application/pdf": "PDF", "image/png": "PNG", "image/jpeg": "JPEG"}

WRONG_TYPE = _(
    "Chỉ nhận tệp PDF, PNG hoặc JPEG. Tệp này không phải định dạng đó (dù tên tệp có thể ghi .pdf)."
)
MISMATCH = _("Tên tệp ghi %(declared)s nhưng nội dung là %(real)s: hãy đổi tên hoặc chọn đúng tệp.")
POLYGLOT = _("Tệp có một tệp nén (zip) giấu bên trong: không nhận.")
INFECTED = _("Tệp bị phần mềm diệt virus từ chối (%(reason)s).")
SCAN_FAILED = _("Chưa kiểm tra virus được cho tệp này: hãy thử lại sau ít phút.")


@dataclass(frozen=True)
class CheckedFile:
    content: bytes
    sha256: str
    content_type: str
    size: int
    name: str  # the sender's file name, ending as its real type does ("a.exe" → "a.exe.pdf")


REAL_EXTENSION = {"application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg"}


def file_name_for(sent: str, kind: str) -> str:
    """The name a kept file is downloaded under: the sender's (without folders), ending with an
    extension of what the content really is, so no reader opens it as something else."""
    base = PurePosixPath((sent or "").replace("\\", "/")).name.strip()[:200] or "tep"
    if EXTENSIONS.get(PurePosixPath(base.lower()).suffix) == kind:
        return base
    return base + REAL_EXTENSION[kind]


def max_upload_bytes() -> int:
    return int(getattr(settings, "MOTCUA_MAX_UPLOAD_MB", 10)) * 1024 * 1024


def too_large() -> DomainError:
    return DomainError(_("Tệp quá lớn: tối đa %(mb)s MB.") % {"mb": max_upload_bytes() // 1048576})


def checked_upload(upload: UploadedFile) -> CheckedFile:
    """Read an upload (never more than the limit) and refuse it unless it is a whole, harmless,
    non-empty PDF, PNG or JPEG whose name does not claim another of these types."""
    limit = max_upload_bytes()
    if upload.size is not None and upload.size > limit:
        raise too_large()
    upload.seek(0)
    content = upload.read(limit + 1)
    if len(content) > limit:
        raise too_large()
    if not content:
        raise DomainError(_("Tệp trống. Hãy chọn lại tệp giấy tờ."))
    kind = next((mime for magic, mime in SIGNATURES if content.startswith(magic)), None)
    if kind is None:
        raise DomainError(WRONG_TYPE)
    declared = EXTENSIONS.get(PurePosixPath((upload.name or "").lower()).suffix)
    if declared is not None and declared != kind:
        raise DomainError(MISMATCH % {"declared": NAMES[declared], "real": NAMES[kind]})
    if is_zip(content):
        raise DomainError(POLYGLOT)
    refusal = content_refusal(content, kind)
    if refusal is not None:
        raise DomainError(refusal)
    virus_scan(content, upload.name or "")
    return CheckedFile(
        content, hashlib.sha256(content).hexdigest(), kind, len(content),
        file_name_for(upload.name or "", kind),
    )  # fmt: skip


def content_refusal(content: bytes, kind: str) -> str | Promise | None:
    """Why a PDF or an image is refused, or None. pypdf and Pillow are imported here, on the
    first upload, not with the module: together about 20 MB that every web worker would hold
    while most of its requests never receive a file (docs/performance.md, "Web worker memory")."""
    if kind == "application/pdf":
        from .pdfcheck import pdf_refusal

        return pdf_refusal(content)
    from .imagecheck import image_refusal

    return image_refusal(content, kind)


def is_zip(content: bytes) -> bool:
    """True when a zip reader would open these bytes (a zip glued to a PDF or an image)."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return bool(archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        return False


def scanner() -> Callable[[bytes, str], str | None] | None:
    path = getattr(settings, "MOTCUA_UPLOAD_SCANNER", "") or ""
    return import_string(path) if path else None


def virus_scan(content: bytes, name: str) -> None:
    """The configured scanner (``MOTCUA_UPLOAD_SCANNER``, a dotted path to a callable taking the
    bytes and the file name, answering None when clean or what it found); a scanner that fails
    refuses the file (fail closed)."""
    scan = scanner()
    if scan is None:
        return
    try:
        found = scan(content, name)
    except Exception:
        log.exception("virus scanner failed on an upload")
        raise DomainError(SCAN_FAILED) from None
    if found:
        raise DomainError(INFECTED % {"reason": str(found)[:200]})
