"""Reads of delegations: which one is in force, for whom, for which procedure, on which day."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db.models import QuerySet, prefetch_related_objects

from motcua.catalog.models import Procedure
from motcua.catalog.revision import catalog_cached
from motcua.common.memo import memoized
from motcua.common.prepared import PreparedQuery

from .constants import SIGNING_KINDS, DelegationKind
from .models import Delegation


def covers(delegation: Delegation, procedure: Procedure) -> bool:
    """The delegation's scope holds the procedure: named by code, by field, or all (both empty)."""
    codes = set(delegation.procedure_codes or [])
    field_ids = {field.pk for field in delegation.fields.all()}
    if not codes and not field_ids:
        return True
    return procedure.code in codes or (
        procedure.field_id is not None and procedure.field_id in field_ids
    )


def first_covering(candidates: Iterable[Delegation], procedure: Procedure) -> Delegation | None:
    # Validation keeps overlapping delegations out; should old data hold two, the one that
    # names the procedure most narrowly, then the latest, wins, always the same one.
    found = [d for d in candidates if covers(d, procedure)]
    narrow = [d for d in found if d.procedure_codes]
    return max(narrow or found, key=lambda d: (d.valid_from, d.pk), default=None)


@catalog_cached(size=1)
def delegating_unit_ids() -> frozenset[int]:
    """Units that have ever delegated anything: most never do. Kept in the process with the
    catalog's token, which every saved delegation moves (``catalog.revision``)."""
    return frozenset(
        Delegation.objects.order_by().values_list("delegator_unit_id", flat=True).distinct()
    )


def delegations_on(day: datetime.date) -> QuerySet[Delegation]:
    return Delegation.objects.in_force_on(day).select_related("delegate_unit", "delegator_unit")


def signing_rows(unit_id: int, day: datetime.date, officer_id: int) -> QuerySet[Delegation]:
    return delegations_on(day).filter(
        delegator_unit_id=unit_id, kind__in=sorted(SIGNING_KINDS), delegate_id=officer_id
    )


def devolution_rows(unit_id: int, day: datetime.date) -> QuerySet[Delegation]:
    return delegations_on(day).filter(delegator_unit_id=unit_id, kind=DelegationKind.DEVOLUTION)


# Asked at every signature and every competence check: compiled once per connection
# (``common.prepared``); the two shapes are the only ones asked.
SAMPLE_DAYS = (datetime.date(2001, 1, 1), datetime.date(2001, 1, 2))
SIGNING = PreparedQuery(signing_rows, unit_id=(1, 2), day=SAMPLE_DAYS, officer_id=(1, 2))
DEVOLUTION = PreparedQuery(devolution_rows, unit_id=(1, 2), day=SAMPLE_DAYS)


def with_fields(delegations: list[Delegation]) -> list[Delegation]:
    prefetch_related_objects(delegations, "fields")
    return delegations


@memoized
def signing_in_force(*, unit_id: int, on: datetime.date, officer_id: int) -> list[Delegation]:
    # Asked at every signature and reception (a bulk run: for every unit and day of its
    # history); most units never delegate, and need no query.
    if unit_id not in delegating_unit_ids():
        return []
    return with_fields(SIGNING(unit_id=unit_id, day=on, officer_id=officer_id))


@memoized
def devolutions_in_force(*, unit_id: int, on: datetime.date) -> list[Delegation]:
    if unit_id not in delegating_unit_ids():
        return []
    return with_fields(DEVOLUTION(unit_id=unit_id, day=on))


def signing_delegation(
    *, unit_id: int, officer_id: int, procedure: Procedure, on: datetime.date
) -> Delegation | None:
    """The delegation under which ``officer`` signs for the head of the unit (KT., TL., TUQ.)."""
    candidates = signing_in_force(unit_id=unit_id, on=on, officer_id=officer_id)
    return first_covering(candidates, procedure)


def devolution_from(*, unit_id: int, procedure: Procedure, on: datetime.date) -> Delegation | None:
    """The phân cấp that moves the deciding of ``procedure`` away from the unit on ``on``."""
    return first_covering(devolutions_in_force(unit_id=unit_id, on=on), procedure)


def devolution_into(
    *, unit_id: int, from_unit_id: int, procedure: Procedure, on: datetime.date
) -> Delegation | None:
    """The phân cấp from ``from_unit`` that made ``unit`` competent for ``procedure`` on ``on``."""
    if unit_id == from_unit_id:
        return None
    found = devolution_from(unit_id=from_unit_id, procedure=procedure, on=on)
    return found if found is not None and found.delegate_unit_id == unit_id else None
