"""Sending SMS: one small protocol, an HTTP client for the provider, and a file drop by default.

The provider is whichever speaks ``POST /messages`` with a bearer token (our sandbox does, in
tests and demos). Every message carries an idempotency key, so a retry after a lost answer is
not sent twice by the provider.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

# 4xx answers a retry cannot fix; 401/403 (a wrong token) can be fixed by an administrator
# while the message waits, 408/429 are the provider asking us to come back later.
RETRYABLE_CLIENT_ERRORS = frozenset({401, 403, 408, 429})


class SmsDeliveryError(Exception):
    """The provider did not take the message; ``permanent`` when retrying cannot help."""

    def __init__(self, message: str, *, status: int | None = None, permanent: bool = False):
        super().__init__(message)
        self.status = status
        self.permanent = permanent


class SmsGateway(Protocol):
    def send(self, *, to: str, text: str, key: str) -> str:
        """Hand one message to the provider; returns the provider's message id."""
        ...


class HttpSmsGateway:
    def __init__(self, *, url: str, token: str, timeout: float = 10.0) -> None:
        if not url.startswith(("http://", "https://")):
            raise ImproperlyConfigured(f"MOTCUA_SMS_URL must be an http(s) URL, got {url!r}")
        self.url = url.rstrip("/")
        self.token = token
        self.timeout = timeout

    def send(self, *, to: str, text: str, key: str) -> str:
        body = json.dumps({"to": to, "text": text, "idempotency_key": key}).encode()
        request = urllib.request.Request(  # noqa: S310 - the scheme is checked in __init__
            f"{self.url}/messages",
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "Accept": "application/json",
                "Authorization": f"Bearer {self.token}",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                answer = json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            raise http_error(error) from error
        except (urllib.error.URLError, TimeoutError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise SmsDeliveryError(f"SMS provider unreachable at {self.url}: {reason}") from error
        except ValueError as error:
            raise SmsDeliveryError(f"SMS provider answered with invalid JSON: {error}") from error
        message_id = answer.get("id") if isinstance(answer, dict) else None
        if not message_id:
            raise SmsDeliveryError("SMS provider accepted the message but gave no id")
        return str(message_id)


def http_error(error: urllib.error.HTTPError) -> SmsDeliveryError:
    """A clear message from the provider's answer: status, and its error text when it gave one."""
    try:
        detail = json.loads(error.read() or b"{}")
    except ValueError:
        detail = {}
    text = (detail.get("message") or detail.get("error")) if isinstance(detail, dict) else ""
    permanent = 400 <= error.code < 500 and error.code not in RETRYABLE_CLIENT_ERRORS
    what = "SMS provider refused the token" if error.code in {401, 403} else "SMS provider error"
    return SmsDeliveryError(
        f"{what}: HTTP {error.code}" + (f" — {text}" if text else ""),
        status=error.code,
        permanent=permanent,
    )


class FileSmsGateway:
    """The embedded default: each message is a JSON file to read, nothing leaves the machine."""

    def __init__(self, *, folder: Path) -> None:
        self.folder = Path(folder)

    def send(self, *, to: str, text: str, key: str) -> str:
        self.folder.mkdir(parents=True, exist_ok=True)
        # The key names the file: a retry rewrites the same message instead of adding one.
        safe_key = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in key)
        message_id = f"file-{uuid.uuid5(uuid.NAMESPACE_URL, key).hex[:16]}"
        record = {"id": message_id, "to": to, "text": text, "idempotency_key": key}
        path = self.folder / f"{safe_key}.json"
        path.write_text(json.dumps(record, ensure_ascii=False, indent=2), encoding="utf-8")
        return message_id


def sms_gateway() -> SmsGateway:
    """The gateway the settings choose; read on each call so a test can point it elsewhere."""
    backend = settings.MOTCUA_SMS_BACKEND
    if backend == "file":
        return FileSmsGateway(folder=settings.MOTCUA_SMS_DIR)
    if backend == "http":
        if not settings.MOTCUA_SMS_URL:
            raise ImproperlyConfigured("MOTCUA_SMS_BACKEND=http needs MOTCUA_SMS_URL")
        return HttpSmsGateway(
            url=settings.MOTCUA_SMS_URL,
            token=settings.MOTCUA_SMS_TOKEN,
            timeout=settings.MOTCUA_SMS_TIMEOUT,
        )
    raise ImproperlyConfigured(f"MOTCUA_SMS_BACKEND must be 'file' or 'http', got {backend!r}")
