"""A dossier's deadlines, from its procedure's time limit and the working-time engine."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings

from motcua.catalog.constants import TimeUnit
from motcua.catalog.legal_limits import legal_limit_current
from motcua.catalog.models import LegalLimit, ProcedureCase, ProcessStep
from motcua.catalog.revision import catalog_cached
from motcua.worktime.engine import VIETNAM_OFFSET, Pause, PauseKind
from motcua.worktime.rules import Limit, LimitUnit, add_working_time
from motcua.worktime.services import calendar_in_force, deadline_compute

from .store import store

if TYPE_CHECKING:
    from .models import Dossier

LIMIT_UNITS: dict[str, LimitUnit] = {
    TimeUnit.WORKING_DAY: LimitUnit.WORKING_DAY,
    TimeUnit.CALENDAR_DAY: LimitUnit.CALENDAR_DAY,
    TimeUnit.WORKING_HOUR: LimitUnit.WORKING_HOUR,
    TimeUnit.SAME_DAY: LimitUnit.SAME_DAY,
}
PAUSE_KINDS = {"supplement": PauseKind.SUPPLEMENT, "payment": PauseKind.PAYMENT}


@dataclass(frozen=True)
class Due:
    due: datetime.datetime | None
    if_paused: datetime.datetime | None
    if_restarted: datetime.datetime | None

    def as_fields(self, keep_apology: Dossier | None = None) -> dict[str, Any]:
        """Dossier fields; an apology's new date stays the appointment once given."""
        fields: dict[str, Any] = {
            "statutory_due_at": self.due,
            "due_if_paused": self.if_paused,
            "due_if_restarted": self.if_restarted,
        }
        if keep_apology is None or not keep_apology.apologies:
            fields["due_at"] = self.due
        return fields


def local_date(at: datetime.datetime) -> datetime.date:
    return at.astimezone(VIETNAM_OFFSET).date()


@catalog_cached(size=2_000)
def procedure_cases(procedure_id: int) -> list[ProcedureCase]:
    """The procedure's cases in their order (read once per catalog state: ``catalog_cached``)."""
    return list(ProcedureCase.objects.filter(procedure_id=procedure_id))


def case_of(dossier: Dossier) -> ProcedureCase | None:
    """The dossier's case, else the first case of its procedure."""
    cases = procedure_cases(dossier.procedure_id)
    if dossier.case_id is not None:
        return next((c for c in cases if c.pk == dossier.case_id), None) or dossier.case
    return cases[0] if cases else None


def limit_of(dossier: Dossier) -> Limit | None:
    """The statutory limit of the dossier's case, else the shortest of its procedure's cases."""
    cases = procedure_cases(dossier.procedure_id)
    if dossier.case_id is not None:
        own = case_of(dossier)
        cases = [own] if own is not None else []
    limits = [limit for case in cases if (limit := limit_from(case.time_quantity, case.time_unit))]
    if not limits:
        return fallback_limit(dossier)
    return min(limits, key=approximate_hours)


def limit_from(quantity: Decimal | None, time_unit: str) -> Limit | None:
    # The text finds its member (equal to it); ``TimeUnit.values`` made a new list a call.
    unit = LIMIT_UNITS.get(time_unit)
    if unit is None or (quantity is None and unit != LimitUnit.SAME_DAY):
        return None
    return Limit(float(quantity or 0), unit)


def fallback_limit(dossier: Dossier) -> Limit | None:
    """When no case gives a limit: the one read from the record's text, else the legal limit an
    officer entered for the unit (deciding, then receiving) or the city. Never asked for a
    procedure whose cases give one, so those cost no query more (tests/test_hot_paths.py)."""
    procedure = dossier.procedure
    from_record = limit_from(procedure.time_quantity, procedure.time_unit)
    if from_record is not None:
        # Said in the reception's event (not a field): how the appointment date was reached.
        dossier.limit_basis = {"source": "record text", "note": procedure.time_note}  # type: ignore[attr-defined]
        return from_record
    legal = legal_limit_of(dossier)
    if legal is None:
        return None
    dossier.limit_basis = {  # type: ignore[attr-defined]
        "source": "legal limit", "legal_limit": legal.pk, "legal_basis": legal.legal_basis,
    }  # fmt: skip
    return limit_from(legal.time_quantity, legal.time_unit)


