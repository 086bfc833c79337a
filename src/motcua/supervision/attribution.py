"""The timelines of stored dossiers, and the time each unit and officer held them beyond the
budgets of their steps (delay attribution, issue 17). The fold itself is ``timeline.py``."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Q, Sum

from motcua.catalog.models import ProcessStep
from motcua.common.clock import now as clock_now
from motcua.dossiers.deadlines import local_date
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.organizations.models import Unit
from motcua.worktime.engine import VIETNAM_OFFSET, WorkCalendar
from motcua.worktime.services import calendar_in_force

from .held import OpenStay, open_held
from .models import HeldTime
from .timeline import Segment, StepInfo, initial_deciding, timeline_fold

EVENT_FIELDS = ("dossier_id", "seq", "action", "at", "to_status", "from_step", "to_step",
                "actor_name", "payload")  # fmt: skip
# A report reads the events of this many dossiers per query.
BATCH = 500


def step_infos(
    process_id: int | None, cache: dict[int, dict[int, StepInfo]]
) -> dict[int, StepInfo]:
    if process_id is None:
        return {}
    found = cache.get(process_id)
    if found is None:
        rows = ProcessStep.objects.filter(definition_id=process_id).order_by("order")
        found = cache[process_id] = {
            row.order: StepInfo(row.order, row.name, row.role, row.scope,
                                int(Decimal(row.budget_hours) * 3600))
            for row in rows
        }  # fmt: skip
    return found


def calendar_of(dossier: Dossier) -> WorkCalendar:
    """The deciding unit's working calendar on the day of reception (one axis per dossier)."""
    start = dossier.received_at or dossier.submitted_at
    calendar, _rules = calendar_in_force(unit=dossier.deciding_unit, on=local_date(start))
    return calendar


def dossier_timeline(
    dossier: Dossier, *, now: datetime.datetime | None = None,
    events: Iterable[DossierEvent] | None = None,
    steps_cache: dict[int, dict[int, StepInfo]] | None = None,
) -> list[Segment]:  # fmt: skip
    """The segments of a stored dossier as they stand at ``now`` (default: the clock)."""
    at = now or clock_now()
    history = list(events) if events is not None else list(
        dossier.events.order_by("seq").only(*EVENT_FIELDS[1:])
    )  # fmt: skip
    deciding = initial_deciding(history, dossier.deciding_unit.code)
    return timeline_fold(
        history, receiving=dossier.receiving_unit.code, deciding=deciding,
        steps=step_infos(dossier.process_id, {} if steps_cache is None else steps_cache),
        calendar=calendar_of(dossier), now=at,
    )  # fmt: skip


def timelines(
    dossiers: Iterable[Dossier], *, now: datetime.datetime | None = None
) -> Iterable[tuple[Dossier, list[Segment]]]:
    """The timelines of many dossiers, their events read ``BATCH`` dossiers at a time."""
    cache: dict[int, dict[int, StepInfo]] = {}
    batch: list[Dossier] = []
    for dossier in dossiers:
        batch.append(dossier)
        if len(batch) == BATCH:
            yield from batch_timelines(batch, now, cache)
            batch = []
    if batch:
        yield from batch_timelines(batch, now, cache)


def batch_timelines(
    batch: list[Dossier], now: datetime.datetime | None, cache: dict[int, dict[int, StepInfo]]
) -> Iterable[tuple[Dossier, list[Segment]]]:
    by_dossier: dict[int, list[DossierEvent]] = defaultdict(list)
    rows = DossierEvent.objects.filter(dossier_id__in=[d.pk for d in batch]).order_by(
        "dossier_id", "seq"
    )
    for event in rows.only(*EVENT_FIELDS):
        by_dossier[event.dossier_id].append(event)
    for dossier in batch:
        yield (
            dossier,
            dossier_timeline(dossier, now=now, events=by_dossier[dossier.pk], steps_cache=cache),
        )


@dataclass
class Held:
    """What one unit or officer held: working seconds, the part beyond budget, how many stays."""

    key: str
    working_seconds: int = 0
    over_budget_seconds: int = 0
    segments: int = 0
    over_segments: int = 0

    def add(self, working: int, over: int, stays: int = 1, over_stays: int | None = None) -> None:
        """Add ``stays`` stays (one by default: over budget when ``over`` is)."""
        self.working_seconds += working
        self.over_budget_seconds += over
        self.segments += stays
        self.over_segments += (1 if over else 0) if over_stays is None else over_stays

    def as_json(self) -> dict[str, object]:
        return {
            "key": self.key, "working_seconds": self.working_seconds,
            "over_budget_seconds": self.over_budget_seconds, "segments": self.segments,
            "over_segments": self.over_segments,
        }  # fmt: skip


