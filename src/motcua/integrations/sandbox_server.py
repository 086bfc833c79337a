"""What every sandbox of an outside system shares: a real HTTP server on a local port, run in a
thread by tests or in the foreground by its command."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Self

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
