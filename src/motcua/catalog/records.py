"""Turning the national records (``catalog.jsonl`` + ``details.jsonl``) into catalog rows.

Pure functions: one JSON record in, one :class:`ProcedureRecord` out (with every gap noted), so the
mapping is testable without a database. :mod:`motcua.catalog.importer` writes the records.
"""

from __future__ import annotations

import datetime
import json
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field, fields, is_dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from motcua.common.chain import json_digest
from motcua.common.text import fold_words

from .competence import Rule, competence_of
from .constants import (
    OUTSIDE_ONE_STOP,
    ChannelMethod,
    FeeType,
    OnlineLevel,
    ProcedureKind,
    TimeUnit,
)
from .eforms import eform_for
from .limits import ParsedLimit, limit_parse, longest

CODE = re.compile(r"^\d\.\d{6}$")
HANOI = re.compile(r"\bha noi\b")
KINDS = {
    "STANDARD": ProcedureKind.STANDARD,
    "SPECIFIC": ProcedureKind.SPECIFIC,
    "STANDARD_INTERNAL": ProcedureKind.INTERNAL,
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
# Papers the law abolished: no counter may ask for them (Law on Residence 68/2020/QH14 art. 38,
# from 01/01/2023; Decree 104/2022). Folded pattern → why, as shown to officers and citizens.
ABOLISHED_PAPERS: list[tuple[re.Pattern[str], str]] = [
    (
        re.compile(r"\bso (ho khau|tam tru)\b|\bphieu bao thay doi ho khau\b"),
        "Sổ hộ khẩu, Sổ tạm trú bị bãi bỏ từ 01/01/2023 (Luật Cư trú 2020, Điều 38; "
        "Nghị định 104/2022/NĐ-CP): không yêu cầu nộp, xuất trình",
    ),
]


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
    abolished_note: str = ""  # why the paper must not be asked for (empty: it may be)


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
    # The procedure's limit when no case gives one (from the channels), and how it was read.
    time_quantity: Decimal | None = None
    time_unit: str = TimeUnit.UNKNOWN
    time_note: str = ""
    receive_at_branches: bool = False  # the Center's area branches receive it too

    def content_hash(self) -> str:
        return json_digest(record_data(self))

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


def time_limit(qty: Any, unit: Any, text: str = "") -> tuple[Decimal | None, str]:
    found = limit_parse(qty, unit, text)
    if found is None:
        return None, TimeUnit.UNKNOWN
    return found.quantity, found.unit


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
        note = text_of(raw.get("note"))
        quantity, unit = time_limit(processing.get("qty"), processing.get("unit"), note)
        channels.append(ChannelRecord(method, quantity, unit, note, fee_records(raw.get("fees"))))
    return channels


def channels_limit(channels: list[ChannelRecord]) -> ParsedLimit | None:
    """The procedure's limit read from its channels: the longest when they differ, noted."""
    found = [
        ParsedLimit(c.time_quantity, c.time_unit)
        for c in channels
        if c.time_unit != TimeUnit.UNKNOWN
    ]
    return longest(found, "các cách thức nộp có thời hạn khác nhau")


def abolished_note(name: str) -> str:
    folded = fold_words(name)
    return next((why for pattern, why in ABOLISHED_PAPERS if pattern.search(folded)), "")


def group_name(raw: Any) -> str:
    return text_of(raw).strip("*: ").strip()


def group_records(detail: dict[str, Any]) -> list[GroupRecord]:
    """Documents by case, repeated items dropped. Groups stay apart even when the record gives
    two the same name (1.004222 names its vehicle group like its owner group): merging them asked
    a home owner for vehicle papers. A repeated name is followed by the group's first document,
    so people see which case is which (a rank, "(2)", told them nothing)."""
    raws = detail.get("checklist_raw") or []
    named = Counter(group_name(raw.get("group")) for raw in raws)
    groups: list[GroupRecord] = []
    for raw in raws:
        name = group_name(raw.get("group"))
        group = GroupRecord(name)
        seen: set[tuple[str, str]] = set()
        for item in raw.get("items") or []:
            record = requirement_record(item)
            if record.name and (record.name, record.component_code) not in seen:
                group.items.append(record)
                seen.add((record.name, record.component_code))
        if group.items:
            if name and named[name] > 1:
                group.name = f"{name} — {first_words(group.items[0].name)}"
            groups.append(group)
    return groups


def first_words(text: str, limit: int = 80) -> str:
    """The start of a document's name, cut at a word, for telling same-named groups apart."""
    plain = " ".join(text.lstrip("-+*• ").split())
    if len(plain) <= limit:
        return plain
    return plain[:limit].rsplit(" ", 1)[0] + "…"


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
        abolished_note=abolished_note(name),
    )


def distinct_bodies(bodies: list[str]) -> list[str]:
    """Each executing body once: the catalog and the detail often both name it, spelled
    differently ("Công an cấp Xã" / "Công an cấp xã")."""
    seen: set[str] = set()
    kept = []
    for body in bodies:
        key = fold_words(body)
        if key not in seen:
            seen.add(key)
            kept.append(body)
    return kept


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
    return kind == ProcedureKind.STANDARD and level not in OUTSIDE_ONE_STOP


def procedure_record(
    raw: dict[str, Any], detail: dict[str, Any] | None, *,
    rules: list[Rule] | None = None, day: datetime.date | None = None,
) -> ProcedureRecord:  # fmt: skip
    code = text_of(raw.get("code"))
    gaps: list[str] = []
    if not CODE.match(code):
        gaps.append(f"code {code!r} does not have the N.NNNNNN form")
    detail = detail or {}
    if not detail:
        gaps.append("no detailed record (documents, fees, time limit)")
    kind = KINDS.get(str(raw.get("type")), ProcedureKind.STANDARD)
    promulgating = text_of(raw.get("departmentPromulgate") or detail.get("promulgating_agency"))
    bodies = distinct_bodies(
        texts(raw.get("departments")) + texts([detail.get("executing_agency")])
    )
    category = detail.get("category") or {}
    fields = texts(raw.get("categories")) or texts([category.get("name")])
    competence = competence_of(
        bodies, name=text_of(raw.get("name")), promulgating_body=promulgating, code=code,
        field_name=fields[0] if fields else "", rules=rules, day=day,
    )  # fmt: skip
    if competence.problem:
        gaps.append(competence.problem)
    cases = case_records(detail, gaps)
    channels = channel_records(detail)
    limit = channels_limit(channels)
    if detail and limit is None and not any(c.time_unit != TimeUnit.UNKNOWN for c in cases):
        gaps.append("no usable time limit")
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
        time_quantity=limit.quantity if limit else None,
        time_unit=limit.unit if limit else TimeUnit.UNKNOWN,
        time_note=limit.note if limit else "",
        receive_at_branches=competence.receive_at_branches,
    )


LEAVES = frozenset({str, int, float, bool, Decimal, type(None)})


def record_data(value: Any) -> Any:
    """What ``dataclasses.asdict`` gives, without its deep copy of every leaf: the leaves of a
    record are strings, numbers, Decimals, booleans and None, which nobody changes. The copy was a
    third of a catalog import (1.7 M calls for 5,670 records, hashed and snapshotted)."""
    kind = type(value)
    if kind in LEAVES:
        return value
    if kind is list or kind is tuple:
        return kind(record_data(item) for item in value)
    if kind is dict:
        return {key: record_data(item) for key, item in value.items()}
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: record_data(getattr(value, f.name)) for f in fields(value)}
    return value


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
