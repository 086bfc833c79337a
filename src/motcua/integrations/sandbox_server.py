"""What every sandbox of an outside system shares: a real HTTP server on a local port, run in a
thread by tests or in the foreground by its command."""

from __future__ import annotations

import json
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import parse_qsl

# How often a server run in a thread looks for ``stop()``: ``serve_forever``'s default of 0.5 s
# made every stop wait half a second, and tests start and stop a sandbox around each test.
STOP_POLL_SECONDS = 0.02


class SandboxServer:
    server: ThreadingHTTPServer
    thread: threading.Thread | None

    def listen(self, host: str, port: int, handler: type[BaseHTTPRequestHandler]) -> None:
        self.server = ThreadingHTTPServer((host, port), handler)
        self.server.daemon_threads = True
        self.thread = None

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> Self:
        self.thread = threading.Thread(
            target=self.server.serve_forever, args=(STOP_POLL_SECONDS,), daemon=True
        )
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        if self.thread is not None:
            self.thread.join(timeout=5)

    def serve_forever(self) -> None:
        try:
            self.server.serve_forever()
        finally:
            self.server.server_close()


class SandboxHandler(BaseHTTPRequestHandler):
    """What every sandbox's request handler shares: reading a body, answering JSON or a page,
    redirecting, and a log that tests can silence (``quiet`` on the sandbox)."""

    sandbox: Any = None  # set by each sandbox's ``handler_for``
    raw = b""

    def raw_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        self.raw = self.rfile.read(length) if length else b""
        return self.raw

    def json_body(self) -> dict[str, Any] | None:
        """The body as a JSON object (an empty body is ``{}``); None when it is not one."""
        try:
            body = json.loads(self.raw_body() or b"{}")
        except ValueError:
            return None
        return body if isinstance(body, dict) else None

    def form(self) -> dict[str, str]:
        return dict(parse_qsl(self.raw_body().decode("utf-8", "replace")))

    def send(self, status: int, data: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Cache-Control", "no-store")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def answer(self, status: int, payload: Any) -> None:
        data = json.dumps(payload, ensure_ascii=False).encode()
        self.send(status, data, "application/json; charset=utf-8")

    def html(self, status: int, page: str) -> None:
        self.send(status, page.encode(), "text/html; charset=utf-8")

    def redirect(self, location: str, status: int = HTTPStatus.FOUND) -> None:
        self.send_response(status)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        if not getattr(self.sandbox, "quiet", False):  # tests run many requests, quietly
            super().log_message(format, *args)
