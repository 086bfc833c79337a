"""A PDF opened whole with pypdf before it is kept (decision 0033): no script, no action that
runs or fetches something, no embedded file, not encrypted, readable to its last byte, a bounded
number of pages."""

from __future__ import annotations

import io
import logging
import re
import threading
from typing import Any

from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

log = logging.getLogger(__name__)

# Actions a viewer would run by itself or that reach outside the file; /GoTo, /URI and /Named
# (links inside the document or to a web page) are ordinary in electronic documents.
ACTIONS_REFUSED = frozenset(
    {
        "/JavaScript", "/Launch", "/GoToR", "/GoToE", "/ImportData", "/SubmitForm",
        "/ResetForm", "/Rendition", "/RichMediaExecute", "/Movie", "/Sound", "/Hide", "/Thread",
    }
)  # fmt: skip
SCRIPT_KEYS = frozenset({"/JS", "/JavaScript", "/AA", "/XFA"})
EMBEDDED_KEYS = frozenset({"/EmbeddedFiles", "/EF", "/RichMediaContent"})
EMBEDDED_TYPES = frozenset({"/EmbeddedFile", "/FileAttachment", "/RichMedia"})
MAX_OBJECTS = 200_000  # a walk this long is itself a hostile file

SCRIPT = _(
    "Tệp PDF chứa mã lệnh hoặc hành động tự chạy (JavaScript, mở chương trình…): không nhận."
)
EMBEDDED = _("Tệp PDF có tệp khác đính kèm bên trong: không nhận. Hãy in lại ra PDF thường.")
ENCRYPTED = _("Tệp PDF có mật khẩu hoặc bị mã hóa: hãy gỡ mật khẩu rồi tải lên lại.")
UNREADABLE = _("Tệp PDF bị hỏng hoặc không đầy đủ (có thể tải lên bị ngắt): hãy chọn lại tệp.")
NO_PAGES = _("Tệp PDF không có trang nào.")
TOO_MANY_PAGES = _("Tệp PDF quá nhiều trang: tối đa %(n)s trang.")


AMBIGUOUS = _(
    "Tệp PDF có mục khai báo hai lần với hai nội dung khác nhau (mỗi trình đọc có thể hiểu một "
    "kiểu): không nhận. Hãy in lại ra PDF thường."
)
# A key written twice in one dictionary: pypdf keeps the first, other readers the last, so a
# harmless first /S can hide a /Launch after it. pypdf only logs it (strict=False, which real
# scans need); the log record, on the thread that checks, refuses the file.
DUPLICATE_KEY = "Multiple definitions in dictionary"
CHECKING = threading.local()


class DuplicateKeys(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        if getattr(CHECKING, "active", False) and str(record.msg).startswith(DUPLICATE_KEY):
            CHECKING.duplicate = True


PYPDF_DICTIONARIES = logging.getLogger("pypdf.generic._data_structures")
PYPDF_DICTIONARIES.addHandler(DuplicateKeys(level=logging.WARNING))
if not PYPDF_DICTIONARIES.isEnabledFor(logging.WARNING):
    PYPDF_DICTIONARIES.setLevel(logging.WARNING)


def max_pdf_pages() -> int:
    return int(getattr(settings, "MOTCUA_UPLOAD_MAX_PDF_PAGES", 300))


def pdf_refusal(content: bytes) -> str | Promise | None:
    """Why this PDF is refused, or None when it may be kept."""
    if not content.rstrip(b"\x00\t\n\x0c\r ").endswith(b"%%EOF"):
        return UNREADABLE  # cut short, or something hidden after the end (a polyglot)
    CHECKING.active, CHECKING.duplicate = True, False
    try:
        reader = PdfReader(io.BytesIO(content), strict=False)
        if reader.is_encrypted:
            return ENCRYPTED
        pages = len(reader.pages)
        found = walk_refusal(reader.trailer)
    except Exception as error:  # any parse failure of an untrusted file is "unreadable"
        log.info("unreadable PDF upload: %s", error)
        return UNREADABLE
    finally:
        CHECKING.active = False
    if found is not None:
        return found
    if CHECKING.duplicate:
        return AMBIGUOUS
    if pages == 0:
        return NO_PAGES
    if pages > max_pdf_pages():
        return TOO_MANY_PAGES % {"n": max_pdf_pages()}
    return None


def walk_refusal(root: Any) -> str | Promise | None:
    """Every dictionary reachable from the trailer, once (object streams included): the first
    script, refused action or embedded file found."""
    seen: set[tuple[int, int]] = set()
    stack: list[Any] = [root]
    visited = 0
    while stack:
        item = stack.pop()
        if isinstance(item, IndirectObject):
            key = (item.idnum, item.generation)
            if key in seen:
                continue
            seen.add(key)
            item = item.get_object()
        visited += 1
        if visited > MAX_OBJECTS:
            return UNREADABLE
        if isinstance(item, DictionaryObject):
            found = dictionary_refusal(item)
            if found is not None:
                return found
            stack.extend(item.values())
        elif isinstance(item, ArrayObject):
            stack.extend(item)
    return None


def dictionary_refusal(item: DictionaryObject) -> str | Promise | None:
    keys = set(item.keys())
    if keys & SCRIPT_KEYS:
        return SCRIPT
    if keys & EMBEDDED_KEYS or name_of(item, "/Type") in EMBEDDED_TYPES:
        return EMBEDDED
    if name_of(item, "/Subtype") in EMBEDDED_TYPES:
        return EMBEDDED
    action = name_of(item, "/S")
    if action in ACTIONS_REFUSED:
        return SCRIPT
    if action == "/URI" and not web_address(item.get("/URI")):
        return SCRIPT  # "javascript:", "file:" … behind an ordinary-looking link
    if "/Base" in item and not web_address(item.get("/Base")):
        return SCRIPT  # the catalog's base for relative links (/URI << /Base … >>)
    return None


# A link to a web page or an e-mail address is ordinary; any other scheme runs or opens something.
SAFE_LINK = re.compile(r"^\s*(https?://|mailto:)", re.IGNORECASE)


def web_address(value: object) -> bool:
    if isinstance(value, IndirectObject):
        value = value.get_object()
    text = value.decode("latin-1", "replace") if isinstance(value, bytes) else str(value or "")
    return bool(SAFE_LINK.match(text))


def name_of(item: DictionaryObject, key: str) -> str | None:
    value = item.get(key)
    if isinstance(value, IndirectObject):
        value = value.get_object()
    return str(value) if isinstance(value, NameObject) else None
