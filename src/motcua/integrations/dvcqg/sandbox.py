"""The National Public Service Portal, as a local HTTP server for tests and the demo (issue 16).

One endpoint, ``POST /``, takes the portal's JSON calls (``client.PortalClient``): ``LayThuTuc``,
``LayDanhSachTTHC``, ``TraCuuHoSo``, ``DongBoHoSoMC``, ``CapNhatTienDoHoSoMC``. It checks the
session token and the formats of the record fields (dates ``yyyyMMddHHmmss``, ``TrangThaiHoSo``
1–10, ``KenhThucHien`` 1–3, a national procedure code), refuses to create a dossier it holds or
to update one it does not (as a strict portal would), and stores what it gets: the raw calls, and
per dossier the record it holds and its *effective* history (a record is appended only when it
differs from the one held, so a repeated call changes nothing).

Faults, to rehearse a bad day (options, env of the command, or ``POST /_faults``): ``fail``, the
share of calls answered 503 without doing anything; ``lose``, the share done and then answered
503 (the reply is lost; the caller retries); ``twice``, the share that reaches the portal twice
(a proxy's retry); ``slow_ms`` before each answer; ``seed`` for the draws. ``GET /_state`` shows
what is stored.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import json
import random
import re
import secrets
import threading
import time
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler
from typing import Any

from motcua.integrations.sandbox_server import SandboxHandler, SandboxServer

DATE_FIELDS = ("NgayTiepNhan", "NgayHenTra", "NgayTra", "NgayKetThucXuLy")
SUPPLEMENT_DATES = ("NgayBoSung", "NgayTiepNhanBoSung", "NgayHenTraTruoc", "NgayHenTraMoi")
PROCEDURE_CODE = re.compile(r"^\d\.\d{6}(\.[0-9A-Z]+)*$")
STAMP = re.compile(r"^\d{14}$")
Answer = tuple[int, dict[str, Any]]


def stamp_ok(value: object) -> bool:
    """Empty (not known yet) or a real instant written yyyyMMddHHmmss."""
    if value in ("", None):
        return True
    if not isinstance(value, str) or not STAMP.match(value):
        return False
    try:
        datetime.datetime.strptime(value, "%Y%m%d%H%M%S")
    except ValueError:
        return False
    return True


def record_problems(record: object) -> list[str]:
    """What is wrong with one DongBoHoSoMC record (empty: it is acceptable)."""
    if not isinstance(record, dict):
        return ["record is not an object"]
    problems = [
        f"{name} missing" for name in ("MaHoSo", "MaTTHC", "ChuHoSo") if not record.get(name)
    ]
    if record.get("MaTTHC") and not PROCEDURE_CODE.match(str(record["MaTTHC"])):
        problems.append(f"MaTTHC {record['MaTTHC']!r} is not a national code")
    status = record.get("TrangThaiHoSo")
    if not isinstance(status, int) or isinstance(status, bool) or not 1 <= status <= 10:
        problems.append(f"TrangThaiHoSo {status!r} not in 1..10")
    if record.get("KenhThucHien") not in (1, 2, 3):
        problems.append(f"KenhThucHien {record.get('KenhThucHien')!r} not in 1..3")
    problems += [f"{name} {record.get(name)!r} is not yyyyMMddHHmmss"
                 for name in DATE_FIELDS if not stamp_ok(record.get(name))]  # fmt: skip
    for entry in record.get("DanhSachHoSoBoSung") or []:
        problems += [f"DanhSachHoSoBoSung.{name} {entry.get(name)!r} is not yyyyMMddHHmmss"
                     for name in SUPPLEMENT_DATES if not stamp_ok(entry.get(name))]  # fmt: skip
    for name in ("DanhSachHoSoBoSung", "DanhSachLePhi", "DanhSachGiayToKetQua"):
        if not isinstance(record.get(name, []), list):
            problems.append(f"{name} is not a list")
    return problems


def error(code: str, message: str) -> Answer:
    return HTTPStatus.OK, {"error_code": code, "message": message}


class PortalState:
    """What the portal holds, and its answer to one call (no HTTP, no faults)."""

    def __init__(self, token: str) -> None:
        self.token = token
        self.lock = threading.Lock()
        self.records: dict[str, dict[str, Any]] = {}
        self.history: dict[str, list[dict[str, Any]]] = {}  # effective changes, in order
        self.calls: list[dict[str, Any]] = []  # every call that reached the portal
        self.progress: dict[str, list[dict[str, Any]]] = {}
        self.procedures: dict[str, dict[str, Any]] = {}
        self.files: dict[str, dict[str, Any]] = {}  # files of dossiers submitted on the portal

    def handle(self, body: dict[str, Any]) -> Answer:
        if not secrets.compare_digest(str(body.get("session") or ""), self.token):
            return error("401", "phiên không hợp lệ / invalid session")
        if not str(body.get("madonvi") or "").strip():
            return error("02", "thiếu madonvi / madonvi missing")
        handlers: dict[str, Callable[[dict[str, Any]], Answer]] = {
            "LayThuTuc": self.procedure, "LayDanhSachTTHC": self.procedure_list,
            "TraCuuHoSo": self.lookup, "DongBoHoSoMC": self.dossier_sync,
            "CapNhatTienDoHoSoMC": self.progress_update, "LayTepDinhKem": self.attachment,
        }  # fmt: skip
        handler = handlers.get(str(body.get("service")))
        if handler is None:
            return error("404", f"unknown service {body.get('service')!r}")
        with self.lock:
            self.calls.append(json.loads(json.dumps(body)))
            return handler(body)

    def file_add(
        self, name: str, content: bytes, content_type: str = "application/pdf"
    ) -> dict[str, str]:
        """A file a citizen attached on the portal: its id and SHA-256, as a portal dossier names
        them when it is posted to the receiving unit."""
        digest = hashlib.sha256(content).hexdigest()
        with self.lock:
            file_id = f"TEP-{len(self.files) + 1:06d}"
            self.files[file_id] = {
                "id": file_id, "name": name, "content_type": content_type, "sha256": digest,
                "content_base64": base64.b64encode(content).decode(),
            }  # fmt: skip
        return {"id": file_id, "name": name, "sha256": digest}

    def attachment(self, body: dict[str, Any]) -> Answer:
        found = self.files.get(str(body.get("id") or ""))
        if found is None:
            return error("04", "không có tệp / no such file")
        return HTTPStatus.OK, {"error_code": "00", "result": [dict(found)]}

    def procedure(self, body: dict[str, Any]) -> Answer:
        found = self.procedures.get(str(body.get("maTTHC") or ""))
        if found is None:
            return error("04", "không có thủ tục / no such procedure")
        return HTTPStatus.OK, {"error_code": "00", "result": [found]}

    def procedure_list(self, body: dict[str, Any]) -> Answer:
        return HTTPStatus.OK, {"error_code": "00", "result": list(self.procedures.values())}

    def lookup(self, body: dict[str, Any]) -> Answer:
        found = self.records.get(str(body.get("mahoso") or ""))
        return HTTPStatus.OK, {"error_code": "00", "result": [dict(found)] if found else []}

    def dossier_sync(self, body: dict[str, Any]) -> Answer:
        data, updating = body.get("data"), body.get("isUpdating")
        if not isinstance(data, list) or not data or not isinstance(updating, bool):
            return error("02", "data must be a non-empty list and isUpdating a boolean")
        for record in data:
            problems = record_problems(record)
            if problems:
                return error("02", "; ".join(problems))
            exists = record["MaHoSo"] in self.records
            if exists and not updating:
                return error("03", f"hồ sơ {record['MaHoSo']} đã có / already exists")
            if not exists and updating:
                return error("05", f"không có hồ sơ {record['MaHoSo']} / not found")
        for record in data:  # all of them or none
            self.store(record)
        return HTTPStatus.OK, {"error_code": "00", "message": "Thành công"}

    def store(self, record: dict[str, Any]) -> None:
        code = record["MaHoSo"]
        if self.records.get(code) != record:
            self.records[code] = dict(record)
            self.history.setdefault(code, []).append(dict(record))
        self.procedures.setdefault(
            record["MaTTHC"], {"MATTHC": record["MaTTHC"], "TENTTHC": record.get("TenTTHC", "")}
        )

    def progress_update(self, body: dict[str, Any]) -> Answer:
        data = body.get("data")
        if not isinstance(data, list) or not data:
            return error("02", "data must be a non-empty list")
        for entry in data:
            if not isinstance(entry, dict) or entry.get("MaHoSo") not in self.records:
                return error("05", "không có hồ sơ / not found")
            if not stamp_ok(entry.get("ThoiDiemXuLy")) or not entry.get("ThoiDiemXuLy"):
                return error("02", "ThoiDiemXuLy is not yyyyMMddHHmmss")
        for entry in data:
            kept = self.progress.setdefault(entry["MaHoSo"], [])
            if entry not in kept:
                kept.append(dict(entry))
        return HTTPStatus.OK, {"error_code": "00"}

    def snapshot(self) -> dict[str, Any]:
        with self.lock:
            return json.loads(json.dumps({
                "records": self.records, "history": self.history, "progress": self.progress,
                "calls": len(self.calls),
            }))  # fmt: skip


class PortalSandbox(SandboxServer):
    """The portal's state behind a real HTTP server; ``start()`` serves from a thread."""

    def __init__(
        self, *, token: str, host: str = "127.0.0.1", port: int = 0, quiet: bool = True,
        fail: float = 0.0, lose: float = 0.0, twice: float = 0.0, slow_ms: int = 0,
        seed: int | None = None,
    ) -> None:  # fmt: skip
        self.state = PortalState(token)
        self.quiet = quiet
        self.faults(fail=fail, lose=lose, twice=twice, slow_ms=slow_ms, seed=seed)
        self.listen(host, port, handler_for(self))

    def faults(
        self, *, fail: float = 0.0, lose: float = 0.0, twice: float = 0.0, slow_ms: int = 0,
        seed: int | None = None,
    ) -> None:  # fmt: skip
        for share in (fail, lose, twice):
            if not 0.0 <= share <= 1.0:
                raise ValueError(f"a share of calls is between 0 and 1, got {share}")
        self.fail, self.lose, self.twice, self.slow_ms = fail, lose, twice, slow_ms
        self.random = random.Random(seed)  # noqa: S311 - fault injection, not security
        self.script: list[str] = []

    def scripted(self, outcomes: list[str]) -> None:
        """The next calls' fates in order (``ok``, ``fail``, ``lose``, ``twice``), then the shares."""
        self.script = list(outcomes)

    def fate(self) -> str:
        with self.state.lock:
            if self.script:
                return self.script.pop(0)
            draw = self.random.random()
        for name, share in (("fail", self.fail), ("lose", self.lose), ("twice", self.twice)):
            if draw < share:
                return name
            draw -= share
        return "ok"

    def answer(self, body: dict[str, Any]) -> Answer:
        """The portal's answer to one call as it reaches the network, faults included."""
        fate = self.fate()
        if fate == "fail":
            return HTTPStatus.SERVICE_UNAVAILABLE, {"error_code": "503", "message": "unavailable"}
        status, reply = self.state.handle(body)
        if fate == "twice":
            status, reply = self.state.handle(body)
        if fate == "lose":
            return HTTPStatus.SERVICE_UNAVAILABLE, {"error_code": "503", "message": "lost reply"}
        return status, reply


