"""Writes to the catalog beyond the import: synonyms, popularity, YAML exchange of a procedure."""

from __future__ import annotations

from dataclasses import asdict, fields
from decimal import Decimal, InvalidOperation
from typing import Any

import yaml
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from motcua.common.errors import DomainError
from motcua.common.text import fold_words
from motcua.organizations.models import Unit

from .importer import save_changed, write_children
from .models import Field, Procedure, Synonym
from .records import (
    CaseRecord,
    ChannelRecord,
    FeeRecord,
    GroupRecord,
    ProcedureRecord,
    RequirementRecord,
    plain,
)
from .revision import catalog_changed
from .search import INDEX
from .seeds import POPULARITY, SEEDED_SYNONYMS


def synonym_save(*, phrase: str, expansion: str, note: str = "") -> Synonym:
    folded = fold_words(phrase)
    if not folded or not fold_words(expansion):
        raise DomainError(_("Cần có cả cách nói thường ngày và cụm từ tìm thay thế."))
    synonym, _created = Synonym.objects.update_or_create(
        phrase_folded=folded,
        defaults={"phrase": phrase.strip(), "expansion": expansion.strip(), "note": note},
    )
    INDEX.clear()
    return synonym


def synonyms_retire_seeded() -> int:
    """Remove the synonym rows that are still what the seed wrote before decision 0023 (the
    phrases live in ``search_terms`` now, better worded); an administrator's edit stays."""
    seeded = {(fold_words(phrase), expansion) for phrase, expansion, _note in SEEDED_SYNONYMS}
    rows = Synonym.objects.values_list("pk", "phrase_folded", "expansion")
    retired = [pk for pk, phrase, expansion in rows if (phrase, expansion) in seeded]
    if retired:
        Synonym.objects.filter(pk__in=retired).delete()
        catalog_changed()  # deletes send no signal here
        INDEX.clear()
    return len(retired)


def popularity_seed() -> int:
    """Set the starting popularity of common procedures that still have none."""
    changed = 0
    for code, value in POPULARITY.items():
        changed += Procedure.objects.filter(code=code, popularity=0).update(popularity=value)
    catalog_changed()  # updates send no signals
    INDEX.clear()
    return changed


# ------------------------------------------------------------------------- YAML exchange
def procedure_to_record(procedure: Procedure) -> ProcedureRecord:
    return ProcedureRecord(
        source_id=procedure.source_id,
        code=procedure.code,
        name=procedure.name,
        fields=[f.name for f in [procedure.field, *procedure.other_fields.all()] if f is not None],
        field_code=procedure.field.code if procedure.field else "",
        kind=procedure.kind,
        state=procedure.state,
        promulgating_body=procedure.promulgating_body,
        executing_bodies=list(procedure.executing_bodies),
        level=procedure.level,
        commune_body=procedure.commune_body,
        deciding_unit=procedure.deciding_unit.code if procedure.deciding_unit else None,
        receiving_units=[u.code for u in procedure.receiving_units.all()],
        applicant_types=list(procedure.applicant_types),
        legal_basis=list(procedure.legal_basis),
        results=list(procedure.results),
        conditions=procedure.conditions,
        steps_text=procedure.steps_text,
        online_level=procedure.online_level,
        eform_schema=dict(procedure.eform_schema),
        has_details=procedure.has_details,
        in_hanoi_set=procedure.in_hanoi_set,
        source_url=procedure.source_url,
        gaps=list(procedure.gaps),
        cases=[
            CaseRecord(c.code, c.name, c.time_quantity, c.time_unit) for c in procedure.cases.all()
        ],
        channels=[
            ChannelRecord(
                c.method,
                c.time_quantity,
                c.time_unit,
                c.note,
                [FeeRecord(f.fee_type, f.amount_vnd, f.text) for f in c.fees.all()],
            )
            for c in procedure.channels.all()
        ],
        groups=[
            GroupRecord(
                g.name,
                [
                    RequirementRecord(
                        r.name,
                        r.originals,
                        r.copies,
                        r.component_code,
                        r.has_eform,
                        r.replaceable_by_registry,
                        r.is_result,
                        r.abolished_note,
                    )
                    for r in g.items.all()
                ],
            )
            for g in procedure.requirement_groups.all()
        ],
        time_quantity=procedure.time_quantity,
        time_unit=procedure.time_unit,
        time_note=procedure.time_note,
    )


def procedure_export_yaml(procedure: Procedure) -> str:
    document = plain(asdict(procedure_to_record(procedure)))
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False, width=100)


def record_from_document(document: Any) -> ProcedureRecord:
    if not isinstance(document, dict):
        raise DomainError(_("Tệp YAML phải mô tả một thủ tục (một mapping)."))
    allowed = {f.name for f in fields(ProcedureRecord)}
    unknown = sorted(set(document) - allowed)
    if unknown:
        raise DomainError(
            _("Trường không biết trong tệp: %(names)s") % {"names": ", ".join(unknown)}
        )
    try:
        values = {**document}
        values["time_quantity"] = decimal(document.get("time_quantity"))
        values["cases"] = [
            CaseRecord(**{**c, "time_quantity": decimal(c.get("time_quantity"))})
            for c in document.get("cases") or []
        ]
        values["channels"] = [
            ChannelRecord(
                **{
                    **c,
                    "time_quantity": decimal(c.get("time_quantity")),
                    "fees": [FeeRecord(**f) for f in c.get("fees") or []],
                }
            )
            for c in document.get("channels") or []
        ]
        values["groups"] = [
            GroupRecord(g["name"], [RequirementRecord(**r) for r in g.get("items") or []])
            for g in document.get("groups") or []
        ]
        return ProcedureRecord(**values)
    except (TypeError, KeyError, InvalidOperation) as error:
        raise DomainError(
            _("Tệp YAML thiếu hoặc sai trường: %(error)s") % {"error": error}
        ) from error


def decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def procedure_import_yaml(text: str) -> Procedure:
    """Replace a procedure's content with an edited YAML export (a new version is recorded)."""
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise DomainError(_("YAML không hợp lệ: %(error)s") % {"error": error}) from error
    record = record_from_document(document)
    procedure = Procedure.objects.filter(source_id=record.source_id).first()
    if procedure is None:
        raise DomainError(_("Không có thủ tục mã %(code)s trong danh mục.") % {"code": record.code})
    units = dict(Unit.objects.values_list("code", "pk"))
    with transaction.atomic():
        known = {f.name: f for f in Field.objects.filter(name__in=record.fields)}
        for name in record.fields:
            if name not in known:
                known[name] = Field.objects.create(
                    name=name, code=record.field_code, name_folded=fold_words(name)
                )
        save_changed([record], {record.source_id: procedure}, known, units)
        write_children({record.source_id: procedure.pk}, [record], known, units)
        catalog_changed()  # the children are rewritten in bulk
    INDEX.clear()
    procedure.refresh_from_db()
    return procedure
