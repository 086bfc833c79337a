"""Delay attribution kept with the rollup: each folded dossier's time held per unit and officer
(``HeldTime``), so that the over-budget report sums rows and folds no timeline in the request.

A stay already ended is fixed: its working and over-budget seconds are written as they are.
The stay still open grows without any event, so it is written as where it started on the
working-time axis of the dossier's calendar and the budget it had left; the report counts it at
its own instant (``open_held``). Summed, the rows give what folding every timeline at that
instant gives (``attribution.over_budget_folded``; the tests compare both)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from motcua.dossiers.deadlines import local_date
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.organizations.models import Unit
from motcua.worktime.engine import WorkCalendar
from motcua.worktime.services import calendar_in_force

from .models import HeldTime
from .timeline import Segment, StepInfo, initial_deciding, timeline_fold


def held_of(
    dossier: Dossier, events: Sequence[DossierEvent], received: int, *,
    steps: dict[int, StepInfo], calendar: WorkCalendar, now: datetime.datetime,
) -> list[HeldTime]:  # fmt: skip
    """The rows of one received dossier: one per unit and officer of its ended stays (officer
    empty: the unit's time no officer is named for), and one for the stay still open."""
    segments = timeline_fold(
        events, receiving=dossier.receiving_unit.code,
        deciding=initial_deciding(events, dossier.deciding_unit.code), steps=steps,
        calendar=calendar, now=now,
    )  # fmt: skip
    common = {"dossier_id": dossier.pk, "received": received,
              "receiving_unit_id": dossier.receiving_unit_id,
              "deciding_unit_id": dossier.deciding_unit_id}  # fmt: skip
    rows: dict[tuple[str, str], HeldTime] = {}
    for segment in segments:
        if segment.citizen or segment.end is None:
            continue
        row = rows.setdefault(
            (segment.unit, segment.holder),
            HeldTime(**common, unit=segment.unit, holder=segment.holder),
        )
        row.working_seconds += segment.working_seconds
        row.over_budget_seconds += segment.over_budget_seconds
        row.segments += 1
        row.over_segments += 1 if segment.over_budget_seconds else 0
    found = list(rows.values())
    last = segments[-1] if segments else None
    if last is not None and last.end is None and not last.citizen:
        found.append(HeldTime(
            **common, unit=last.unit, holder=last.holder, segments=1,
            open_axis=calendar.to_axis(last.start), open_left=budget_left(segments),
        ))  # fmt: skip
    return found


def budget_left(segments: Sequence[Segment]) -> int | None:
    """What the open stay's budget leaves after the unit's earlier segments in it (None: the
    stay has no budget, so it is never over)."""
    last = segments[-1]
    if last.budget_seconds is None:
        return None
    before = sum(s.working_seconds for s in segments[:-1] if s.stay == last.stay and not s.citizen)
    return max(0, last.budget_seconds - before)


@dataclass
class OpenStay:
    unit: str
    holder: str
    working_seconds: int
    over_budget_seconds: int


def open_held(rows: Iterable[Mapping[str, Any]], at: datetime.datetime) -> list[OpenStay]:
    """The open stays of ``rows`` (values of ``HeldTime``) counted at ``at``: one calendar and
    one position of ``at`` on it per deciding unit and day of reception, not per dossier."""
    rows = list(rows)
    units = Unit.objects.in_bulk({row["deciding_unit_id"] for row in rows})
    axis_at: dict[tuple[int, datetime.date], int] = {}
    found = []
    for row in rows:
        day = local_date(datetime.datetime.fromtimestamp(row["received"], datetime.UTC))
        key = (row["deciding_unit_id"], day)
        if key not in axis_at:
            calendar, _rules = calendar_in_force(unit=units.get(row["deciding_unit_id"]), on=day)
            axis_at[key] = calendar.to_axis(at)
        working = max(0, axis_at[key] - row["open_axis"])
        left = row["open_left"]
        over = 0 if left is None else max(0, working - left)
        found.append(OpenStay(row["unit"], row["holder"], working, over))
    return found


def held_write(ids: list[int], rows: list[HeldTime]) -> None:
    """The held time of dossiers ``ids`` becomes ``rows`` (in the fold's transaction)."""
    HeldTime.objects.filter(dossier_id__in=ids).delete()
    HeldTime.objects.bulk_create(rows, batch_size=2000)
