"""Published roots of all dossier chains, and the one scan that checks them (decision 0009).

``audit_publish`` reads every dossier's chain (checking each seal with the key), writes the list
of chain tails — one JSON line ``{"id", "ref", "seq", "hash"}`` per dossier, in id order, gzip'd —
and a root document: the SHA-256 of that list, the counts, the time and the previous root's
digest, signed with Ed25519. Both files go to ``MOTCUA_AUDIT_ROOTS_DIR`` (outside the database);
a copy of the document goes to ``AuditRoot`` and is served at ``/audit/roots/``. A root is
published only when every chain is sound and still holds everything the previous root holds, so
roots only grow.

``audit_scan`` is that check: per dossier the sealed chain, then against the latest root each
dossier it lists must still exist with the same sealed hash at the listed seq. It streams
dossiers by id in batches and merges them with the gzip'd tails, so memory stays flat whatever
the number of dossiers.
"""

from __future__ import annotations

import base64
import datetime
import gzip
import hashlib
import json
import os
import re
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import orjson
from cryptography.exceptions import InvalidSignature
from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet

from motcua.common.parallel import processes_usable

from . import audit_keys
from .audit import (
    UNSEALED,
    ChainProblem,
    chain_problems,
    dossier_facts,
    dumps,
    event_mac,
)
from .audit_keys import ChainKeys, chain_keys
from .audit_stream import DOSSIER_FIELDS, Tail, range_tasks, ranges_checked
from .models import AuditRoot, Dossier, DossierEvent

FORMAT = "motcua-audit-root/1"
BATCH = 1000
ROOT_FILE = re.compile(r"^root-(\d{6,})\.json$")


class AuditRefused(Exception):
    """The operation would anchor or launder a problem; the message (and report) say which."""

    def __init__(self, message: str, report: ScanReport | None = None) -> None:
        super().__init__(message)
        self.report = report


class Writer(Protocol):
    def write(self, data: bytes, /) -> int: ...


def roots_dir() -> Path:
    return Path(settings.MOTCUA_AUDIT_ROOTS_DIR)


def root_name(number: int) -> str:
    return f"root-{number:06d}.json"


def tails_name(number: int) -> str:
    return f"root-{number:06d}.tails.jsonl.gz"


# --- root documents ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PublishedRoot:
    number: int
    document: dict[str, Any]
    text: str

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.text.encode()).hexdigest()


def root_sign(body: dict[str, Any]) -> str:
    key = audit_keys.signing_key()
    public = key.public_key()
    body = {
        **body,
        "algorithm": "Ed25519",
        "public_key": base64.b64encode(audit_keys.public_raw(public)).decode(),
        "key_fingerprint": audit_keys.fingerprint(public),
    }
    signature = base64.b64encode(key.sign(dumps(body))).decode()
    return json.dumps({**body, "signature": signature}, ensure_ascii=False, indent=2) + "\n"


def root_document_problem(document: dict[str, Any], trusted: dict[str, Any]) -> str | None:
    """Why a root document cannot be trusted (None: its signature holds with a trusted key)."""
    body = dict(document)
    signature = body.pop("signature", None)
    if body.get("format") != FORMAT or not isinstance(signature, str):
        return "không đúng định dạng gốc / not a root document"
    public = trusted.get(str(body.get("key_fingerprint")))
    if public is None:
        return "ký bằng khóa không được tin cậy / signed with a key that is not trusted"
    try:
        public.verify(base64.b64decode(signature, validate=True), dumps(body))
    except (InvalidSignature, ValueError):
        return "chữ ký không hợp lệ (tệp gốc bị sửa?) / signature invalid (root file altered?)"
    return None


def root_files() -> list[tuple[int, Path]]:
    folder = roots_dir()
    if not folder.is_dir():
        return []
    found = [
        (int(m.group(1)), path) for path in folder.iterdir() if (m := ROOT_FILE.match(path.name))
    ]
    return sorted(found)


