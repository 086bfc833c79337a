"""The at-risk queue of stored dossiers (the scoring is ``breach.py``): the open dossiers a unit
holds, most likely to be late first, each with its reasons."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Q

from motcua.common.clock import now as clock_now
from motcua.dossiers.constants import OPEN_STATUSES, Status
from motcua.dossiers.deadlines import local_date
from motcua.dossiers.models import Dossier, DossierStep
from motcua.worktime.engine import WorkCalendar
from motcua.worktime.services import calendar_in_force

from .attribution import calendar_of, step_infos, timelines
from .breach import Risk, pace_of, risk_of
from .timeline import StepInfo

PACE_DAYS = 90  # the unit's recent pace: its step stays ended in the last 90 days
PACE_ROWS = 2000  # at most this many of the latest stays per report
QUEUE_LIMIT = 3000  # the open dossiers read, nearest due date first
IN_HAND = [s for s in OPEN_STATUSES if s not in (Status.NEW, Status.PROCESSED)]


@dataclass(frozen=True)
class AtRisk:
    dossier: Dossier
    risk: Risk
    unit: str  # who holds it now


def unit_paces(unit_ids: set[int] | None, now: datetime.datetime) -> dict[int, tuple[float, int]]:
    """Each unit's pace from its step stays ended in the last ``PACE_DAYS`` days: the working
    time of the stay against the working time its budget gave (started → step due)."""
    since = now - datetime.timedelta(days=PACE_DAYS)
    rows = DossierStep.objects.filter(
        ended_at__gte=since, ended_at__lte=now, due_at__isnull=False
    ).order_by("-ended_at")
    if unit_ids is not None:
        rows = rows.filter(unit_id__in=sorted(unit_ids))
    calendar, _rules = calendar_in_force(on=local_date(now))
    samples: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for unit_id, started, ended, due in rows.values_list(
        "unit_id", "started_at", "ended_at", "due_at"
    )[:PACE_ROWS]:
        if ended is None or due is None:
            continue  # filtered out above; the columns are nullable
        samples[unit_id].append(
            (axis_between(calendar, started, ended), axis_between(calendar, started, due))
        )
    return {unit_id: pace_of(found) for unit_id, found in samples.items()}


def axis_between(calendar: WorkCalendar, start: datetime.datetime, end: datetime.datetime) -> int:
    return max(0, calendar.to_axis(end) - calendar.to_axis(start))


def at_risk_queue(
    *, unit_ids: set[int] | None = None, now: datetime.datetime | None = None,
    threshold: float = 0.0, limit: int = 200,
) -> list[AtRisk]:  # fmt: skip
    """Open dossiers received or decided by ``unit_ids`` (None: all), ranked by the chance of
    missing their due date; those waiting for the citizen are left out (the clock is stopped)."""
    at = now or clock_now()
    dossiers = Dossier.objects.filter(
        status__in=IN_HAND, finished_at__isnull=True, due_at__isnull=False,
        received_at__isnull=False, received_at__lte=at,
    ).select_related("receiving_unit", "deciding_unit", "procedure")  # fmt: skip
    if unit_ids is not None:
        ids = sorted(unit_ids)
        dossiers = dossiers.filter(Q(receiving_unit_id__in=ids) | Q(deciding_unit_id__in=ids))
    paces = unit_paces(unit_ids, at)
    codes: dict[str, int] = {}
    cache: dict[int, dict[int, StepInfo]] = {}
    found: list[AtRisk] = []
    for dossier, segments in timelines(dossiers.order_by("due_at", "pk")[:QUEUE_LIMIT], now=at):
        if not segments or segments[-1].citizen:
            continue
        codes[dossier.receiving_unit.code] = dossier.receiving_unit_id
        codes[dossier.deciding_unit.code] = dossier.deciding_unit_id
        holder = segments[-1].unit
        pace, samples = paces.get(codes.get(holder, dossier.deciding_unit_id), (1.0, 0))
        assert dossier.due_at is not None
        risk = risk_of(
            segments=segments, steps=step_infos(dossier.process_id, cache), due=dossier.due_at,
            now=at, calendar=calendar_of(dossier), pace=pace, samples=samples,
        )  # fmt: skip
        if risk.probability >= threshold:
            found.append(AtRisk(dossier, risk, holder))
    found.sort(key=lambda r: (-r.risk.probability, r.dossier.due_at, r.dossier.pk))
    return found[:limit]