def over_budget(
    *, start: datetime.date, end: datetime.date, unit_ids: set[int] | None = None,
    now: datetime.datetime | None = None,
) -> dict[str, list[Held]]:  # fmt: skip
    """Per unit and per officer, the working time held beyond the steps' budgets in the
    dossiers received from ``start`` to ``end`` (both days included), most first, summed from
    the rows the rollup keeps (``held.py``; its catch-up comes first); the stays still open are
    counted at ``now`` (default: the clock). The citizen's time is never anyone's.
    ``unit_ids``: dossiers received or decided by these units."""
    first, after = days_bounds(start, end)
    rows = HeldTime.objects.filter(
        received__gte=int(first.timestamp()), received__lt=int(after.timestamp())
    )
    if unit_ids is not None:
        ids = sorted(unit_ids)
        rows = rows.filter(Q(receiving_unit_id__in=ids) | Q(deciding_unit_id__in=ids))
    units: dict[str, Held] = {}
    officers: dict[str, Held] = {}
    sums = {"working": Sum("working_seconds"), "over": Sum("over_budget_seconds"),
            "stays": Sum("segments"), "over_stays": Sum("over_segments")}  # fmt: skip
    ended = rows.filter(open_axis__isnull=True)
    for row in ended.values("unit").annotate(**sums).order_by():
        held_sum(units, row["unit"], row)
    for row in ended.exclude(holder="").values("holder").annotate(**sums).order_by():
        held_sum(officers, row["holder"], row)
    stays = rows.filter(open_axis__isnull=False).values(
        "unit", "holder", "received", "deciding_unit_id", "open_axis", "open_left"
    )
    for stay in open_held(stays.iterator(), now or clock_now()):
        held_add(units, stay.unit, stay)
        if stay.holder:
            held_add(officers, stay.holder, stay)
    return {"units": ranked(units), "officers": ranked(officers)}


def held_sum(table: dict[str, Held], key: str, row: dict[str, Any]) -> None:
    table.setdefault(key, Held(key)).add(
        int(row["working"] or 0), int(row["over"] or 0), int(row["stays"] or 0),
        int(row["over_stays"] or 0),
    )  # fmt: skip


def over_budget_folded(
    *, start: datetime.date, end: datetime.date, unit_ids: set[int] | None = None,
    now: datetime.datetime | None = None,
) -> dict[str, list[Held]]:  # fmt: skip
    """``over_budget`` by folding every dossier's timeline from its events at ``now``: the
    definition the kept rows are checked against (tests), and the reading for a past instant."""
    dossiers = received_between(start, end, unit_ids).select_related(
        "receiving_unit", "deciding_unit"
    )
    units: dict[str, Held] = {}
    officers: dict[str, Held] = {}
    for _dossier, segments in timelines(dossiers.order_by("pk").iterator(), now=now):
        for segment in segments:
            if segment.citizen:
                continue
            held_add(units, segment.unit, segment)
            if segment.holder:
                held_add(officers, segment.holder, segment)
    return {"units": ranked(units), "officers": ranked(officers)}


def received_between(start: datetime.date, end: datetime.date, unit_ids: set[int] | None) -> Any:
    """The dossiers received from ``start`` to ``end`` (Hà Nội's days, both included) by or for
    ``unit_ids`` (None: every unit)."""
    first, after = days_bounds(start, end)
    dossiers = Dossier.objects.filter(received_at__gte=first, received_at__lt=after)
    if unit_ids is not None:
        dossiers = dossiers.filter(
            Q(receiving_unit_id__in=unit_ids) | Q(deciding_unit_id__in=unit_ids)
        )
    return dossiers


def days_bounds(
    start: datetime.date, end: datetime.date
) -> tuple[datetime.datetime, datetime.datetime]:
    """Hà Nội's midnight starting ``start`` and the one ending ``end``."""
    first = datetime.datetime.combine(start, datetime.time(), VIETNAM_OFFSET)
    return first, datetime.datetime.combine(
        end + datetime.timedelta(days=1), datetime.time(), VIETNAM_OFFSET
    )


def held_add(table: dict[str, Held], key: str, stay: Segment | OpenStay) -> None:
    table.setdefault(key, Held(key)).add(stay.working_seconds, stay.over_budget_seconds)


def ranked(table: dict[str, Held]) -> list[Held]:
    return sorted(table.values(), key=lambda h: (-h.over_budget_seconds, h.key))


def unit_names(codes: Iterable[str]) -> dict[str, str]:
    return dict(Unit.objects.filter(code__in=set(codes)).values_list("code", "name"))