def legal_limit_of(dossier: Dossier) -> LegalLimit | None:
    units = tuple(dict.fromkeys([dossier.deciding_unit_id, dossier.receiving_unit_id]))
    return legal_limit_current(dossier.procedure_id, units)


def approximate_hours(limit: Limit) -> float:
    per_unit = {
        LimitUnit.WORKING_DAY: 8.0,
        LimitUnit.CALENDAR_DAY: 8 * 5 / 7,
        LimitUnit.WORKING_HOUR: 1.0,
    }
    return 2.0 if limit.unit == LimitUnit.SAME_DAY else limit.quantity * per_unit[limit.unit]


def closed_pauses(dossier: Dossier) -> list[Pause]:
    return [
        Pause(p.start, p.end, PAUSE_KINDS[p.kind])
        for p in store().pauses_closed(dossier)
        if p.end is not None
    ]


@dataclass(frozen=True)
class LimitOverride:
    """A dossier's time limit that is not its procedure's: a member of a linked bundle takes its
    limit and the after-15:00 rule from its bundle's definition (Decree 63/2024 art. 7–8)."""

    limit: Limit
    cutoff_moves_day_limits: bool


# Apps above this one register where such limits come from (``bundles.apps``): dossiers never
# import them. A source answers None, without a query, for a dossier that is not theirs.
LIMIT_SOURCES: list[Callable[[Dossier], LimitOverride | None]] = []


def limit_source_register(source: Callable[[Dossier], LimitOverride | None]) -> None:
    if source not in LIMIT_SOURCES:
        LIMIT_SOURCES.append(source)


def limit_override(dossier: Dossier) -> LimitOverride | None:
    for source in LIMIT_SOURCES:
        found = source(dossier)
        if found is not None:
            return found
    return None


def statutory_due(dossier: Dossier, *, received_at: datetime.datetime) -> Due:
    override = limit_override(dossier)
    limit = override.limit if override is not None else limit_of(dossier)
    if limit is None:
        return Due(None, None, None)
    deadline = deadline_compute(
        received=received_at, limit=limit, unit=dossier.deciding_unit, pauses=closed_pauses(dossier),
        cutoff_moves_day_limits=override.cutoff_moves_day_limits if override else None,
    )  # fmt: skip
    return Due(deadline.due, deadline.due_if_paused, deadline.due_if_restarted)


def supplement_window_days() -> int:
    """Working days after reception during which a supplement may be requested (NĐ 61 art. 19)."""
    return int(getattr(settings, "MOTCUA_SUPPLEMENT_WINDOW_WORKING_DAYS", 3))


def supplement_window_end(dossier: Dossier) -> datetime.datetime:
    days = supplement_window_days()
    assert dossier.received_at is not None
    return deadline_compute(
        received=dossier.received_at,
        limit=Limit(days, LimitUnit.WORKING_DAY),
        unit=dossier.receiving_unit,
    ).due


def add_working_days(dossier: Dossier, at: datetime.datetime, days: int) -> datetime.datetime:
    return deadline_compute(
        received=at, limit=Limit(days, LimitUnit.WORKING_DAY), unit=dossier.deciding_unit
    ).due


def step_due(dossier: Dossier, step: ProcessStep, at: datetime.datetime) -> datetime.datetime:
    calendar, _rules = calendar_in_force(unit=dossier.deciding_unit, on=local_date(at))
    hours: Decimal = step.budget_hours
    return add_working_time(calendar, at, int(hours * 3600))


def is_working_day(dossier: Dossier, instant: datetime.datetime) -> bool:
    calendar, _rules = calendar_in_force(unit=dossier.deciding_unit, on=local_date(instant))
    return calendar.is_working_day(local_date(instant))
