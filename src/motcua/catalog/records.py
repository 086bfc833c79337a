"""Turning the national records (``catalog.jsonl`` + ``details.jsonl``) into catalog rows.

Pure functions: one JSON record in, one :class:`ProcedureRecord` out (with every gap noted), so the
mapping is testable without a database. :mod:`motcua.catalog.importer` writes the records.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from motcua.common.text import fold_words

from .competence import competence_of
from .constants import ChannelMethod, FeeType, OnlineLevel, ProcedureKind, TimeUnit
from .eforms import eform_for

CODE = re.compile(r"^\d\.\d{6}$")
HANOI = re.compile(r"\bha noi\b")
KINDS = {
    "STANDARD": ProcedureKind.STANDARD,
    "SPECIFIC": ProcedureKind.SPECIFIC,
    "STANDARD_INTERNAL": ProcedureKind.INTERNAL,
}
TIME_UNITS = {
    "WORKING_DAY": TimeUnit.WORKING_DAY,
    "DAY": TimeUnit.CALENDAR_DAY,
    "HOUR": TimeUnit.WORKING_HOUR,
}
METHODS = {
    "DIRECT": ChannelMethod.DIRECT,
    "ONLINE": ChannelMethod.ONLINE,
    "POSTAL": ChannelMethod.POSTAL,
}
FEE_TYPES = {"FEE": FeeType.FEE, "SERVICE_FEE": FeeType.SERVICE_FEE, "PRICE_LEVEL": FeeType.PRICE}
# Procedures known to be offered fully online (toàn trình) on the national portal; the records do
# not say which are, so anything else with an online channel is "partial" (see decision 0003).
FULL_ONLINE = frozenset(
    {"1.001193", "1.000656", "1.004222", "1.004194", "1.003197", "2.000635", "1.004873"}
)
# What makes a document replaceable by data the state already holds (Decree 107/2021; records say so).
REGISTRY_WORDS = re.compile(
    r"co so du lieu quoc gia|co so du lieu ve cu tru|kho quan ly du lieu dien tu|khai thac (duoc )?thong tin|"
    r"khong phai (nop|xuat trinh)|ban dien tu"
)


@dataclass
class CaseRecord:
    code: str
    name: str
    time_quantity: Decimal | None
    time_unit: str


@dataclass
class FeeRecord:
    fee_type: str
    amount_vnd: int | None
    text: str


@dataclass
class ChannelRecord:
    method: str
    time_quantity: Decimal | None
    time_unit: str
    note: str
    fees: list[FeeRecord] = field(default_factory=list)


@dataclass
class RequirementRecord:
    name: str
    originals: int
    copies: int
    component_code: str
    has_eform: bool
    replaceable_by_registry: bool
    is_result: bool


@dataclass
class GroupRecord:
    name: str
    items: list[RequirementRecord] = field(default_factory=list)


@dataclass
class ProcedureRecord:
    source_id: str
    code: str
    name: str
    fields: list[str]
    field_code: str
    kind: str
    state: str
    promulgating_body: str
    executing_bodies: list[str]
    level: str
    commune_body: str
    deciding_unit: str | None
    receiving_units: list[str]
    applicant_types: list[str]
    legal_basis: list[dict[str, str]]
    results: list[str]
    conditions: str
    steps_text: str
    online_level: str
    eform_schema: dict[str, Any]
    has_details: bool
    in_hanoi_set: bool
    source_url: str
    gaps: list[str]
    cases: list[CaseRecord] = field(default_factory=list)
    channels: list[ChannelRecord] = field(default_factory=list)
    groups: list[GroupRecord] = field(default_factory=list)

    def content_hash(self) -> str:
        payload = json.dumps(asdict(self), ensure_ascii=False, sort_keys=True, default=str)
        return hashlib.sha256(payload.encode()).hexdigest()

    def search_text(self) -> str:
        return fold_words(" ".join([self.code, self.name, *self.fields, *self.results]))


@dataclass
class SkippedLine:
    source: str
    line: int
    reason: str


def read_jsonl(path: Path, skipped: list[SkippedLine]) -> Iterator[tuple[int, dict[str, Any]]]:
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                value = json.loads(line)
            except json.JSONDecodeError as error:
                skipped.append(SkippedLine(path.name, number, f"invalid JSON ({error.msg})"))
                continue
            if not isinstance(value, dict):
                skipped.append(SkippedLine(path.name, number, "not a JSON object"))
                continue
            yield number, value


def text_of(value: Any) -> str:
    return "" if value is None else " ".join(str(value).split())


def texts(values: Any) -> list[str]:
    return [text_of(v) for v in values or [] if text_of(v)]


def decimal_or_none(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value))
    except ArithmeticError:
        return None
    return number if number > 0 else None


def time_limit(qty: Any, unit: Any) -> tuple[Decimal | None, str]:
    quantity, mapped = decimal_or_none(qty), TIME_UNITS.get(str(unit))
    if mapped is None or quantity is None:
        return None, TimeUnit.UNKNOWN
    return quantity, mapped


def case_records(detail: dict[str, Any], gaps: list[str]) -> list[CaseRecord]:
    cases = []
    for raw in detail.get("processing_cases") or []:
        quantity, unit = time_limit(raw.get("qty"), raw.get("unit"))
        code = text_of(raw.get("case_code"))
        if unit == TimeUnit.UNKNOWN:
            gaps.append(
                f"time limit of case {code} not usable ({raw.get('qty')} {raw.get('unit')})"
            )
        cases.append(CaseRecord(code, "", quantity, unit))
    return cases


def fee_records(raw_fees: Any) -> list[FeeRecord]:
    fees = []
    for raw in raw_fees or []:
        amount = raw.get("value_vnd")
        fees.append(
            FeeRecord(
                fee_type=FEE_TYPES.get(str(raw.get("type")), FeeType.FEE),
                amount_vnd=int(amount) if isinstance(amount, int | float) and amount >= 0 else None,
                text=text_of(raw.get("text")),
            )
        )
    return fees


def channel_records(detail: dict[str, Any]) -> list[ChannelRecord]:
    channels = []
    for raw in detail.get("channels") or []:
        method = METHODS.get(str(raw.get("method")))
        if method is None:
            continue
        processing = raw.get("processing") or {}
        quantity, unit = time_limit(processing.get("qty"), processing.get("unit"))
        channels.append(
            ChannelRecord(
                method, quantity, unit, text_of(raw.get("note")), fee_records(raw.get("fees"))
            )
        )
    return channels


def group_name(raw: Any) -> str:
    return text_of(raw).strip("*: ").strip()


def group_records(detail: dict[str, Any]) -> list[GroupRecord]:
    """Documents by case; groups with the same name are merged, repeated items dropped."""
    groups: dict[str, GroupRecord] = {}
    for raw in detail.get("checklist_raw") or []:
        name = group_name(raw.get("group"))
        group = groups.setdefault(name, GroupRecord(name))
        seen = {(item.name, item.component_code) for item in group.items}
        for item in raw.get("items") or []:
            record = requirement_record(item)
            if record.name and (record.name, record.component_code) not in seen:
                group.items.append(record)
                seen.add((record.name, record.component_code))
    return [group for group in groups.values() if group.items]


def requirement_record(item: dict[str, Any]) -> RequirementRecord:
    name = text_of(item.get("name"))
    return RequirementRecord(
        name=name,
        originals=max(0, int(item.get("original_qty") or 0)),
        copies=max(0, int(item.get("copy_qty") or 0)),
        component_code=text_of(item.get("code")),
        has_eform=bool(item.get("has_electronic_form")),
        replaceable_by_registry=bool(REGISTRY_WORDS.search(fold_words(name))),
        is_result=bool(item.get("is_processing_result")),
    )


def online_level(code: str, channels: list[ChannelRecord], has_details: bool) -> str:
    if not has_details:
        return OnlineLevel.UNKNOWN
    if not any(channel.method == ChannelMethod.ONLINE for channel in channels):
        return OnlineLevel.NONE
    return OnlineLevel.FULL if code in FULL_ONLINE else OnlineLevel.PARTIAL


def in_hanoi_set(kind: str, promulgating_body: str, level: str) -> bool:
    """National standard procedures done locally, and Hà Nội's own specific ones."""
    if kind == ProcedureKind.SPECIFIC:
        return bool(HANOI.search(fold_words(promulgating_body)))
    return kind == ProcedureKind.STANDARD and level != "ministry"


