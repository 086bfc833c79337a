"""The portal's record of a dossier after each of its events (DOMAIN.md §8), folded from the
event log: pure, no database. The worker sends the record after every event that changed it, so
the portal sees the history in order; ``TraCuuHoSo``'s answer is compared with these records to
know how far the portal already is.

Instants are written ``yyyyMMddHHmmss`` in Hà Nội time; empty when not known yet.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.utils import translation

from motcua.common.clock import VIETNAM
from motcua.dossiers.constants import NATIONAL_STATUS, Action, ApplicantKind, Channel, Status

# KenhThucHien: 1 at the counter, 2 online (ours or the national portal's), 3 by post.
CHANNEL = {Channel.COUNTER: 1, Channel.ONLINE: 2, Channel.NATIONAL_PORTAL: 2, Channel.POST: 3}
END = frozenset({Status.PROCESSED, Status.RETURNED, Status.STOPPED, Status.NOT_RECEIVED})


class EventLike(Protocol):
    seq: int
    action: str
    at: datetime.datetime
    to_status: str
    reason: str
    actor_name: str
    payload: Any


@dataclass(frozen=True)
class Document:
    id: int
    name: str
    kind: str
    uploaded_at: datetime.datetime
    digitised: bool


@dataclass(frozen=True)
class Static:
    """What does not change with the events: who applied for what, where."""

    code: str
    procedure_code: str
    procedure_name: str
    applicant: dict[str, Any]
    applicant_kind: str
    channel: str
    deciding_unit: str
    documents: Sequence[Document] = field(default_factory=tuple)


def stamp(at: datetime.datetime | str | None) -> str:
    if not at:
        return ""
    if isinstance(at, str):
        at = datetime.datetime.fromisoformat(at)
    return at.astimezone(VIETNAM).strftime("%Y%m%d%H%M%S")


@dataclass
class Fold:
    status: str = Status.NEW
    received: str = ""
    due: str = ""
    ended: str = ""
    returned: str = ""
    supplements: list[dict[str, Any]] = field(default_factory=list)
    fees: list[dict[str, Any]] = field(default_factory=list)


def fold_apply(fold: Fold, event: EventLike) -> None:
    payload = event.payload if isinstance(event.payload, dict) else {}
    fold.status = event.to_status
    if event.action == Action.RECEIVE:
        fold.received, fold.due = stamp(event.at), stamp(payload.get("due_at"))
    elif event.action == Action.APOLOGIZE:
        fold.due = stamp(payload.get("new_due")) or fold.due
    elif event.action == Action.REQUEST_SUPPLEMENT:
        fold.supplements.append({
            "NguoiYeuCauBoSung": event.actor_name, "NoiDungBoSung": event.reason,
            "NgayBoSung": stamp(event.at), "NgayTiepNhanBoSung": "", "TrangThaiBoSung": 0,
            "NgayHenTraTruoc": fold.due, "NgayHenTraMoi": "",
        })  # fmt: skip
    elif event.action == Action.SUBMIT_SUPPLEMENT and not payload.get("partial"):
        new_due = stamp(payload.get("due_at")) or fold.due
        if fold.supplements and fold.supplements[-1]["TrangThaiBoSung"] == 0:
            fold.supplements[-1].update(
                NgayTiepNhanBoSung=stamp(event.at), TrangThaiBoSung=1, NgayHenTraMoi=new_due
            )
        fold.due = new_due
    elif event.action == Action.REQUEST_PAYMENT:
        fold.fees.append({
            "TenPhiLePhi": event.reason or "Phí, lệ phí", "MaPhiLePhi": "", "HinhThucThu": 0,
            "Gia": int(payload.get("amount_vnd") or 0), "LoaiPhiLePhi": 1,
        })  # fmt: skip
    if event.to_status in END and not fold.ended:
        fold.ended = stamp(event.at)
    if event.action == Action.RETURN_RESULT:
        fold.returned = stamp(event.at)


def record_of(static: Static, fold: Fold, at: datetime.datetime) -> dict[str, Any]:
    applicant = static.applicant
    inputs = [d for d in static.documents if d.kind != "result" and d.uploaded_at <= at]
    results = [d for d in static.documents if d.kind == "result" and d.uploaded_at <= at]
    return {
        "MaHoSo": static.code, "MaTTHC": static.procedure_code, "TenTTHC": static.procedure_name,
        "ChuHoSo": str(applicant.get("name") or ""),
        "LoaiDoiTuong": 2 if static.applicant_kind == ApplicantKind.ORGANISATION else 1,
        "MaDoiTuong": str(applicant.get("id_number") or ""),
        "DonViXuLy": static.deciding_unit, "NgayTiepNhan": fold.received,
        "NgayHenTra": fold.due, "NgayTra": fold.returned, "NgayKetThucXuLy": fold.ended,
        "TrangThaiHoSo": NATIONAL_STATUS[Status(fold.status)],
        "KenhThucHien": CHANNEL.get(Channel(static.channel), 2),
        "DanhSachHoSoBoSung": [dict(entry) for entry in fold.supplements],
        "DanhSachLePhi": [dict(entry) for entry in fold.fees],
        "DanhSachGiayToKetQua": [
            {"TenGiayTo": d.name, "MaThanhPhanHoSo": "", "GiayToId": str(d.id),
             "DuongDanTepTinKetQua": ""} for d in results
        ],
        # Decision 766 flags known here (payment and personal-store flags are not recorded yet).
        "HoSoCoThanhPhanSoHoa": 1 if inputs else 0,
        "DuocSoHoa": 1 if any(d.digitised for d in inputs) else 0,
    }  # fmt: skip


@dataclass(frozen=True)
class Step:
    """What the portal gets for one event: the record if the event changed it
    (``DongBoHoSoMC``), and always the progress line (``CapNhatTienDoHoSoMC``)."""

    seq: int
    record: dict[str, Any] | None
    progress: dict[str, Any]


def progress_of(static: Static, fold: Fold, event: EventLike) -> dict[str, Any]:
    with translation.override("vi"):
        action = str(Action(event.action).label) if event.action in Action.values else event.action
    return {
        "MaHoSo": static.code, "NguoiXuLy": event.actor_name or "Hệ thống", "ChucDanh": "",
        "ThoiDiemXuLy": stamp(event.at), "PhongBanXuLy": static.deciding_unit,
        "NoiDungXuLy": f"{action}: {event.reason}" if event.reason else action,
        "TrangThai": NATIONAL_STATUS[Status(fold.status)], "NgayBatDau": stamp(event.at),
        "NgayKetThucTheoQuyDinh": fold.due,
    }  # fmt: skip


def steps_after_events(static: Static, events: Iterable[EventLike]) -> list[Step]:
    """One step per event, in order; the record only where it differs from the one before."""
    fold, previous, steps = Fold(), None, []
    for event in events:
        fold_apply(fold, event)
        record = record_of(static, fold, event.at)
        changed = record if record != previous else None
        steps.append(Step(event.seq, changed, progress_of(static, fold, event)))
        previous = record
    return steps


def records_after_events(
    static: Static, events: Iterable[EventLike]
) -> list[tuple[int, dict[str, Any]]]:
    """(seq, record) after every event whose record differs from the one before it: what the
    portal must hold, in order."""
    return [(s.seq, s.record) for s in steps_after_events(static, events) if s.record is not None]


def portal_is_at(found: dict[str, Any], record: dict[str, Any]) -> bool:
    """The portal holds ``record``: each field we send has the value we would send."""
    return all(found.get(name) == value for name, value in record.items())
