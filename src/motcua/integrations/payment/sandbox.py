"""A payment gateway as a local HTTP server, speaking ``base``'s protocol, for tests and the demo.

Beyond the protocol: ``GET /pay/<payment_id>`` is the payer's page (amount, "Thanh toán" and
"Từ chối"); its form posts the choice, the gateway sends the signed callback to the merchant and
sends the browser back to ``return_url``. A payment not approved within ``ttl_seconds`` expires.

Rehearsals (``POST /_faults``): ``latency_ms`` before each answer; ``fail_next`` answers 503 to the
next n API calls; ``duplicate_callbacks`` sends every callback that many extra times. ``GET
/_callbacks`` lists the callbacks sent (body and signature, as sent); ``POST /_resend/<order_id>``
sends the last one again.
"""

from __future__ import annotations

import datetime
import html
import json
import secrets
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler
from typing import Any

from motcua.integrations.sandbox_server import SandboxHandler, SandboxServer

from .base import DECLINED, EXPIRED, PAID, PENDING, SIGNATURE_HEADER, sign

HANOI = datetime.timezone(datetime.timedelta(hours=7))


class PaymentSandbox(SandboxServer):
    def __init__(
        self, *, token: str, secret: str, host: str = "127.0.0.1", port: int = 0,
        ttl_seconds: int = 900, quiet: bool = True,
    ) -> None:  # fmt: skip
        self.token, self.secret, self.quiet = token, secret, quiet
        self.ttl_seconds = ttl_seconds
        self.lock = threading.Lock()
        self.payments: dict[str, dict[str, Any]] = {}  # by order_id
        self.by_id: dict[str, str] = {}  # payment_id → order_id
        self.callbacks: list[dict[str, Any]] = []
        self.latency_ms = self.fail_left = self.duplicate_callbacks = 0
        self.listen(host, port, handler_for(self))

    def faults(
        self, *, latency_ms: int = 0, fail_next: int = 0, duplicate_callbacks: int = 0
    ) -> None:
        with self.lock:
            self.latency_ms, self.fail_left = latency_ms, fail_next
            self.duplicate_callbacks = duplicate_callbacks

    def authorised(self, authorization: str) -> bool:
        return secrets.compare_digest(authorization, f"Bearer {self.token}")

    def failing(self) -> bool:
        with self.lock:
            if self.fail_left > 0:
                self.fail_left -= 1
                return True
        return False

    # ----------------------------------------------------------------- the protocol
    def create(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        order_id = str(body.get("order_id") or "")
        amount = body.get("amount_vnd")
        callback = str(body.get("callback_url") or "")
        if not order_id or not isinstance(amount, int) or amount <= 0 or not callback:
            return HTTPStatus.UNPROCESSABLE_ENTITY, {
                "error": "invalid", "message": "order_id, amount_vnd > 0 and callback_url needed",
            }  # fmt: skip
        with self.lock:
            if order_id in self.payments:
                return HTTPStatus.OK, self.public(self.payments[order_id])
            payment_id = f"SBX{len(self.payments) + 1:08d}"
            created = time.time()
            self.payments[order_id] = {
                "order_id": order_id, "payment_id": payment_id, "status": PENDING,
                "amount_vnd": amount, "description": str(body.get("description") or ""),
                "return_url": str(body.get("return_url") or ""), "callback_url": callback,
                "created": created, "expires": created + self.ttl_seconds, "paid_at": "",
            }  # fmt: skip
            self.by_id[payment_id] = order_id
            return HTTPStatus.CREATED, self.public(self.payments[order_id])

    def public(self, payment: dict[str, Any]) -> dict[str, Any]:
        self.expire(payment)
        created = datetime.datetime.fromtimestamp(payment["created"], HANOI)
        return {
            "order_id": payment["order_id"], "payment_id": payment["payment_id"],
            "status": payment["status"], "amount_vnd": payment["amount_vnd"],
            "pay_url": f"{self.url}/pay/{payment['payment_id']}",
            "expires_at": datetime.datetime.fromtimestamp(payment["expires"], HANOI).isoformat(),
            "created_at": created.isoformat(), "paid_at": payment["paid_at"],
        }  # fmt: skip

    def expire(self, payment: dict[str, Any]) -> None:
        if payment["status"] == PENDING and time.time() >= payment["expires"]:
            payment["status"] = EXPIRED

    def query(self, order_id: str) -> tuple[int, dict[str, Any]]:
        with self.lock:
            payment = self.payments.get(order_id)
            if payment is None:
                return HTTPStatus.NOT_FOUND, {"error": "not_found"}
            return HTTPStatus.OK, self.public(payment)

    def day(self, date: str) -> tuple[int, dict[str, Any]]:
        with self.lock:
            rows = [self.public(p) for p in self.payments.values()]
        return HTTPStatus.OK, {"payments": [r for r in rows if r["created_at"][:10] == date]}

    # ----------------------------------------------------------------- the payer's page
    def decide(self, payment_id: str, approve: bool) -> dict[str, Any] | None:
        """The payer's choice; the payment as it then stands (None: no such payment)."""
        with self.lock:
            order_id = self.by_id.get(payment_id)
            if order_id is None:
                return None
            payment = self.payments[order_id]
            self.expire(payment)
            if payment["status"] == PENDING:
                payment["status"] = PAID if approve else DECLINED
                if approve:
                    payment["paid_at"] = datetime.datetime.now(HANOI).isoformat()
            return dict(payment)

    def notify(self, order_id: str) -> None:
        """Send the signed callback (and, when rehearsing, its duplicates); failures are kept."""
        with self.lock:
            payment = self.payments[order_id]
            body = json.dumps(
                {"order_id": order_id, "payment_id": payment["payment_id"],
                 "status": payment["status"], "amount_vnd": payment["amount_vnd"],
                 "at": datetime.datetime.now(HANOI).isoformat()},
                ensure_ascii=False,
            ).encode()  # fmt: skip
            times = 1 + self.duplicate_callbacks
            target = payment["callback_url"]
        for _ in range(times):
            self.send_callback(target, body)

    def send_callback(self, target: str, body: bytes) -> None:
        signature = sign(self.secret, body)
        sent: dict[str, Any] = {"url": target, "body": body.decode(), "signature": signature}
        request = urllib.request.Request(  # noqa: S310 - the merchant's own callback URL
            target, data=body, method="POST",
            headers={"Content-Type": "application/json", SIGNATURE_HEADER: signature},
        )  # fmt: skip
        try:
            with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
                sent["answer"] = response.status
        except urllib.error.HTTPError as error:
            sent["answer"] = error.code
        except (urllib.error.URLError, OSError) as error:
            sent["answer"] = f"unreachable: {getattr(error, 'reason', error)}"
        with self.lock:
            self.callbacks.append(sent)

    def resend(self, order_id: str) -> bool:
        with self.lock:
            last = next((c for c in reversed(self.callbacks) if order_id in c["body"]), None)
        if last is None:
            return False
        self.send_callback(last["url"], last["body"].encode())
        return True

    def page(self, payment_id: str) -> str | None:
        with self.lock:
            order_id = self.by_id.get(payment_id)
            if order_id is None:
                return None
            payment = self.payments[order_id]
            self.expire(payment)
            amount = f"{payment['amount_vnd']:,}".replace(",", ".")
            status, description = payment["status"], html.escape(payment["description"])
        if status != PENDING:
            body = f"<p id='gateway-status'>Giao dịch đã kết thúc: {html.escape(status)}.</p>"
        else:
            body = (
                f"<form method='post' action='/pay/{payment_id}'>"
                "<button type='submit' name='decision' value='approve'>Thanh toán</button> "
                "<button type='submit' name='decision' value='decline'>Từ chối</button></form>"
            )
        return (
            "<!doctype html><html lang='vi'><head><meta charset='utf-8'>"
            "<title>Cổng thanh toán thử nghiệm</title></head><body>"
            "<h1>Cổng thanh toán thử nghiệm (sandbox)</h1>"
            f"<p>Nội dung: {description}</p><p>Số tiền: <strong id='gateway-amount'>{amount} đ"
            f"</strong></p><p>Mã đơn hàng: {html.escape(order_id)}</p>{body}</body></html>"
        )


def handler_for(sandbox: PaymentSandbox) -> type[BaseHTTPRequestHandler]:
    class Handler(SandboxHandler):
        def do_GET(self) -> None:
            self.delay()
            parsed = urllib.parse.urlsplit(self.path)
            path = parsed.path
            if path == "/_callbacks":
                with sandbox.lock:
                    self.answer(HTTPStatus.OK, list(sandbox.callbacks))
            elif path.startswith("/pay/"):
                page = sandbox.page(path.removeprefix("/pay/"))
                if page is None:
                    self.answer(HTTPStatus.NOT_FOUND, {"error": "not_found"})
                else:
                    self.html(HTTPStatus.OK, page)
            elif not self.api_allowed():
                return
            elif path == "/payments":
                date = urllib.parse.parse_qs(parsed.query).get("date", [""])[0]
                self.answer(*sandbox.day(date))
            elif path.startswith("/payments/"):
                self.answer(*sandbox.query(urllib.parse.unquote(path.removeprefix("/payments/"))))
            else:
                self.answer(HTTPStatus.NOT_FOUND, {"error": "not_found"})

        def do_POST(self) -> None:
            path = urllib.parse.urlsplit(self.path).path
            raw = self.raw_body()
            if path.startswith("/pay/"):
                self.choose(path.removeprefix("/pay/"), raw)
                return
            if path.startswith("/_resend/"):
                sent = sandbox.resend(urllib.parse.unquote(path.removeprefix("/_resend/")))
                self.answer(HTTPStatus.OK if sent else HTTPStatus.NOT_FOUND, {"sent": sent})
                return
            try:
                body = json.loads(raw or b"{}")
            except ValueError:
                body = None
            if not isinstance(body, dict):
                self.answer(HTTPStatus.BAD_REQUEST, {"error": "invalid JSON object"})
            elif path == "/_faults":
                keys = ("latency_ms", "fail_next", "duplicate_callbacks")
                sandbox.faults(**{k: int(body.get(k) or 0) for k in keys})
                self.answer(HTTPStatus.OK, {"ok": True})
            elif path == "/payments" and self.api_allowed():
                self.delay()
                self.answer(*sandbox.create(body))

        def choose(self, payment_id: str, raw: bytes) -> None:
            form = urllib.parse.parse_qs(raw.decode())
            approve = form.get("decision", [""])[0] == "approve"
            payment = sandbox.decide(payment_id, approve)
            if payment is None:
                self.answer(HTTPStatus.NOT_FOUND, {"error": "not_found"})
                return
            sandbox.notify(payment["order_id"])
            target = payment["return_url"] or f"/pay/{payment_id}"
            self.redirect(target, HTTPStatus.SEE_OTHER)

        def api_allowed(self) -> bool:
            """The merchant API needs the token and may be rehearsing an outage."""
            if not sandbox.authorised(self.headers.get("Authorization", "")):
                self.answer(HTTPStatus.UNAUTHORIZED, {"error": "unauthorized"})
                return False
            if sandbox.failing():
                self.answer(HTTPStatus.SERVICE_UNAVAILABLE, {"error": "unavailable"})
                return False
            return True

        def delay(self) -> None:
            if sandbox.latency_ms:
                time.sleep(sandbox.latency_ms / 1000)

    Handler.sandbox = sandbox
    return Handler
