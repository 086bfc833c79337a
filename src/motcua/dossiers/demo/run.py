"""Running ``demo-data``: the generated lines through the fast import, in one process or more.

With several processes each takes the dossiers of some offices (a ward or its police). An
office receives and decides its own dossiers, so each counter it numbers from (dossier codes,
receipt and decision numbers) is used by one process only, in the order of the lines: the rows
are those a single process writes, only sooner. Other processes see only committed rows, so
more than one process is used only on PostgreSQL and outside a transaction.
"""

from __future__ import annotations

import collections
import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from motcua.common.parallel import in_parts

from ..bulk.importer import BulkReport, events_import_fast
from .histories import histories
from .plan import Office, Plan

T = TypeVar("T")


@dataclass
class DemoRun:
    plan: Plan
    count: int
    seed: int
    first: datetime.date
    last: datetime.date
    until: datetime.datetime
    start_number: int
    batch_size: int = 5000


@dataclass
class Outcome:
    lines: int = 0
    events: int = 0
    batches: int = 0
    replayed: int = 0
    refused: collections.Counter[str] = field(default_factory=collections.Counter)

    def add(self, other: Outcome) -> None:
        self.lines += other.lines
        self.events += other.events
        self.batches += other.batches
        self.replayed += other.replayed
        self.refused.update(other.refused)


def part_run(
    run: DemoRun, keep: Callable[[Office], bool], progress: Callable[[int], object]
) -> Outcome:
    lines = histories(
        run.plan, count=run.count, seed=run.seed, first=run.first, last=run.last,
        until=run.until, start_number=run.start_number, progress=progress, keep=keep,
    )  # fmt: skip
    report = BulkReport()
    outcome = Outcome()
    for _number, _ref, reason in events_import_fast(
        lines, batch_size=run.batch_size, report=report
    ):
        if reason is not None:
            outcome.refused[reason] += 1
    outcome.lines, outcome.events = report.lines, report.events
    outcome.batches, outcome.replayed = report.batches, report.replayed
    return outcome


def demo_import(run: DemoRun, *, workers: int, progress: Callable[[int], object]) -> Outcome:
    total = Outcome()
    for outcome in in_processes(
        workers, lambda keep, tick: part_run(run, keep, tick), progress=progress
    ):
        total.add(outcome)
    return total


Keep = Callable[[Office], bool]
Part = Callable[[Keep, Callable[[int], object]], T]


def in_processes(workers: int, part: Part[T], *, progress: Callable[[int], object]) -> list[T]:
    """``part`` for every office, in ``workers`` processes (each given the offices whose id falls
    to it, and a progress tick), or in this one; what each returns."""

    def offices_part(index: int, count: int, tick: Callable[[int], object]) -> T:
        return part(lambda office: office.unit.pk % count == index, tick)

    return in_parts(workers, offices_part, progress=progress)
