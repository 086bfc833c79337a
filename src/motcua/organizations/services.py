"""Writes to the organisation tree."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction

from .models import Unit, UnitSuccession
from .unit_data import SuccessionRecord, UnitPlan, UnitRecord, plan_from_file

SIMPLE_FIELDS = (
    "name", "kind", "origin", "official_code", "name_en", "short_name", "committee_name",
    "address", "hotline", "note", "verified", "valid_from", "valid_until", "attributes",
)  # fmt: skip


@dataclass
class UnitLoadReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    from_file: int = 0
    derived: int = 0
    successions: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    not_in_file: list[str] = field(default_factory=list)


def desired_values(record: UnitRecord, ids: dict[str, int]) -> dict[str, Any]:
    values = {name: getattr(record, name) for name in SIMPLE_FIELDS}
    values["parent_id"] = ids.get(record.parent_code) if record.parent_code else None
    values["area_id"] = ids.get(record.area_code) if record.area_code else None
    return values


def upsert_units(records: Iterable[UnitRecord], report: UnitLoadReport) -> dict[str, int]:
    """Create or update every unit; parents are linked in a second pass once all ids exist."""
    records = list(records)
    existing = {unit.code: unit for unit in Unit.objects.filter(code__in=[r.code for r in records])}
    created: set[str] = set()
    for record in records:
        if record.code not in existing:
            values = desired_values(record, {})
            existing[record.code] = Unit.objects.create(code=record.code, **values)
            created.add(record.code)
    ids = {code: unit.pk for code, unit in existing.items()}
    for record in records:
        changed = update_unit(existing[record.code], desired_values(record, ids))
        if record.code in created:
            report.created += 1
        elif changed:
            report.updated += 1
        else:
            report.unchanged += 1
        report.by_kind[record.kind] = report.by_kind.get(record.kind, 0) + 1
    return ids


def update_unit(unit: Unit, values: dict[str, Any]) -> bool:
    changed = [name for name, value in values.items() if getattr(unit, name) != value]
    for name in changed:
        setattr(unit, name, values[name])
    if changed:
        unit.save(update_fields=[name.removesuffix("_id") for name in changed])
    return bool(changed)


def upsert_successions(
    records: Iterable[SuccessionRecord], ids: dict[str, int], report: UnitLoadReport
) -> None:
    for record in records:
        UnitSuccession.objects.update_or_create(
            predecessor_id=ids[record.predecessor_code],
            successor_id=ids[record.successor_code],
            defaults={"kind": record.kind, "effective_on": record.effective_on},
        )
        report.successions += 1


def unit_tree_load(*, path: Path) -> UnitLoadReport:
    """Load (or reload) the unit tree from a data file, all or nothing."""
    plan: UnitPlan = plan_from_file(path)
    report = UnitLoadReport(from_file=len(plan.file_units), derived=len(plan.derived_units))
    report.warnings.extend(plan.warnings)
    with transaction.atomic():
        ids = upsert_units(plan.all_units, report)
        upsert_successions(plan.successions, ids, report)
        report.not_in_file = sorted(
            Unit.objects.filter(origin__in=["data_file", "derived"])
            .exclude(code__in=[r.code for r in plan.all_units])
            .values_list("code", flat=True)
        )
    return report
