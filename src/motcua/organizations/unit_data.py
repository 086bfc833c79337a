"""Reading and validating the organisation data file (``data/hanoi_units.yaml``).

The whole file is checked before anything is written, so a bad file never leaves a half-loaded
tree. Every problem is reported with the unit it concerns, in Vietnamese and English.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .constants import COMMUNE_LEVEL_KINDS, FILE_KINDS, MERGE_WORDING, MergeKind, UnitKind

# Resolution 1656/NQ-UBTVQH15: the new commune-level units of Hà Nội exist from 1/7/2025.
REORGANISATION_DATE = datetime.date(2025, 7, 1)
CODE_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
OFFICIAL_COMMUNE_CODE = re.compile(r"^\d{5}$")
POLICE_PARENT_CODE = "hn-cong-an"
CITY_CODE = "hn"


class UnitDataError(Exception):
    """The data file cannot be loaded; ``problems`` lists every reason found."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True)
class UnitRecord:
    """One unit as the database should hold it after a load."""

    code: str
    name: str
    kind: str
    parent_code: str | None
    origin: str
    official_code: str = ""
    name_en: str = ""
    short_name: str = ""
    committee_name: str = ""
    address: str = ""
    hotline: str = ""
    note: str = ""
    verified: bool = True
    valid_from: datetime.date | None = None
    valid_until: datetime.date | None = None
    area_code: str | None = None
    attributes: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SuccessionRecord:
    predecessor_code: str
    successor_code: str
    kind: MergeKind
    effective_on: datetime.date


@dataclass
class UnitPlan:
    """Everything a load will write, derived from one data file."""

    file_units: list[UnitRecord] = field(default_factory=list)
    derived_units: list[UnitRecord] = field(default_factory=list)
    successions: list[SuccessionRecord] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def all_units(self) -> list[UnitRecord]:
        return [*self.file_units, *self.derived_units]


def problem(where: str, vi: str, en: str) -> str:
    return f"{where}: {vi} / {en}"