@dataclass
class RootsCheck:
    latest: PublishedRoot | None = None
    problems: list[str] = field(default_factory=list)
    count: int = 0
    valid: dict[int, PublishedRoot] = field(default_factory=dict)


def roots_check() -> RootsCheck:
    """Every root in the folder: signed with a trusted key, numbered and linked in order, and the
    same as its copy in the database (a root in one place only is a problem)."""
    check = RootsCheck()
    trusted = audit_keys.trusted_public_keys()
    previous: PublishedRoot | None = None
    for number, path in root_files():
        check.count += 1
        text = path.read_text(encoding="utf-8")
        where = f"gốc / root #{number} ({path.name})"
        try:
            document = json.loads(text)
        except ValueError:
            check.problems.append(f"{where}: không đọc được / unreadable JSON")
            continue
        problem = root_document_problem(document, trusted)
        if problem is None and document.get("number") != number:
            problem = "số thứ tự khác tên tệp / number differs from the file name"
        if problem is None and previous is not None:
            if number != previous.number + 1:
                problem = f"thiếu gốc trước đó / roots missing before it (after #{previous.number})"
            elif document.get("previous") != previous.digest:
                problem = "không nối tiếp gốc trước / does not chain to the previous root"
        if problem is not None:
            check.problems.append(f"{where}: {problem}")
            continue
        previous = PublishedRoot(number, document, text)
        check.valid[number] = previous
    check.latest = previous
    stored = dict(AuditRoot.objects.values_list("number", "document"))
    on_disk = dict(root_files())
    for number in sorted(set(stored) | set(on_disk)):
        if number not in on_disk:
            check.problems.append(
                f"gốc / root #{number}: có trong cơ sở dữ liệu, không có trong thư mục gốc / "
                "in the database but not in the roots folder"
            )
        elif number not in stored:
            check.problems.append(
                f"gốc / root #{number}: có trong thư mục, không có trong cơ sở dữ liệu / "
                "in the roots folder but not in the database"
            )
        elif stored[number] != on_disk[number].read_text(encoding="utf-8"):
            check.problems.append(
                f"gốc / root #{number}: bản trong cơ sở dữ liệu khác tệp / the database copy "
                "differs from the file"
            )
    return check


# --- tails ------------------------------------------------------------------------------------


class TailsReader:
    """The tails of a published root, in id order, hashed as they are read."""

    def __init__(self, root: PublishedRoot) -> None:
        self.root = root
        self.sha = hashlib.sha256()
        self.problem: str | None = None
        self.lines = self.read()
        self.current: Tail | None = None
        self.advance()

    def read(self) -> Iterator[Tail]:
        path = roots_dir() / str(self.root.document.get("tails", ""))
        last_id = 0
        try:
            with gzip.open(path, "rb") as handle:
                for line in handle:
                    self.sha.update(line)
                    row = orjson.loads(line)  # a ValueError when it is not JSON
                    tail = Tail(int(row["id"]), str(row["ref"]), int(row["seq"]), str(row["hash"]))
                    if tail.id <= last_id:
                        raise ValueError("out of order")
                    last_id = tail.id
                    yield tail
        except (OSError, ValueError, KeyError, TypeError, EOFError):
            self.problem = (
                "tệp danh sách đuôi chuỗi hỏng hoặc thiếu / tails file damaged or missing"
            )
            return
        if self.sha.hexdigest() != self.root.document.get("root"):
            self.problem = (
                "danh sách đuôi chuỗi không khớp gốc đã ký (tệp bị sửa?) / tails do not match "
                "the signed root (file altered?)"
            )

    def advance(self) -> None:
        self.current = next(self.lines, None)

    def until(self, dossier_id: int | None) -> Iterator[Tail]:
        """Tails before ``dossier_id`` (all that are left when None)."""
        while self.current is not None and (dossier_id is None or self.current.id < dossier_id):
            yield self.current
            self.advance()

    def take(self, dossier_id: int) -> Tail | None:
        if self.current is not None and self.current.id == dossier_id:
            tail = self.current
            self.advance()
            return tail
        return None