def handler_for(sandbox: PortalSandbox) -> type[BaseHTTPRequestHandler]:
    class Handler(SandboxHandler):
        def do_GET(self) -> None:
            if self.path == "/_state":
                self.answer(HTTPStatus.OK, sandbox.state.snapshot())
            else:
                self.answer(HTTPStatus.NOT_FOUND, {"error_code": "404"})

        def do_POST(self) -> None:
            body = self.json_body()
            if body is None:
                self.answer(HTTPStatus.BAD_REQUEST, {"error_code": "400", "message": "not JSON"})
                return
            if self.path == "/_files":  # the demo seeds a citizen's file: {name, content_base64}
                try:
                    content = base64.b64decode(str(body.get("content_base64") or ""), validate=True)
                except ValueError:
                    self.answer(HTTPStatus.BAD_REQUEST, {"error_code": "400", "message": "base64"})
                    return
                added = sandbox.state.file_add(str(body.get("name") or "tep.pdf"), content)
                self.answer(HTTPStatus.OK, {"error_code": "00", **added})
                return
            if self.path == "/_faults":
                try:
                    sandbox.faults(**{k: v for k, v in body.items()
                                      if k in ("fail", "lose", "twice", "slow_ms", "seed")})  # fmt: skip
                except (TypeError, ValueError) as problem:
                    self.answer(
                        HTTPStatus.BAD_REQUEST, {"error_code": "400", "message": str(problem)}
                    )
                    return
                self.answer(HTTPStatus.OK, {"error_code": "00"})
                return
            if sandbox.slow_ms:
                time.sleep(sandbox.slow_ms / 1000)
            self.answer(*sandbox.answer(body))

    Handler.sandbox = sandbox
    return Handler
