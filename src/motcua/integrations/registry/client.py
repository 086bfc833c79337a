"""Writing to the national registries a linked bundle needs (civil status, population and
residence, social insurance): one small protocol, an HTTP client, and an in-process stand-in for
the embedded mode.

Every write carries an idempotency key (one per bundle member and operation), so a retry after a
lost reply gets the record made the first time, never a second one; timeouts are short and every
failure says whether a retry can help.
"""

from __future__ import annotations

import hashlib
import json
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

# 4xx answers a retry may fix: a token an administrator can correct, a registry asking for time.
RETRYABLE_CLIENT_ERRORS = frozenset({401, 403, 408, 409, 425, 429})


@dataclass(frozen=True)
class RegistryReply:
    record_id: str
    number: str
    duplicate: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    def as_result(self) -> dict[str, Any]:
        return {"record_id": self.record_id, "number": self.number, **self.extra}


class RegistryError(Exception):
    """The registry did not record it; ``permanent`` when retrying cannot help."""

    def __init__(self, message: str, *, status: int | None = None, permanent: bool = False):
        super().__init__(message)
        self.status = status
        self.permanent = permanent


class Registry(Protocol):
    def record(
        self, *, system: str, operation: str, key: str, facts: dict[str, Any]
    ) -> RegistryReply: ...


class HttpRegistry:
    def __init__(self, *, url: str, token: str, timeout: float = 10.0) -> None:
        if not url.startswith(("http://", "https://")):
            raise ImproperlyConfigured(f"MOTCUA_REGISTRY_URL must be an http(s) URL, got {url!r}")
        self.url = url.rstrip("/")
        self.token = token
        self.timeout = timeout

    def record(
        self, *, system: str, operation: str, key: str, facts: dict[str, Any]
    ) -> RegistryReply:
        request = urllib.request.Request(  # noqa: S310 - the scheme is checked in __init__
            f"{self.url}/{system}/{operation}",
            data=json.dumps(facts, ensure_ascii=False).encode(),
            method="POST",
            headers={
                "Content-Type": "application/json", "Accept": "application/json",
                "Authorization": f"Bearer {self.token}", "Idempotency-Key": key,
            },
        )  # fmt: skip
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                answer = json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            raise http_error(error) from error
        except (urllib.error.URLError, TimeoutError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise RegistryError(f"registry unreachable at {self.url}: {reason}") from error
        except ValueError as error:
            raise RegistryError(f"registry answered with invalid JSON: {error}") from error
        if not isinstance(answer, dict) or not answer.get("number"):
            raise RegistryError("registry answered without a record number")
        extra = {
            k: v
            for k, v in answer.items()
            if k not in ("id", "number", "duplicate", "system", "operation")
        }
        return RegistryReply(str(answer.get("id") or ""), str(answer["number"]),
                             bool(answer.get("duplicate")), extra)  # fmt: skip


def http_error(error: urllib.error.HTTPError) -> RegistryError:
    try:
        detail = json.loads(error.read() or b"{}")
    except ValueError:
        detail = {}
    text = detail.get("message") or detail.get("error") if isinstance(detail, dict) else ""
    permanent = 400 <= error.code < 500 and error.code not in RETRYABLE_CLIENT_ERRORS
    return RegistryError(
        f"registry answered {error.code}" + (f": {text}" if text else ""),
        status=error.code, permanent=permanent,
    )  # fmt: skip


class LocalRegistry:
    """The embedded mode's stand-in: no network; the number is derived from the key, so the same
    key always gives the same record."""

    def record(
        self, *, system: str, operation: str, key: str, facts: dict[str, Any]
    ) -> RegistryReply:
        digest = hashlib.sha256(f"{system}/{operation}/{key}".encode()).hexdigest()
        number = f"LOCAL-{int(digest[:12], 16) % 10**9:09d}"
        extra = (
            {"personal_id": f"0012{int(digest[12:24], 16) % 10**8:08d}"}
            if operation == "birth"
            else {}
        )
        return RegistryReply(f"local-{digest[:12]}", number, False, extra)


def registry() -> Registry:
    url = getattr(settings, "MOTCUA_REGISTRY_URL", "")
    if not url:
        return LocalRegistry()
    return HttpRegistry(
        url=url, token=settings.MOTCUA_REGISTRY_TOKEN, timeout=settings.MOTCUA_REGISTRY_TIMEOUT
    )