# --- the scan ---------------------------------------------------------------------------------


@dataclass
class ScanReport:
    dossiers: int = 0
    events: int = 0
    problems: list[ChainProblem] = field(default_factory=list)
    root_problems: list[str] = field(default_factory=list)
    root: PublishedRoot | None = None
    roots: int = 0
    tails_sha256: str = ""

    @property
    def clean(self) -> bool:
        return not self.problems and not self.root_problems


def dossier_batches(queryset: QuerySet[Dossier]) -> Iterator[list[Any]]:
    last = 0
    rows = queryset.order_by().values_list(*DOSSIER_FIELDS, named=True)
    while True:
        batch = list(rows.filter(pk__gt=last).order_by("pk")[:BATCH])
        if not batch:
            return
        yield batch
        last = batch[-1].id


def audit_scan(
    *,
    dossiers: QuerySet[Dossier] | None = None,
    against_root: bool = True,
    root_number: int | None = None,
    tails_out: Writer | None = None,
    workers: int = 1,
    progress: Callable[[int], object] = lambda n: None,
) -> ScanReport:
    """Check every chain (or those of ``dossiers``) with the key and against the latest
    published root (or root ``root_number``); with ``tails_out``, also write the tails of the
    chains as they are now. ``workers``: processes checking ranges of dossiers at once
    (PostgreSQL, committed data: ``audit_stream``); ``progress`` is told of each range."""
    report = ScanReport()
    reader: TailsReader | None = None
    if against_root:
        roots = roots_check()
        report.roots, report.root, report.root_problems = roots.count, roots.latest, roots.problems
        if root_number is not None:
            report.root = roots.valid.get(root_number)
            if report.root is None:
                report.root_problems.append(
                    f"gốc / root #{root_number}: không có hoặc không hợp lệ / missing or invalid"
                )
        if report.root is not None:
            reader = TailsReader(report.root)
    sha = hashlib.sha256()
    tasks = range_tasks(reader, dossiers=dossiers, tails_wanted=tails_out is not None)
    for result in ranges_checked(tasks, 1 if dossiers is not None else processes_usable(workers)):
        report.problems.extend(result.problems)
        report.dossiers += result.dossiers
        report.events += result.events
        if tails_out is not None and result.tails:
            sha.update(result.tails)
            tails_out.write(result.tails)
        progress(result.dossiers)
    if reader is not None and reader.problem:
        report.root_problems.append(f"gốc / root #{reader.root.number}: {reader.problem}")
    report.tails_sha256 = sha.hexdigest()
    return report


# --- publishing -------------------------------------------------------------------------------


def next_number() -> int:
    on_disk = [number for number, _path in root_files()]
    stored = AuditRoot.objects.order_by("-number").values_list("number", flat=True).first()
    return max([0, *on_disk, stored or 0]) + 1


def audit_publish(
    *, at: datetime.datetime, reason: str = "manual", workers: int = 1
) -> tuple[AuditRoot, ScanReport]:
    """Publish a signed root of every chain: a file in ``MOTCUA_AUDIT_ROOTS_DIR``, a copy in
    ``AuditRoot``. Refuses (``AuditRefused`` with the report) when any chain or earlier root has a
    problem: a root must never anchor a rewritten history. ``workers``: see ``audit_scan``."""
    folder = roots_dir()
    folder.mkdir(parents=True, exist_ok=True)
    chain_keys(create=True)  # a fresh installation publishes its first (empty) root
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=".tails-", suffix=".gz")
    os.close(handle)
    try:
        with gzip.GzipFile(temporary, "wb", mtime=0) as tails_out:
            report = audit_scan(tails_out=tails_out, workers=workers)
        if not report.clean:
            raise AuditRefused(
                "Có vấn đề: không công bố gốc / problems found: no root published", report
            )
        previous = report.root
        number = next_number()
        body = {
            "format": FORMAT,
            "number": number,
            "published_at": at.astimezone(datetime.UTC).isoformat(timespec="seconds"),
            "reason": reason,
            "dossiers": report.dossiers,
            "events": report.events,
            "root": report.tails_sha256,
            "tails": tails_name(number),
            "previous": previous.digest if previous is not None else None,
        }
        text = root_sign(body)
        with transaction.atomic():
            stored = AuditRoot.objects.create(
                number=number, published_at=at, reason=reason, dossiers=report.dossiers,
                events=report.events, root=report.tails_sha256,
                key_fingerprint=json.loads(text)["key_fingerprint"], document=text,
            )  # fmt: skip
            os.chmod(temporary, 0o640)  # not secret, not published: the refs are in it
            os.replace(temporary, folder / tails_name(number))
            file_write(folder / root_name(number), text)
    finally:
        Path(temporary).unlink(missing_ok=True)
    return stored, report


