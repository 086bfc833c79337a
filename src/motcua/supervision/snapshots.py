"""What the dossiers in flight at a month's start add to a period of whole months ending there.

The buckets (``buckets.py``) hold each settled fact's contribution to any period it lies in;
the dossiers still in flight at the period's end ``B`` must be judged at ``B`` one by one (an
unfinished dossier's verdict depends on the instant it is judged at): at 10 million dossiers a
year, about 300,000 rows for each report of a city's year. Once ``B`` has passed, what they add
no longer changes, as every later event comes after ``B``; only a backdated one (an imported
legacy log) can change it, and it goes through the fold like any other.

``FlightSnapshot`` keeps, per month start ``B`` (``boundary``), the sum over the dossiers in
flight at ``B`` of what each adds to a period of whole months ``[S, B)`` minus what the
buckets of those months hold of it. For such a period that difference depends on ``S`` only
through whether the reception and the end fall after ``S``, so the received-side counts are
keyed by the month of reception and the others by the month of the end (``OPEN_MONTH`` when
not ended), and a period reads the rows of its ``B`` from its first month on.

The fold keeps the snapshots made so far (in its transaction, like the buckets: the old
contributions off, the new on); ``snapshots_catch_up`` makes those of the month starts passed
since, each in one grouped statement per side and level over the dossiers in flight then.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

from django.db.models import BigIntegerField, F, Min, Q, Value
from django.db.models.functions import Coalesce

from motcua.common.clock import now

from . import statements
from .buckets import (
    ENDED_SIDE,
    EVER_BEFORE,
    RECEIVED_SIDE,
    Grouping,
    Sums,
    Window,
    alive,
    detailed_for,
    facts_of,
    grouped_sums,
    level_of,
    month_of,
    month_start,
    settled_parts,
    summed_by,
    upsert_built,
)  # fmt: skip
from .models import DossierFact, FlightBoundary, FlightSnapshot
from .populations import Scope, aggregate_of, count_parts
from .statements import Built, padded

OPEN_MONTH = 999912  # the end-side key of a dossier not ended: after every month


def boundary_instant(boundary: int) -> int:
    return month_start(boundary // 100, boundary % 100)


def next_month(month: int) -> int:
    year, number = divmod(month, 100)
    return (year + 1) * 100 + 1 if number == 12 else month + 1


def zeroed(aggregate: Any) -> Any:
    return Coalesce(aggregate, Value(0), output_field=BigIntegerField())


def flight_sums(at: int) -> dict[str, Any]:
    """Per count: what a dossier in flight at ``at`` adds to a period ending there, minus what
    the buckets of the period's months hold of it (an end after ``at`` is in no such bucket)."""
    actual, ever = count_parts(EVER_BEFORE, at), settled_parts()
    settled = Q(settled__isnull=False)
    sums = {}
    for name in (*RECEIVED_SIDE, *ENDED_SIDE):
        held = settled if name in RECEIVED_SIDE else settled & Q(end__lt=at)
        summed_value, condition = ever[name]
        sums[name] = zeroed(aggregate_of(*actual[name])) - zeroed(
            aggregate_of(summed_value, condition & held)
        )
    return sums


def snapshot_add(ids: Sequence[int] | None, boundary: int, sign: int) -> None:
    """Add (1) or take off (-1) what the facts of dossiers ``ids`` (None: every fact) in flight
    at ``boundary`` add to its snapshot."""
    if ids is not None and not ids:
        return
    values = [boundary, boundary_instant(boundary), *([] if ids is None else padded(ids))]
    for side, every in itertools.product(SNAPSHOT_MONTHS, (False, True)):
        shape = ("snapshot", side, every, sign, ids is None)

        def build(stand_in: list[int], side: str = side, every: bool = every) -> Built:
            chosen = None if ids is None else stand_in[2:]
            return snapshot_upsert(facts_of(chosen), stand_in[0], stand_in[1], side, every, sign)

        statements.run(shape, build, values)


