from __future__ import annotations

from decimal import Decimal
from typing import Any

from ninja import Schema
from pydantic import Field


class FieldOut(Schema):
    name: str
    code: str


class UnitRef(Schema):
    code: str
    name: str


class ProcedureSummary(Schema):
    code: str
    name: str
    field: FieldOut | None
    level: str
    online_level: str
    kind: str
    in_hanoi_set: bool
    url: str


class ProcedurePage(Schema):
    total: int
    page: int
    page_size: int
    pages: int
    items: list[ProcedureSummary]
    suggestion: str | None = Field(
        None,
        description="Có phải bạn muốn tìm: the query with its likely slips corrected "
        "('thuong chu' → 'thường trú'); the items already follow it. Null when nothing was "
        "corrected.",
    )


class CaseOut(Schema):
    code: str
    name: str
    time_quantity: Decimal | None
    time_unit: str
    time_limit_text: str


class FeeOut(Schema):
    fee_type: str
    amount_vnd: int | None
    text: str


class ChannelOut(Schema):
    method: str
    time_quantity: Decimal | None
    time_unit: str
    fees: list[FeeOut]


class RequirementOut(Schema):
    name: str
    originals: int
    copies: int
    component_code: str
    has_eform: bool
    replaceable_by_registry: bool


class GroupOut(Schema):
    name: str
    items: list[RequirementOut]


class StepOut(Schema):
    order: int
    name: str
    role: str
    scope: str
    budget_quantity: Decimal
    budget_unit: str


class ProcessOut(Schema):
    version: int
    status: str
    problem: str
    steps: list[StepOut]


class ProcedureDetail(ProcedureSummary):
    promulgating_body: str
    executing_bodies: list[str]
    commune_body: str
    deciding_unit: UnitRef | None
    receiving_units: list[UnitRef]
    applicant_types: list[str]
    legal_basis: list[dict[str, str]]
    results: list[str]
    conditions: str
    cases: list[CaseOut]
    channels: list[ChannelOut]
    requirement_groups: list[GroupOut]
    process: ProcessOut | None
    eform_schema: dict[str, Any]
    version: int
    gaps: list[str]
    source_url: str


class StatsOut(Schema):
    total: int
    national_records: int
    online: dict[str, int]
    levels: dict[str, int]
    unit: UnitRef | None


class ErrorOut(Schema):
    code: str
    message: str
    message_en: str