def read_unit_file(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise UnitDataError(
            [problem(str(path), "không tìm thấy tệp dữ liệu", "data file not found")]
        ) from exc
    except UnicodeDecodeError as exc:
        raise UnitDataError(
            [problem(str(path), "tệp không phải UTF-8", "file is not UTF-8 text")]
        ) from exc
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise UnitDataError(
            [problem(str(path), f"YAML không hợp lệ ({exc})", f"invalid YAML ({exc})")]
        ) from exc
    if not isinstance(document, dict) or not isinstance(document.get("units"), list):
        raise UnitDataError(
            [problem(str(path), "thiếu danh sách 'units'", "the file has no 'units' list")]
        )
    return document


def parse_date(value: Any, where: str, name: str, problems: list[str]) -> datetime.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        problems.append(
            problem(
                where, f"ngày '{name}' không hợp lệ: {value!r}", f"invalid date '{name}': {value!r}"
            )
        )
        return None


def text(raw: dict[str, Any], key: str) -> str:
    value = raw.get(key)
    return "" if value is None else str(value).strip()


def file_unit_record(raw: Any, index: int, problems: list[str]) -> UnitRecord | None:
    where = f"units[{index}]"
    if not isinstance(raw, dict):
        problems.append(problem(where, "không phải một đơn vị (mapping)", "not a mapping"))
        return None
    code = text(raw, "code")
    where = f"units[{index}] '{code}'" if code else where
    before = len(problems)
    if not CODE_PATTERN.match(code):
        problems.append(
            problem(where, "mã đơn vị trống hoặc sai dạng", "missing or malformed code")
        )
    if not text(raw, "name"):
        problems.append(problem(where, "thiếu tên đơn vị", "missing name"))
    kind = text(raw, "kind")
    if kind not in FILE_KINDS:
        problems.append(
            problem(where, f"loại đơn vị không biết: {kind!r}", f"unknown kind {kind!r}")
        )
    official_code = text(raw, "official_code")
    if kind in COMMUNE_LEVEL_KINDS and not OFFICIAL_COMMUNE_CODE.match(official_code):
        problems.append(
            problem(
                where,
                f"mã hành chính cấp xã phải gồm 5 chữ số, nhận được {official_code!r}",
                f"commune-level official code must be 5 digits, got {official_code!r}",
            )
        )
    valid_from = parse_date(raw.get("valid_from"), where, "valid_from", problems)
    valid_until = parse_date(raw.get("valid_until"), where, "valid_until", problems)
    if valid_from is None and kind in COMMUNE_LEVEL_KINDS:
        valid_from = REORGANISATION_DATE
    if valid_from and valid_until and valid_until < valid_from:
        problems.append(
            problem(where, "hết hiệu lực trước khi có hiệu lực", "valid_until < valid_from")
        )
    if len(problems) > before:
        return None
    known = {
        "code", "name", "kind", "parent", "official_code", "name_en", "short", "committee",
        "address", "hotline", "note", "verified", "valid_from", "valid_until",
    }  # fmt: skip
    extras = {k: v for k, v in raw.items() if k not in known}
    return UnitRecord(
        code=code,
        name=text(raw, "name"),
        kind=kind,
        parent_code=text(raw, "parent") or None,
        origin="data_file",
        official_code=official_code,
        name_en=text(raw, "name_en"),
        short_name=text(raw, "short"),
        committee_name=text(raw, "committee"),
        address=text(raw, "address"),
        hotline=text(raw, "hotline"),
        note=text(raw, "note"),
        verified=bool(raw.get("verified", True)),
        valid_from=valid_from,
        valid_until=valid_until,
        attributes=extras,
    )


def check_references(records: list[UnitRecord], problems: list[str]) -> None:
    by_code: dict[str, UnitRecord] = {}
    for record in records:
        if record.code in by_code:
            problems.append(problem(record.code, "mã đơn vị bị trùng", "duplicate unit code"))
        by_code[record.code] = record
    for record in records:
        if record.parent_code and record.parent_code not in by_code:
            problems.append(
                problem(
                    record.code,
                    f"đơn vị cấp trên '{record.parent_code}' không có trong tệp",
                    f"unknown parent unit code '{record.parent_code}'",
                )
            )
    check_no_cycles(by_code, problems)
    seen_official: dict[str, str] = {}
    for record in records:
        if record.kind in COMMUNE_LEVEL_KINDS:
            other = seen_official.setdefault(record.official_code, record.code)
            if other != record.code:
                problems.append(
                    problem(
                        record.code,
                        f"mã hành chính {record.official_code} trùng với '{other}'",
                        f"official code {record.official_code} also used by '{other}'",
                    )
                )


def check_no_cycles(by_code: dict[str, UnitRecord], problems: list[str]) -> None:
    for start in by_code.values():
        seen = {start.code}
        parent = start.parent_code
        while parent and parent in by_code:
            if parent in seen:
                problems.append(
                    problem(start.code, "cây đơn vị có vòng lặp", "the unit tree has a cycle")
                )
                break
            seen.add(parent)
            parent = by_code[parent].parent_code


def police_record(commune: UnitRecord) -> UnitRecord:
    """Each commune-level unit has its own police unit (126 in Hà Nội since 1/3/2025)."""
    kind_word, _, place = commune.name.partition(" ")
    return UnitRecord(
        code=f"{POLICE_PARENT_CODE}-{commune.code.removeprefix(CITY_CODE + '-')}",
        name=f"Công an {kind_word.lower()} {place}",
        kind=UnitKind.COMMUNE_POLICE,
        parent_code=POLICE_PARENT_CODE,
        origin="derived",
        name_en=f"Police of {commune.name}",
        valid_from=commune.valid_from,
        valid_until=commune.valid_until,
        area_code=commune.code,
        verified=commune.verified,
        note="Công an cấp xã, một đơn vị cho mỗi xã/phường (suy ra khi nạp dữ liệu).",
    )


def history_records(
    document: dict[str, Any], communes: list[UnitRecord], plan: UnitPlan, problems: list[str]
) -> None:
    """Former districts and communes (ended 30/6/2025) and their hand-over to the new units."""
    district_names = document.get("former_district_names") or {}
    ended = REORGANISATION_DATE - datetime.timedelta(days=1)
    former: dict[str, UnitRecord] = {}
    for district_code, district_name in sorted(district_names.items()):
        plan.derived_units.append(
            UnitRecord(
                code=f"hn-cu-{district_code}",
                name=str(district_name),
                kind=UnitKind.FORMER_DISTRICT,
                parent_code=CITY_CODE,
                origin="derived",
                official_code=str(district_code),
                valid_until=ended,
            )
        )
    for commune in communes:
        for raw in commune.attributes.get("predecessors") or []:
            record = former_commune_record(raw, commune, district_names, ended, problems)
            if record is None:
                continue
            existing = former.setdefault(record.code, record)
            if existing.name != record.name:
                plan.warnings.append(
                    problem(
                        record.code,
                        f"tên cũ khác nhau: {existing.name!r} và {record.name!r}",
                        "one former unit appears under two names",
                    )
                )
            plan.successions.append(
                SuccessionRecord(
                    predecessor_code=record.code,
                    successor_code=commune.code,
                    kind=merge_kind(raw.get("merge"), commune.code, plan.warnings),
                    effective_on=REORGANISATION_DATE,
                )
            )
    plan.derived_units.extend(former.values())


def merge_kind(wording: Any, successor_code: str, warnings: list[str]) -> MergeKind:
    """The NSO wording of a merge; an unknown wording is kept as a partial merge and reported."""
    kind = MERGE_WORDING.get(str(wording or "").strip())
    if kind is None:
        warnings.append(
            problem(
                successor_code,
                f"hình thức sáp nhập lạ {wording!r}, ghi là 'nhập một phần'",
                f"unknown merge wording {wording!r}, recorded as a partial merge",
            )
        )
        return MergeKind.PART
    return kind


def former_commune_record(
    raw: Any,
    successor: UnitRecord,
    district_names: dict[str, str],
    ended: datetime.date,
    problems: list[str],
) -> UnitRecord | None:
    where = f"{successor.code} predecessors"
    if not isinstance(raw, dict):
        problems.append(problem(where, "mục không hợp lệ", "entry is not a mapping"))
        return None
    old_code, district = str(raw.get("old_code", "")), str(raw.get("district", ""))
    if not OFFICIAL_COMMUNE_CODE.match(old_code):
        problems.append(
            problem(where, f"mã cũ sai dạng {old_code!r}", f"bad old_code {old_code!r}")
        )
        return None
    if district not in district_names:
        problems.append(
            problem(
                where, f"mã quận/huyện cũ không biết {district!r}", f"unknown district {district!r}"
            )
        )
        return None
    return UnitRecord(
        code=f"hn-cu-{district}-{old_code}",
        name=str(raw.get("name", "")).strip(),
        kind=UnitKind.FORMER_COMMUNE,
        parent_code=f"hn-cu-{district}",
        origin="derived",
        official_code=old_code,
        valid_until=ended,
    )


def plan_from_document(document: dict[str, Any]) -> UnitPlan:
    problems: list[str] = []
    plan = UnitPlan()
    for index, raw in enumerate(document["units"]):
        record = file_unit_record(raw, index, problems)
        if record is not None:
            plan.file_units.append(record)
    check_references(plan.file_units, problems)
    codes = {record.code for record in plan.file_units}
    communes = [r for r in plan.file_units if r.kind in COMMUNE_LEVEL_KINDS]
    if communes and POLICE_PARENT_CODE not in codes:
        problems.append(
            problem(
                POLICE_PARENT_CODE, "thiếu đơn vị Công an thành phố", "city police unit missing"
            )
        )
    if CITY_CODE not in codes:
        problems.append(problem(CITY_CODE, "thiếu đơn vị Thành phố", "city unit missing"))
    plan.derived_units.extend(police_record(commune) for commune in communes)
    history_records(document, communes, plan, problems)
    if problems:
        raise UnitDataError(problems)
    return plan


def plan_from_file(path: Path) -> UnitPlan:
    return plan_from_document(read_unit_file(path))
