"""A PNG or JPEG decoded whole with Pillow before it is kept (decision 0033): the real format,
bounded dimensions (no decompression bomb), every pixel readable, nothing after the image's end."""

from __future__ import annotations

import io
import logging
import struct
import warnings

from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from PIL import Image

log = logging.getLogger(__name__)

FORMATS = {"image/png": "PNG", "image/jpeg": "JPEG"}
TOO_LARGE = _(
    "Ảnh quá lớn: tối đa %(mp)s triệu điểm ảnh. Hãy chụp hoặc quét ở độ phân giải thấp hơn."
)
UNREADABLE = _("Ảnh bị hỏng hoặc không đầy đủ (có thể tải lên bị ngắt): hãy chọn lại tệp.")
TRAILING = _(
    "Ảnh có dữ liệu lạ phía sau (ví dụ ảnh động hoặc tệp ghép): hãy lưu lại thành ảnh thường rồi tải lên."
)
# JPEG markers without a length: SOI, EOI, RST0-7, TEM.
STANDALONE = {0xD8, 0xD9, 0x01, *range(0xD0, 0xD8)}


def max_image_pixels() -> int:
    return int(getattr(settings, "MOTCUA_UPLOAD_MAX_IMAGE_PIXELS", 60_000_000))


def image_refusal(content: bytes, content_type: str) -> str | Promise | None:
    """Why this image is refused, or None when it may be kept."""
    limit = max_image_pixels()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # limit checked below
            with Image.open(io.BytesIO(content), formats=[FORMATS[content_type]]) as image:
                width, height = image.size
                if width * height > limit:
                    return TOO_LARGE % {"mp": limit // 1_000_000}
                image.load()
    except Image.DecompressionBombError:
        return TOO_LARGE % {"mp": limit // 1_000_000}
    except Exception as error:  # any decoding failure of an untrusted file is "unreadable"
        log.info("unreadable image upload: %s", error)
        return UNREADABLE
    end = png_end(content) if content_type == "image/png" else jpeg_end(content, 0)
    if end is None:
        return UNREADABLE
    if content_type == "image/jpeg":
        end = jpeg_followers_end(content, end)
    return TRAILING if content[end:].strip(b"\x00") else None


def png_end(content: bytes) -> int | None:
    """The offset just after the IEND chunk, walking the chunks."""
    at = 8
    while at + 12 <= len(content):
        (length,) = struct.unpack(">I", content[at : at + 4])
        kind = content[at + 4 : at + 8]
        at += 12 + length
        if kind == b"IEND":
            return at if at <= len(content) else None
    return None


def jpeg_end(content: bytes, start: int) -> int | None:
    """The offset just after the EOI marker of the JPEG starting at ``start``."""
    if content[start : start + 2] != b"\xff\xd8":
        return None
    at, size = start + 2, len(content)
    while at + 1 < size:
        if content[at] != 0xFF:
            return None
        marker = content[at + 1]
        if marker == 0xFF:  # fill byte
            at += 1
            continue
        if marker == 0xD9:
            return at + 2
        if marker in STANDALONE:
            at += 2
            continue
        if at + 4 > size:
            return None
        (length,) = struct.unpack(">H", content[at + 2 : at + 4])
        at += 2 + length
        if marker == 0xDA:  # start of scan: entropy-coded data up to the next real marker
            at = scan_end(content, at)
    return None


def scan_end(content: bytes, at: int) -> int:
    """The offset of the first marker after entropy-coded data (FF00 and RSTn belong to it)."""
    while True:
        at = content.find(b"\xff", at)
        if at < 0 or at + 1 >= len(content):
            return len(content)
        following = content[at + 1]
        if following == 0x00 or 0xD0 <= following <= 0xD7 or following == 0xFF:
            at += 1 if following == 0xFF else 2
            continue
        return at


def jpeg_followers_end(content: bytes, end: int) -> int:
    """Cameras store further complete JPEGs after the first (MPF: depth map, HDR gain map);
    those are images too. The offset after the last of them."""
    while content[end : end + 2] == b"\xff\xd8":
        following = jpeg_end(content, end)
        if following is None:
            return end
        end = following
    return end
