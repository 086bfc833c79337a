"""The competence rules table: seeding it from the data file, reading the rules in force, and
applying them again to the whole catalog after an administrator changed one (decision 0024)."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.db import transaction

from motcua.organizations.constants import UnitKind
from motcua.organizations.models import Unit

from .competence import (
    CENTRAL_BY_RULE,
    FACILITY_BY_RULE,
    Competence,
    Rule,
    competence_of,
    in_force,
    rules_from_document,
)
from .models import CompetenceRule, Procedure
from .records import in_hanoi_set
from .revision import catalog_changed


def seed_document(path: Path | None = None) -> Any:
    source = Path(path or settings.MOTCUA_COMPETENCE_RULES_FILE)
    return yaml.safe_load(source.read_text(encoding="utf-8"))


def competence_rules_seed(path: Path | None = None) -> tuple[int, int]:
    """Write the seed file's rules into the table: new ones created, seeded ones refreshed, and a
    rule an administrator edited (``seeded`` false) left as it is. Returns (created, updated)."""
    units = dict(Unit.objects.values_list("code", "pk"))
    existing = {rule.key: rule for rule in CompetenceRule.objects.all()}
    created = updated = 0
    with transaction.atomic():
        for rule in rules_from_document(seed_document(path)):
            row = existing.get(rule.key)
            if row is not None and not row.seeded:
                continue
            values = {
                "match": rule.match, "pattern": rule.pattern, "exclude": rule.exclude,
                "field_name": rule.field_name, "level": rule.level,
                "commune_body": rule.commune_body,
                "deciding_unit_id": units.get(rule.deciding_unit or ""),
                "receive_at_branches": rule.receive_at_branches, "priority": rule.priority,
                "valid_from": rule.valid_from, "valid_to": rule.valid_to,
            }  # fmt: skip
            if row is None:
                row = CompetenceRule.objects.create(key=rule.key, seeded=True, **values)
                created += 1
            elif any(getattr(row, name) != value for name, value in values.items()):
                CompetenceRule.objects.filter(pk=row.pk).update(**values)
                updated += 1
            row.receiving_units.set([units[c] for c in rule.receiving_units if c in units])
    return created, updated


def rule_of(row: CompetenceRule) -> Rule:
    return Rule(
        key=row.key, match=row.match, pattern=row.pattern, level=row.level,
        commune_body=row.commune_body,
        deciding_unit=row.deciding_unit.code if row.deciding_unit else None,
        receiving_units=tuple(unit.code for unit in row.receiving_units.all()),
        receive_at_branches=row.receive_at_branches, exclude=row.exclude,
        field_name=row.field_name, priority=row.priority, valid_from=row.valid_from,
        valid_to=row.valid_to,
    )  # fmt: skip


def rules_in_force(day: datetime.date) -> list[Rule] | None:
    """The table's rules in force on ``day``, best first; ``None`` when the table is empty (the
    import then uses the seed file as it is)."""
    rows = CompetenceRule.objects.select_related("deciding_unit").prefetch_related(
        "receiving_units"
    )
    rules = [rule_of(row) for row in rows.order_by("priority", "key")]
    return in_force(rules, day) if rules else None


def branch_codes(day: datetime.date) -> list[str]:
    return list(
        Unit.objects.effective_on(day)
        .filter(kind=UnitKind.SERVICE_CENTER_BRANCH)
        .order_by("code")
        .values_list("code", flat=True)
    )


PLACEMENT_GAPS = (
    "executing body not recognised", "no executing body", CENTRAL_BY_RULE, FACILITY_BY_RULE,
)  # fmt: skip


def gaps_after(gaps: list[str], found: Competence) -> list[str]:
    """The record's gaps with the placement problem of the rules now in force (catalog-check
    reports the unplaced and the centrally decided by it)."""
    kept = [gap for gap in gaps or [] if not str(gap).startswith(PLACEMENT_GAPS)]
    return kept + ([found.problem] if found.problem else [])


def competence_apply(day: datetime.date) -> int:
    """Place every procedure again with the rules in force on ``day`` (after an administrator
    changed a rule). Returns how many procedures changed; their receiving units are rewritten."""
    rules = rules_in_force(day)
    units = dict(Unit.objects.values_list("code", "pk"))
    branches = [units[c] for c in branch_codes(day)]
    changed: list[Procedure] = []
    receiving: dict[int, list[int]] = {}
    rows = Procedure.objects.select_related("field").only(
        "pk", "code", "name", "kind", "executing_bodies", "promulgating_body", "level",
        "commune_body", "deciding_unit_id", "in_hanoi_set", "gaps", "field__name",
    )  # fmt: skip
    for procedure in rows.iterator(chunk_size=1000):
        found = competence_of(
            procedure.executing_bodies, name=procedure.name,
            promulgating_body=procedure.promulgating_body, code=procedure.code,
            field_name=procedure.field.name if procedure.field else "", rules=rules, day=day,
        )  # fmt: skip
        deciding = units.get(found.deciding_unit or "")
        if (procedure.level, procedure.commune_body, procedure.deciding_unit_id) == (
            found.level, found.commune_body, deciding,
        ):  # fmt: skip
            continue
        procedure.level, procedure.commune_body = found.level, found.commune_body
        procedure.deciding_unit_id = deciding
        procedure.gaps = gaps_after(procedure.gaps, found)
        procedure.in_hanoi_set = in_hanoi_set(
            procedure.kind, procedure.promulgating_body, found.level
        )
        changed.append(procedure)
        ids = [units[c] for c in found.receiving_units if c in units]
        receiving[procedure.pk] = ids + (branches if found.receive_at_branches else [])
    through = Procedure.receiving_units.through
    with transaction.atomic():
        Procedure.objects.bulk_update(
            changed,
            ["level", "commune_body", "deciding_unit_id", "in_hanoi_set", "gaps"],
            batch_size=500,
        )
        through.objects.filter(procedure_id__in=list(receiving)).delete()
        through.objects.bulk_create(
            [through(procedure_id=p, unit_id=u) for p, ids in receiving.items() for u in ids],
            batch_size=500,
        )
        if changed:
            catalog_changed()  # bulk writes send no signals
    return len(changed)