def file_write(path: Path, text: str) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".root-")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write(text)
    os.chmod(temporary, 0o644)  # a root is public
    os.replace(temporary, path)


def audit_publish_due(at: datetime.datetime, every: datetime.timedelta) -> bool:
    latest = AuditRoot.objects.order_by("-number").values_list("published_at", flat=True).first()
    return latest is None or at - latest >= every


# --- the one-time upgrade ---------------------------------------------------------------------


@dataclass
class RechainReport:
    resealed: int = 0
    events: int = 0
    problems: list[ChainProblem] = field(default_factory=list)
    root: AuditRoot | None = None


def audit_rechain(*, at: datetime.datetime) -> RechainReport:
    """Seal, once, the plain SHA-256 chains written before decision 0009, then publish the first
    root. Each old chain must be intact as a plain chain; a broken one is reported and left as
    it is. Refused once any root exists: from then on an unsealed event can only be a forgery."""
    if root_files() or AuditRoot.objects.exists():
        raise AuditRefused(
            "Đã có gốc được công bố: không niêm phong lại / roots are already published: "
            "rechaining now would launder a forged chain"
        )
    report = RechainReport()
    keys = chain_keys(create=True)
    assert keys is not None
    for batch in dossier_batches(Dossier.objects.all()):
        with transaction.atomic():
            ids = [row.id for row in batch]
            list(Dossier.objects.select_for_update().filter(pk__in=ids).values_list("pk"))
            fresh = list(
                Dossier.objects.filter(pk__in=ids)
                .order_by("pk")
                .values_list(*DOSSIER_FIELDS, named=True)
            )
            grouped: dict[int, list[DossierEvent]] = {row.id: [] for row in fresh}
            for event in DossierEvent.objects.filter(dossier_id__in=ids).order_by(
                "dossier_id", "seq"
            ):
                grouped[event.dossier_id].append(event)
            changed: list[DossierEvent] = []
            heads: list[Dossier] = []
            for row in fresh:
                events = grouped[row.id]
                if any(not event.key_id for event in events) and reseal_one(
                    row, events, keys, report
                ):
                    changed.extend(events)
                    heads.append(Dossier(pk=row.id, last_event_hash=events[-1].hash))
            DossierEvent.objects.bulk_update(
                changed, ["prev_hash", "facts", "key_id", "hash"], batch_size=500
            )
            Dossier.objects.bulk_update(heads, ["last_event_hash"], batch_size=500)
    if not report.problems:
        report.root, _scan = audit_publish(at=at, reason="rechain")
    return report


def reseal_one(
    row: Any, events: list[DossierEvent], keys: ChainKeys, report: RechainReport
) -> bool:
    """Seal one intact old chain in place (unsaved); False, with the problems, if it is broken."""
    problems = [p for p in chain_problems(row, events, keys) if p.problem != UNSEALED]
    if problems:
        report.problems.extend(problems)
        return False
    previous = ""
    for number, event in enumerate(events, start=1):
        last = number == len(events)
        event.prev_hash = previous
        event.facts = dossier_facts(row) if last else (event.facts if event.key_id else "")
        event.key_id = keys.current_id
        event.hash = event_mac(row.ref, event, keys.current)
        previous = event.hash
    report.resealed += 1
    report.events += len(events)
    return True
