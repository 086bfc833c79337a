"""The payment gateway over HTTP: short timeouts, a few retries with backoff on what a retry can
fix (a timeout, a 5xx, 429), never on a refusal. ``create`` is safe to retry: the gateway keeps one
payment per ``order_id``."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from .base import GatewayError, GatewayPayment

RETRYABLE_CLIENT_ERRORS = frozenset({408, 409, 425, 429})


class HttpGateway:
    def __init__(
        self, *, url: str, token: str, flag: int = 2, timeout: float = 5.0, attempts: int = 3,
        backoff: float = 0.2, sleep: Callable[[float], None] = time.sleep,
    ) -> None:  # fmt: skip
        if not url.startswith(("http://", "https://")):
            raise ImproperlyConfigured(f"MOTCUA_PAYMENT_URL must be an http(s) URL, got {url!r}")
        self.url = url.rstrip("/")
        self.token = token
        self.flag = flag
        self.timeout = timeout
        self.attempts = max(1, attempts)
        self.backoff = backoff
        self.sleep = sleep

    def create(
        self, *, order_id: str, amount_vnd: int, description: str, return_url: str,
        callback_url: str,
    ) -> GatewayPayment:  # fmt: skip
        body = {
            "order_id": order_id, "amount_vnd": amount_vnd, "description": description,
            "return_url": return_url, "callback_url": callback_url,
        }  # fmt: skip
        return GatewayPayment.from_json(self.call("POST", "/payments", body))

    def query(self, order_id: str) -> GatewayPayment:
        quoted = urllib.parse.quote(order_id, safe="")
        return GatewayPayment.from_json(self.call("GET", f"/payments/{quoted}"))

    def day(self, date: str) -> list[GatewayPayment]:
        answer = self.call("GET", f"/payments?date={urllib.parse.quote(date)}")
        rows = answer.get("payments") if isinstance(answer, dict) else None
        return [GatewayPayment.from_json(r) for r in rows or [] if isinstance(r, dict)]

    def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        """One request, retried (exponential backoff) while a retry can help."""
        for attempt in range(1, self.attempts + 1):
            try:
                return self.once(method, path, body)
            except GatewayError as error:
                if error.permanent or attempt == self.attempts:
                    raise
                self.sleep(self.backoff * 2 ** (attempt - 1))
        raise AssertionError("unreachable")  # pragma: no cover

    def once(self, method: str, path: str, body: dict[str, Any] | None) -> dict[str, Any]:
        data = json.dumps(body, ensure_ascii=False).encode() if body is not None else None
        request = urllib.request.Request(  # noqa: S310 - the scheme is checked in __init__
            self.url + path, data=data, method=method,
            headers={"Content-Type": "application/json", "Accept": "application/json",
                     "Authorization": f"Bearer {self.token}"},
        )  # fmt: skip
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                answer = json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            permanent = 400 <= error.code < 500 and error.code not in RETRYABLE_CLIENT_ERRORS
            raise GatewayError(
                f"gateway answered {error.code}", status=error.code, permanent=permanent
            ) from error
        except (urllib.error.URLError, TimeoutError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise GatewayError(f"gateway unreachable at {self.url}: {reason}") from error
        except ValueError as error:
            raise GatewayError(f"gateway answered with invalid JSON: {error}") from error
        if not isinstance(answer, dict):
            raise GatewayError("gateway answered something other than a JSON object")
        return answer


def gateway() -> HttpGateway | None:
    """The configured gateway; None when online payment is off (no ``MOTCUA_PAYMENT_URL``)."""
    url = getattr(settings, "MOTCUA_PAYMENT_URL", "")
    if not url:
        return None
    return HttpGateway(
        url=url, token=settings.MOTCUA_PAYMENT_TOKEN, flag=settings.MOTCUA_PAYMENT_FLAG,
        timeout=settings.MOTCUA_PAYMENT_TIMEOUT, attempts=settings.MOTCUA_PAYMENT_ATTEMPTS,
    )  # fmt: skip
