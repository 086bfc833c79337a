"""A small SMS provider that runs locally: the same protocol as the real one, in tests and demos.

``POST /messages`` takes ``{"to", "text", "idempotency_key"}`` with ``Authorization: Bearer
<token>`` and answers 201 ``{"id"}`` (200 with the same id when the key was seen before), 401 for
a wrong token, 422 for a number that is not a Vietnamese mobile number (``0`` + 9 digits).
``GET /messages`` lists what arrived. ``POST /_fail {"count": n}`` makes the next n messages
answer 503, to rehearse a provider outage.
"""

from __future__ import annotations

import re
import secrets
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler
from typing import Any

from motcua.integrations.sandbox_server import SandboxHandler, SandboxServer

VIETNAMESE_PHONE = re.compile(r"^0\d{9}$")


class SmsSandbox(SandboxServer):
    """The provider's state and its server; ``start()`` serves from a thread, ``stop()`` ends it."""

    def __init__(
        self, *, token: str, host: str = "127.0.0.1", port: int = 0, quiet: bool = True
    ) -> None:
        self.token = token
        self.quiet = quiet
        self.messages: list[dict[str, Any]] = []
        self.by_key: dict[str, str] = {}
        self.failures_left = 0
        self.lock = threading.Lock()
        self.listen(host, port, handler_for(self))

    def fail_next(self, count: int) -> None:
        with self.lock:
            self.failures_left = count

    def receive(self, authorization: str, message: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """The provider's answer to one ``POST /messages``: (status, JSON body)."""
        if not secrets.compare_digest(authorization, f"Bearer {self.token}"):
            return HTTPStatus.UNAUTHORIZED, {"error": "unauthorized", "message": "invalid token"}
        with self.lock:
            if self.failures_left > 0:
                self.failures_left -= 1
                return HTTPStatus.SERVICE_UNAVAILABLE, {"error": "unavailable"}
            problem = invalid(message)
            if problem:
                return HTTPStatus.UNPROCESSABLE_ENTITY, {"error": "invalid", "message": problem}
            key = str(message.get("idempotency_key") or "")
            if key and key in self.by_key:
                return HTTPStatus.OK, {"id": self.by_key[key]}
            message_id = f"sms-{len(self.messages) + 1:06d}"
            self.messages.append({**message, "id": message_id})
            if key:
                self.by_key[key] = message_id
            return HTTPStatus.CREATED, {"id": message_id}

    def received(self) -> list[dict[str, Any]]:
        with self.lock:
            return list(self.messages)


def invalid(message: dict[str, Any]) -> str:
    if not VIETNAMESE_PHONE.match(str(message.get("to") or "")):
        return "'to' must be a Vietnamese mobile number: 0 followed by 9 digits"
    if not str(message.get("text") or "").strip():
        return "'text' must not be empty"
    return ""


def handler_for(sandbox: SmsSandbox) -> type[BaseHTTPRequestHandler]:
    class Handler(SandboxHandler):
        def do_GET(self) -> None:
            if self.path == "/messages":
                self.answer(HTTPStatus.OK, sandbox.received())
            else:
                self.answer(HTTPStatus.NOT_FOUND, {"error": "not found"})

        def do_POST(self) -> None:
            body = self.json_body()
            if body is None:
                self.answer(HTTPStatus.BAD_REQUEST, {"error": "invalid JSON object"})
            elif self.path == "/messages":
                self.answer(*sandbox.receive(self.headers.get("Authorization", ""), body))
            elif self.path == "/_fail":
                sandbox.fail_next(int(body.get("count", 1)))
                self.answer(HTTPStatus.OK, {"failing": sandbox.failures_left})
            else:
                self.answer(HTTPStatus.NOT_FOUND, {"error": "not found"})

    Handler.sandbox = sandbox
    return Handler
