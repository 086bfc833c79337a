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
import multiprocessing
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import connections

from motcua.common.parallel import processes_usable

from ..bulk.importer import BulkReport, events_import_fast
from .histories import histories
from .plan import Office, Plan


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
    workers = processes_usable(workers)
    if workers == 1:
        return part_run(run, lambda office: True, progress)
    connections.close_all()  # each process opens its own connection
    context = multiprocessing.get_context("fork")
    done = context.Value("q", 0)
    results: Any = context.Queue()
    processes = [
        context.Process(target=worker, args=(run, index, workers, done, results))
        for index in range(workers)
    ]
    for process in processes:
        process.start()
    total, seen = Outcome(), 0
    finished = 0
    while finished < workers:
        time.sleep(0.5)
        progress(done.value - seen)
        seen = done.value
        while not results.empty():
            item = results.get()
            if isinstance(item, BaseException):
                raise item
            total.add(item)
            finished += 1
    for process in processes:
        process.join()
    progress(done.value - seen)
    return total


def worker(run: DemoRun, index: int, workers: int, done: Any, results: Any) -> None:
    def tick(n: int) -> None:
        with done.get_lock():
            done.value += n

    try:
        results.put(part_run(run, lambda office: office.unit.pk % workers == index, tick))
    except BaseException as error:  # the parent reports it
        results.put(error)
    finally:
        connections.close_all()
