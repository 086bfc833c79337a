"""A dossier as the batch store holds it in memory, loaded from the database when needed.

``Record`` is the dossier row and the few rows the rules read besides it (the open step, the
pauses, whether a result or input documents are attached, open consultations). ``readback`` gives
the row as the database would return it, so the services see the same values on both paths
(times in UTC, plain strings): what a rule or a payload reads is what the line-by-line path
reads after its own round trip.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TypeVar

from django.db import models
from django.db.models.base import ModelState

from motcua.catalog.models import Procedure
from motcua.common.memo import memoized
from motcua.organizations.models import Unit

from ..models import Consultation, Dossier, DossierDocument, DossierPause, DossierStep

M = TypeVar("M", bound=models.Model)

DATETIMES = tuple(
    f.attname for f in Dossier._meta.concrete_fields if isinstance(f, models.DateTimeField)
)
STRINGS = tuple(
    f.attname
    for f in Dossier._meta.concrete_fields
    if isinstance(f, models.CharField | models.TextField)
)
UNIT_LINKS = ("receiving_unit", "deciding_unit", "pending_unit", "previous_unit")
# What an earlier request memoised on the object, which a row just read has not.
FRESH_ROW_LACKS = ("_prefetched_objects_cache", "_motcua_proven_by")


@dataclass
class Record:
    dossier: Dossier  # the latest state the services saved (read it through ``readback``)
    open_steps: tuple[DossierStep, ...] = ()
    open_pauses: tuple[DossierPause, ...] = ()
    closed_pauses: tuple[DossierPause, ...] = ()
    has_result: bool = False
    input_names: tuple[str, ...] = ()
    consultations: tuple[int, ...] = ()
    stored_version: int | None = None  # the version the database holds (None: not written yet)


def clone(obj: M) -> M:
    """A shallow copy with its own state and cache of related objects."""
    new = obj.__class__.__new__(obj.__class__)
    new.__dict__.update(obj.__dict__)
    state = ModelState()
    state.db, state.adding = obj._state.db, obj._state.adding
    state.fields_cache = dict(obj._state.fields_cache)
    new._state = state
    return new


def readback(dossier: Dossier) -> Dossier:
    """A fresh copy of the dossier as a query would return it."""
    copy = clone(dossier)
    values = copy.__dict__
    for name in DATETIMES:
        value = values[name]
        if value is not None and value.tzinfo is not datetime.UTC:
            values[name] = value.astimezone(datetime.UTC)
    for name in STRINGS:
        value = values[name]
        if value is not None and value.__class__ is not str:
            values[name] = str.__str__(value)  # a TextChoices member reads back as its value
    for name in FRESH_ROW_LACKS:
        values.pop(name, None)
    copy._state.adding = False
    # JSON values need no round trip: the services build them from plain JSON types and always
    # replace them, never change them in place.
    return copy


@memoized
def unit_of(pk: int) -> Unit:
    return Unit.objects.select_related("area").get(pk=pk)


@memoized
def procedure_of(pk: int) -> Procedure:
    return Procedure.objects.get(pk=pk)


def attach(dossier: Dossier) -> None:
    """Give a loaded row the run's unit and procedure objects (no query per dossier later)."""
    for name in UNIT_LINKS:
        pk = getattr(dossier, f"{name}_id")
        if pk is not None:
            setattr(dossier, name, unit_of(pk))
    dossier.procedure = procedure_of(dossier.procedure_id)


def records_load(dossiers: Iterable[Dossier]) -> list[Record]:
    """Records for rows already in the database, with the rows their rules read: 5 queries."""
    by_pk = {d.pk: Record(d, stored_version=d.version) for d in dossiers}
    if not by_pk:
        return []
    pks = list(by_pk)
    steps: dict[int, list[DossierStep]] = {}
    for step in DossierStep.objects.filter(dossier_id__in=pks, ended_at__isnull=True):
        steps.setdefault(step.dossier_id, []).append(step)
    for pause in DossierPause.objects.filter(dossier_id__in=pks).order_by("start", "pk"):
        record = by_pk[pause.dossier_id]
        if pause.end is None:
            record.open_pauses += (pause,)
        else:
            record.closed_pauses += (pause,)
    documents = DossierDocument.objects.filter(
        dossier_id__in=pks, kind__in=[DossierDocument.Kind.RESULT, DossierDocument.Kind.INPUT]
    ).values_list("dossier_id", "kind", "name")
    for dossier_id, kind, name in documents:
        record = by_pk[dossier_id]
        if kind == DossierDocument.Kind.RESULT:
            record.has_result = True
        else:
            record.input_names += (name,)
    consultations = Consultation.objects.filter(
        dossier_id__in=pks, answered_at__isnull=True
    ).values_list("dossier_id", "unit_id")
    for dossier_id, unit_id in consultations:
        by_pk[dossier_id].consultations += (unit_id,)
    for pk, record in by_pk.items():
        record.open_steps = tuple(steps.get(pk, ()))
        attach(record.dossier)
    return list(by_pk.values())
