"""Speaking to the National Public Service Portal (Cổng DVCQG) as it speaks (DOMAIN.md §8): every
call is an HTTP POST of one JSON object to ``MOTCUA_DVCQG_URL`` naming its ``service``, the unit
(``madonvi``) and the session token; a reply with ``"error_code": "00"`` is a success. Anything
else (another code, an HTTP error, a timeout, a reply that is not JSON) is a ``PortalError``, and
the caller decides whether to retry (the sync worker always does, until its dead letter)."""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.request
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from motcua.common.files import max_upload_bytes
from motcua.common.numbers import small_int

SERVICES = ("LayThuTuc", "LayDanhSachTTHC", "TraCuuHoSo", "DongBoHoSoMC", "CapNhatTienDoHoSoMC")
SUCCESS = "00"


class PortalError(Exception):
    """The portal did not confirm the call; ``code`` is its ``error_code`` when it answered."""

    def __init__(self, message: str, *, code: str = "") -> None:
        super().__init__(message)
        self.code = code


def config_problems(url: str, token: str, timeout: float) -> list[str]:
    """What is wrong with the portal's settings, in Vietnamese and English (empty: fine)."""
    problems = []
    if not url.startswith(("http://", "https://")):
        problems.append(
            f"MOTCUA_DVCQG_URL phải là địa chỉ http(s) / must be an http(s) URL, got {url!r}"
        )
    if not token.strip():
        problems.append(
            "MOTCUA_DVCQG_TOKEN trống: cổng DVCQG cần mã phiên / is empty: the portal needs a "
            "session token"
        )
    if timeout <= 0:
        problems.append(f"MOTCUA_DVCQG_TIMEOUT phải > 0 / must be > 0, got {timeout}")
    return problems


class PortalReplyTooLarge(PortalError):
    """A reply larger than any file we accept: not fetched again (it would not get smaller)."""


def reply_limit() -> int:
    """The largest reply read: an accepted file in base64 (4/3 of its size) and the JSON around it."""
    return max_upload_bytes() * 4 // 3 + 64 * 1024


def bounded_read(response: Any, service: str) -> bytes:
    """The reply's body, never more than ``reply_limit()`` bytes in memory: a portal (or anything
    in between) that sends a huge body is cut off after the limit, not read whole first."""
    limit = reply_limit()
    declared = response.headers.get("Content-Length") if response.headers else None
    size = small_int(declared, digits=18)
    if size is not None and size > limit:
        raise PortalReplyTooLarge(f"{service}: reply of {declared} bytes, limit {limit}")
    body = response.read(limit + 1)
    if len(body) > limit:
        raise PortalReplyTooLarge(f"{service}: reply larger than {limit} bytes")
    return body


class PortalClient:
    def __init__(self, *, url: str, token: str, timeout: float = 10.0) -> None:
        problems = config_problems(url, token, timeout)
        if problems:
            raise ImproperlyConfigured("; ".join(problems))
        self.url = url
        self.token = token
        self.timeout = timeout

    def call(self, service: str, madonvi: str, **fields: Any) -> dict[str, Any]:
        """One call; the portal's answer when it says ``00``, else ``PortalError``."""
        body = {"service": service, "madonvi": madonvi, "session": self.token, **fields}
        request = urllib.request.Request(  # noqa: S310 - the scheme is checked in __init__
            self.url,
            data=json.dumps(body, ensure_ascii=False).encode(),
            method="POST",
            headers={"Content-Type": "application/json", "dstcode": madonvi},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                answer = json.loads(bounded_read(response, service) or b"{}")
        except urllib.error.HTTPError as error:
            raise PortalError(f"{service}: HTTP {error.code}") from error
        except (urllib.error.URLError, TimeoutError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise PortalError(f"{service}: portal unreachable: {reason}") from error
        except ValueError as error:
            raise PortalError(f"{service}: reply is not JSON: {error}") from error
        if not isinstance(answer, dict):
            raise PortalError(f"{service}: reply is not a JSON object")
        code = str(answer.get("error_code", ""))
        if code != SUCCESS:
            message = str(answer.get("message") or answer.get("error_message") or "")
            raise PortalError(f"{service}: error_code {code or '?'} {message}".strip(), code=code)
        return answer

    def lookup(self, madonvi: str, code: str) -> dict[str, Any] | None:
        """TraCuuHoSo: the record the portal holds for ``code``, or None if it has none."""
        answer = self.call("TraCuuHoSo", madonvi, mahoso=code)
        found = answer.get("result") or []
        if not isinstance(found, list):
            raise PortalError("TraCuuHoSo: result is not a list")
        return found[0] if found and isinstance(found[0], dict) else None

    def dossier_sync(self, madonvi: str, records: list[dict[str, Any]], *, updating: bool) -> None:
        self.call("DongBoHoSoMC", madonvi, isUpdating=updating, data=records)

    def progress(self, madonvi: str, records: list[dict[str, Any]]) -> None:
        self.call("CapNhatTienDoHoSoMC", madonvi, data=records)

    def attachment(self, madonvi: str, file_id: str) -> tuple[str, bytes]:
        """LayTepDinhKem: a file of a dossier submitted on the portal, (name, content)."""
        found = self.call("LayTepDinhKem", madonvi, id=file_id).get("result") or []
        row = found[0] if isinstance(found, list) and found else None
        if not isinstance(row, dict):
            raise PortalError("LayTepDinhKem: no file in the reply")
        try:
            content = base64.b64decode(str(row.get("content_base64") or ""), validate=True)
        except ValueError as error:
            raise PortalError(f"LayTepDinhKem: content is not base64: {error}") from error
        return str(row.get("name") or file_id)[:255], content

    def procedures(self, madonvi: str) -> list[dict[str, Any]]:
        found = self.call("LayDanhSachTTHC", madonvi).get("result") or []
        return [row for row in found if isinstance(row, dict)]


def sync_enabled() -> bool:
    """Sync is on when a portal URL is set (empty: off, nothing is enqueued)."""
    return bool(getattr(settings, "MOTCUA_DVCQG_URL", "").strip())


def portal() -> PortalClient:
    """The configured portal; ``ImproperlyConfigured`` (vi + en) when it cannot be used."""
    return PortalClient(
        url=settings.MOTCUA_DVCQG_URL.strip(),
        token=settings.MOTCUA_DVCQG_TOKEN,
        timeout=settings.MOTCUA_DVCQG_TIMEOUT,
    )