# The month a count of each side is keyed by: of reception, or of the end (OPEN_MONTH if none).
SNAPSHOT_MONTHS = {
    "received_month": (RECEIVED_SIDE, F("received_month")),
    "end_month": (ENDED_SIDE, Coalesce("end_month", Value(OPEN_MONTH))),
}


def snapshot_upsert(facts: Any, boundary: int, at: int, side: str, every: bool, sign: int) -> Built:
    names, month = SNAPSHOT_MONTHS[side]
    sums = flight_sums(at)
    grouped = grouped_sums(
        facts.filter(alive(at, at)), month, {name: sums[name] for name in names},
        every_procedure=every,
    )  # fmt: skip
    return upsert_built(FlightSnapshot, {"boundary": boundary}, grouped, names, sign)


def boundaries_touched(ids: list[int], facts: list[DossierFact]) -> list[int]:
    """The snapshots made whose dossiers in flight include one of ``ids`` before or after the
    fold (``facts``: the new rows)."""
    made = list(FlightBoundary.objects.values_list("boundary", flat=True))
    if not made:
        return []
    spans = list(DossierFact.objects.filter(dossier_id__in=ids).values_list("received", "settled"))
    spans += [(fact.received, fact.settled) for fact in facts]
    return [
        boundary
        for boundary in made
        if any(
            received < (at := boundary_instant(boundary)) and (settled is None or settled >= at)
            for received, settled in spans
        )
    ]


def snapshots_catch_up() -> int:
    """Make the snapshots of the month starts passed since the first reception (run by the
    rollup's catch-up, under its lock); how many were made."""
    first = DossierFact.objects.aggregate(first=Min("received"))["first"]
    if first is None:
        return 0
    made = set(FlightBoundary.objects.values_list("boundary", flat=True))
    current, boundary, count = month_of(int(now().timestamp())), next_month(month_of(first)), 0
    while boundary <= current:
        if boundary not in made:
            snapshot_add(None, boundary, 1)
            FlightBoundary.objects.create(boundary=boundary, made_at=now())
            count += 1
        boundary = next_month(boundary)
    return count


def snapshots_clear() -> None:
    FlightSnapshot.objects.all().delete()
    FlightBoundary.objects.all().delete()


def snapshot_sums(scope: Scope, start: int, until: int, window: Window) -> Sums | None:
    found = snapshot_sums_by(scope, start, until, window, ())
    return None if found is None else found.get((), {})


def snapshot_sums_by(
    scope: Scope, start: int, until: int, window: Window, by: Grouping
) -> dict[tuple, Sums] | None:
    """The in-flight part of a period of whole months ending at a month start whose snapshot
    is made, per group of ``by``; None for any other period (its facts around are read one by
    one)."""
    if (
        not window.is_exactly(start, until)
        or not FlightBoundary.objects.filter(boundary=window.stop).exists()
    ):
        return None
    rows = FlightSnapshot.objects.filter(boundary=window.stop, month__gte=window.first)
    return summed_by(level_of(scope, rows, detailed=detailed_for(by)), by)


def boundaries_made(boundaries: list[int]) -> set[int]:
    if not boundaries:
        return set()
    return set(
        FlightBoundary.objects.filter(boundary__in=boundaries).values_list("boundary", flat=True)
    )


def snapshot_sums_per_month(scope: Scope, months: list[int]) -> dict[int, Sums]:
    """The in-flight part of each month ``m`` of ``months`` as a period of its own (its
    snapshot at the next month start, made): one query for them all."""
    if not months:
        return {}
    chosen = Q()
    for month in months:
        chosen |= Q(boundary=next_month(month), month__gte=month)
    rows = level_of(scope, FlightSnapshot.objects.filter(chosen))
    found = summed_by(rows, ("boundary",))
    return {month: found.get((next_month(month),), {}) for month in months}
