"""The size limit enforced while a multipart body streams in: once a file passes
``max_upload_bytes()`` nothing more of it is kept (decision 0033). The file still reaches the
view, empty and marked with the size seen, so the view says "too large" in its own words instead
of "choose a file"."""

from __future__ import annotations

import io
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler

from .files import max_upload_bytes


class OversizeUpload(UploadedFile):
    """What is left of a file cut at the limit: no content, the size seen so far (> the limit)."""

    def __init__(self, name: str, content_type: str, size: int, charset: str | None) -> None:
        super().__init__(io.BytesIO(), name, content_type, size, charset)


class LimitedUploadHandler(FileUploadHandler):
    """First in ``FILE_UPLOAD_HANDLERS``: counts each file's bytes and, past the limit, stops
    passing them on and drops what the next handlers kept (memory or temporary file)."""

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.seen = 0
        self.over = False

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.seen += len(raw_data)
        if self.over:
            return None
        if self.seen > max_upload_bytes():
            self.over = True
            self.drop_partial()
            return None
        return raw_data

    def drop_partial(self) -> None:
        for handler in getattr(self.request, "upload_handlers", []):
            kept = getattr(handler, "file", None) if handler is not self else None
            if kept is not None:
                kept.close()  # a temporary upload file is deleted on close

    def file_complete(self, file_size: int) -> UploadedFile | None:
        if not self.over:
            return None
        return OversizeUpload(
            self.file_name or "", self.content_type or "", self.seen, self.charset
        )
