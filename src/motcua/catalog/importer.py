"""Import the national procedure records, idempotently, reporting every gap.

Unchanged records (same content hash) are skipped; a changed record gets a new version with a
snapshot, and its cases, channels, fees and documents are replaced. New records are written in
bulk. The whole import is one transaction: a failure leaves the catalog as it was.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction

from motcua.common import clock
from motcua.common.text import fold_words
from motcua.organizations.models import Unit

from .competence import Rule
from .competence_rules import branch_codes, competence_rules_seed, rules_in_force
from .models import (
    Channel,
    Fee,
    Field,
    Procedure,
    ProcedureCase,
    ProcedureVersion,
    Requirement,
    RequirementGroup,
)
from .records import (
    ProcedureRecord,
    SkippedLine,
    plain,
    procedure_record,
    read_jsonl,
    record_data,
    with_eform,
)
from .revision import catalog_changed

BATCH = 500
Progress = Callable[[Iterable[Any], int], Iterable[Any]]


@dataclass
class ImportReport:
    read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: list[SkippedLine] = field(default_factory=list)
    gaps: Counter[str] = field(default_factory=Counter)
    incomplete: int = 0
    hanoi_set: int = 0
    details: int = 0
    examples: dict[str, list[str]] = field(default_factory=dict)

    def note_gaps(self, record: ProcedureRecord) -> None:
        if record.gaps:
            self.incomplete += 1
        for gap in record.gaps:
            reason = (
                gap.split(":")[0].split("(")[0].strip()
                if "case" not in gap
                else "time limit of a case not usable"
            )
            self.gaps[reason] += 1
            self.examples.setdefault(reason, [])
            if len(self.examples[reason]) < 5:
                self.examples[reason].append(record.code)


def no_progress(items: Iterable[Any], total: int) -> Iterable[Any]:
    return items


def read_records(
    catalog: Path, details: Path, report: ImportReport, *,
    rules: list[Rule] | None = None, day: datetime.date | None = None,
) -> Iterator[ProcedureRecord]:  # fmt: skip
    by_source: dict[str, dict[str, Any]] = {}
    by_code: dict[str, dict[str, Any]] = {}
    for _line, raw in read_jsonl(details, report.skipped):
        code = " ".join(str(raw.get("code") or "").split())
        if code:
            by_code[code] = raw
            by_source[str(raw.get("source_id") or "")] = raw
    report.details = len(by_code)
    seen: set[str] = set()
    for line, raw in read_jsonl(catalog, report.skipped):
        code = " ".join(str(raw.get("code") or "").split())
        source_id = str(raw.get("id") or f"code:{code}")
        if not code or not str(raw.get("name") or "").strip():
            report.skipped.append(SkippedLine(catalog.name, line, "no code or no name"))
            continue
        if source_id in seen:
            report.skipped.append(SkippedLine(catalog.name, line, f"duplicate record {source_id}"))
            continue
        seen.add(source_id)
        detail = by_source.get(source_id) or by_code.get(code)
        yield with_eform(procedure_record(raw, detail, rules=rules, day=day))


def fields_by_name(records: list[ProcedureRecord]) -> dict[str, Field]:
    existing = {f.name: f for f in Field.objects.all()}
    codes: dict[str, str] = {}
    for record in records:
        if record.fields and record.field_code:
            codes.setdefault(record.fields[0], record.field_code)
    new = [
        Field(name=name, code=codes.get(name, ""), name_folded=fold_words(name))
        for name in sorted({n for r in records for n in r.fields} - set(existing))
    ]
    Field.objects.bulk_create(new, batch_size=BATCH)
    for item in Field.objects.filter(name__in=codes, code=""):
        item.code = codes[item.name]
        item.save(update_fields=["code"])
    return {f.name: f for f in Field.objects.all()}


def procedure_values(
    record: ProcedureRecord, fields: dict[str, Field], units: dict[str, int]
) -> dict[str, Any]:
    return {
        "name": record.name,
        "name_folded": fold_words(record.name),
        "field_id": fields[record.fields[0]].pk if record.fields else None,
        "kind": record.kind,
        "state": record.state,
        "promulgating_body": record.promulgating_body[:255],
        "executing_bodies": record.executing_bodies,
        "level": record.level,
        "commune_body": record.commune_body,
        "deciding_unit_id": units.get(record.deciding_unit) if record.deciding_unit else None,
        "applicant_types": record.applicant_types,
        "legal_basis": record.legal_basis,
        "results": record.results,
        "conditions": record.conditions,
        "steps_text": record.steps_text,
        "online_level": record.online_level,
        "eform_schema": record.eform_schema,
        "has_details": record.has_details,
        "in_hanoi_set": record.in_hanoi_set,
        "gaps": record.gaps,
        "source_url": record.source_url[:500],
        "content_hash": record.content_hash(),
        "search_text": record.search_text(),
        "time_quantity": record.time_quantity,
        "time_unit": record.time_unit,
        "time_note": record.time_note,
    }


def write_children(
    procedure_ids: dict[str, int],
    records: list[ProcedureRecord],
    fields: dict[str, Field],
    units: dict[str, int],
) -> None:
    """Cases, channels, fees, document groups and receiving units of these procedures."""
    ids = [procedure_ids[r.source_id] for r in records]
    for model in (ProcedureCase, Channel, RequirementGroup):
        model.objects.filter(procedure_id__in=ids).delete()
    Procedure.other_fields.through.objects.filter(procedure_id__in=ids).delete()
    Procedure.receiving_units.through.objects.filter(procedure_id__in=ids).delete()
    cases, channels, groups = [], [], []
    for record in records:
        pid = procedure_ids[record.source_id]
        cases += [
            ProcedureCase(
                procedure_id=pid,
                code=c.code[:48],
                name=c.name,
                time_quantity=c.time_quantity,
                time_unit=c.time_unit,
                order=i,
            )
            for i, c in enumerate(record.cases)
        ]
        channels += [
            Channel(
                procedure_id=pid,
                method=c.method,
                time_quantity=c.time_quantity,
                time_unit=c.time_unit,
                note=c.note,
                order=i,
            )
            for i, c in enumerate(record.channels)
        ]
        groups += [
            RequirementGroup(procedure_id=pid, name=g.name, order=i)
            for i, g in enumerate(record.groups)
        ]
    ProcedureCase.objects.bulk_create(cases, batch_size=BATCH)
    Channel.objects.bulk_create(channels, batch_size=BATCH)
    RequirementGroup.objects.bulk_create(groups, batch_size=BATCH)
    write_grandchildren(procedure_ids, records, ids)
    write_links(procedure_ids, records, fields, units)


def write_grandchildren(
    procedure_ids: dict[str, int], records: list[ProcedureRecord], ids: list[int]
) -> None:
    channel_rows = {
        (c.procedure_id, c.order): c.pk for c in Channel.objects.filter(procedure_id__in=ids)
    }
    group_rows = {
        (g.procedure_id, g.order): g.pk
        for g in RequirementGroup.objects.filter(procedure_id__in=ids)
    }
    fees, items = [], []
    for record in records:
        pid = procedure_ids[record.source_id]
        for i, channel in enumerate(record.channels):
            fees += [
                Fee(
                    channel_id=channel_rows[(pid, i)],
                    fee_type=f.fee_type,
                    amount_vnd=f.amount_vnd,
                    text=f.text,
                )
                for f in channel.fees
            ]
        for i, group in enumerate(record.groups):
            items += [
                Requirement(group_id=group_rows[(pid, i)], order=j, **record_data(item))
                for j, item in enumerate(group.items)
            ]
    Fee.objects.bulk_create(fees, batch_size=BATCH)
    Requirement.objects.bulk_create(items, batch_size=BATCH)


def receiving_codes(record: ProcedureRecord, branches: list[str]) -> list[str]:
    codes = list(record.receiving_units)
    if record.receive_at_branches:
        codes += [code for code in branches if code not in codes]
    return codes


def write_links(
    procedure_ids: dict[str, int],
    records: list[ProcedureRecord],
    fields: dict[str, Field],
    units: dict[str, int],
) -> None:
    branches = branch_codes(clock.today())
    other_fields = Procedure.other_fields.through
    receiving = Procedure.receiving_units.through
    other_fields.objects.bulk_create(
        [
            other_fields(procedure_id=procedure_ids[r.source_id], field_id=fields[name].pk)
            for r in records
            for name in r.fields[1:]
        ],
        batch_size=BATCH,
    )
    receiving.objects.bulk_create(
        [
            receiving(procedure_id=procedure_ids[r.source_id], unit_id=units[code])
            for r in records
            for code in receiving_codes(r, branches)
            if code in units
        ],
        batch_size=BATCH,
    )


def snapshot(record: ProcedureRecord) -> dict[str, Any]:
    return dict(plain(record_data(record)))


def save_changed(
    records: list[ProcedureRecord],
    existing: dict[str, Procedure],
    fields: dict[str, Field],
    units: dict[str, int],
) -> None:
    for record in records:
        procedure = existing[record.source_id]
        for name, value in procedure_values(record, fields, units).items():
            setattr(procedure, name, value)
        procedure.version += 1
        procedure.save()
        ProcedureVersion.objects.create(
            procedure=procedure, version=procedure.version, snapshot=snapshot(record)
        )


def create_new(
    records: list[ProcedureRecord], fields: dict[str, Field], units: dict[str, int]
) -> None:
    Procedure.objects.bulk_create(
        [
            Procedure(source_id=r.source_id, code=r.code, **procedure_values(r, fields, units))
            for r in records
        ],
        batch_size=BATCH,
    )
    ids = dict(Procedure.objects.values_list("source_id", "pk"))
    ProcedureVersion.objects.bulk_create(
        [
            ProcedureVersion(procedure_id=ids[r.source_id], version=1, snapshot=snapshot(r))
            for r in records
        ],
        batch_size=BATCH,
    )


def catalog_import(
    *, catalog: Path, details: Path, progress: Progress = no_progress
) -> ImportReport:
    report = ImportReport()
    day = clock.today()
    competence_rules_seed()
    records = list(read_records(catalog, details, report, rules=rules_in_force(day), day=day))
    report.read = len(records)
    units = dict(Unit.objects.values_list("code", "pk"))
    existing = {p.source_id: p for p in Procedure.objects.all()}
    new, changed = [], []
    for record in progress(records, len(records)):
        report.note_gaps(record)
        report.hanoi_set += record.in_hanoi_set
        current = existing.get(record.source_id)
        if current is None:
            new.append(record)
        elif current.content_hash != record.content_hash():
            changed.append(record)
        else:
            report.unchanged += 1
    with transaction.atomic():
        fields = fields_by_name(records)
        create_new(new, fields, units)
        save_changed(changed, existing, fields, units)
        touched = new + changed
        ids = dict(Procedure.objects.values_list("source_id", "pk"))
        for start in range(0, len(touched), BATCH):
            write_children(ids, touched[start : start + BATCH], fields, units)
        if touched:
            catalog_changed()  # bulk writes send no signals
    report.created, report.updated = len(new), len(changed)
    return report
