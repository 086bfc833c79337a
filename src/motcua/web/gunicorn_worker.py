"""gunicorn's sync worker, answering a request it cannot read because a part is too long in our
words (Vietnamese, then English) instead of its own English HTML page.

gunicorn refuses a request line over ``limit_request_line`` (414) and header fields over its
limits (431) before Django sees the request, so neither Django's error pages nor the API's error
shape can answer. Nothing of the request is known then (its line was not read whole): the
answer is plain text in both languages, which a browser shows and a program reads, with the
status code that says what went wrong."""

from __future__ import annotations

import contextlib
import socket
from typing import Any

from gunicorn.http.errors import LimitRequestHeaders, LimitRequestLine
from gunicorn.workers.sync import SyncWorker

REFUSALS: dict[type[Exception], tuple[int, str, str, str]] = {
    LimitRequestLine: (
        414, "URI Too Long",
        "Địa chỉ (URL) quá dài, máy chủ không đọc được. Hãy rút ngắn nội dung tìm kiếm hoặc "
        "bộ lọc rồi thử lại.",
        "The address (URL) is too long for the server to read. Shorten the search or the "
        "filters and try again.",
    ),
    LimitRequestHeaders: (
        431, "Request Header Fields Too Large",
        "Phần đầu của yêu cầu (cookie, tiêu đề) quá lớn. Hãy xoá cookie của trang này rồi thử "
        "lại.",
        "The request's headers (cookies, header fields) are too large. Clear this site's "
        "cookies and try again.",
    ),
}  # fmt: skip


def refusal_bytes(status: int, reason: str, message: str, message_en: str) -> bytes:
    body = f"{status} — {message}\n\n{message_en}\n".encode()
    head = (
        f"HTTP/1.1 {status} {reason}\r\nConnection: close\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n"
        f"Content-Length: {len(body)}\r\nContent-Language: vi, en\r\n\r\n"
    )
    return head.encode("latin-1") + body


class RefusingSyncWorker(SyncWorker):
    """``SyncWorker`` whose refusals of over-long requests are in our words."""

    def handle_error(self, req: Any, client: socket.socket, addr: Any, exc: Exception) -> None:
        for kind, refusal in REFUSALS.items():
            if isinstance(exc, kind):
                self.log.debug("refused, %s: %s", refusal[1], exc)
                with contextlib.suppress(OSError):  # the client has gone: nothing to tell
                    client.sendall(refusal_bytes(*refusal))
                return
        super().handle_error(req, client, addr, exc)