def procedure_record(raw: dict[str, Any], detail: dict[str, Any] | None) -> ProcedureRecord:
    code = text_of(raw.get("code"))
    gaps: list[str] = []
    if not CODE.match(code):
        gaps.append(f"code {code!r} does not have the N.NNNNNN form")
    detail = detail or {}
    if not detail:
        gaps.append("no detailed record (documents, fees, time limit)")
    kind = KINDS.get(str(raw.get("type")), ProcedureKind.STANDARD)
    promulgating = text_of(raw.get("departmentPromulgate") or detail.get("promulgating_agency"))
    bodies = texts(raw.get("departments")) + texts([detail.get("executing_agency")])
    competence = competence_of(
        bodies, name=text_of(raw.get("name")), promulgating_body=promulgating
    )
    if competence.problem:
        gaps.append(competence.problem)
    cases = case_records(detail, gaps)
    channels = channel_records(detail)
    if detail and not cases and not any(c.time_unit != TimeUnit.UNKNOWN for c in channels):
        gaps.append("no usable time limit")
    category = detail.get("category") or {}
    fields = texts(raw.get("categories")) or texts([category.get("name")])
    if not fields:
        gaps.append("no field (lĩnh vực)")
    name = text_of(raw.get("name") or detail.get("name"))
    return ProcedureRecord(
        source_id=text_of(raw.get("id")) or f"code:{code}",
        code=code,
        name=name,
        fields=fields,
        field_code=text_of(category.get("code")),
        kind=kind,
        state=text_of(raw.get("state")),
        promulgating_body=promulgating,
        executing_bodies=bodies,
        level=competence.level,
        commune_body=competence.commune_body,
        deciding_unit=competence.deciding_unit,
        receiving_units=list(competence.receiving_units),
        applicant_types=texts(raw.get("formalityTargetType") or detail.get("subject_types")),
        legal_basis=[
            {"code": text_of(b.get("code")), "name": text_of(b.get("name"))}
            for b in detail.get("legal_basis") or []
            if isinstance(b, dict)
        ],
        results=texts(detail.get("results")),
        conditions=text_of(detail.get("requirements")),
        steps_text="\n".join(
            str(step.get("text") or "").strip() for step in detail.get("steps_raw") or []
        ).strip(),
        online_level=online_level(code, channels, bool(detail)),
        eform_schema={},
        has_details=bool(detail),
        in_hanoi_set=in_hanoi_set(kind, promulgating, competence.level),
        source_url=text_of((detail.get("source") or {}).get("url")),
        gaps=gaps,
        cases=cases,
        channels=channels,
        groups=group_records(detail),
    )


def plain(value: Any) -> Any:
    """Decimals as JSON numbers, recursively (snapshots, YAML)."""
    if isinstance(value, Decimal):
        return float(value) if value % 1 else int(value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def with_eform(record: ProcedureRecord) -> ProcedureRecord:
    record.eform_schema = eform_for(record.code, record.name, [g.name for g in record.groups])
    return record
