"""The dossier-code and document-number counters during a bulk run.

Numbers are handed out in memory, in the order of the lines, exactly as the row-locked counters of
the line-by-line path would hand them out. Each counter is read once (all of a day's, or a
year's, in one query) and written back at the end of each batch, inside the batch's transaction,
only if the database still holds the value that was read: a number given meanwhile by the web
makes the batch fail as a whole, and the batch is then replayed line by line (no duplicate code,
no gap in the tracking book).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from motcua.common.rows import Table

from ..models import DailySequence, DocumentSequence


class StaleCounter(Exception):
    """A counter changed in the database since the run read it."""


CodeKey = tuple[int, datetime.date]  # unit, day
NumberKey = tuple[int, int, str]  # unit, year, kind


@dataclass
class Counters:
    """One family of counters: ``stored`` as the database holds them (primary key, last)."""

    stored: dict[tuple[Any, ...], tuple[int | None, int]] = field(default_factory=dict)
    values: dict[tuple[Any, ...], int] = field(default_factory=dict)
    line: dict[tuple[Any, ...], int] = field(default_factory=dict)

    def next(self, key: tuple[Any, ...]) -> int:
        value = self.line.get(key, self.values.get(key, 0)) + 1
        self.line[key] = value
        return value

    def changed(self) -> dict[tuple[Any, ...], int]:
        return {key: value for key, value in self.values.items() if value != self.stored[key][1]}


class Sequences:
    def __init__(self) -> None:
        self.codes = Counters()
        self.numbers = Counters()
        self.days: set[datetime.date] = set()
        self.years: set[int] = set()

    def days_preload(self, days: set[datetime.date]) -> None:
        """Read the counters of ``days`` (those not read yet) in one query per 500 days,
        rather than one per day at its first code (a batch's receptions span many days)."""
        wanted = sorted(days - self.days)
        self.days.update(wanted)
        for start in range(0, len(wanted), 500):
            rows = DailySequence.objects.filter(day__in=wanted[start : start + 500])
            for pk, unit, day, last in rows.values_list("pk", "unit_id", "day", "last"):
                self.known(self.codes, (unit, day), pk, last)

    def code_next(self, unit_id: int, day: datetime.date) -> int:
        if day not in self.days:
            self.days_preload({day})
        key = (unit_id, day)
        self.known(self.codes, key, None, 0)
        return self.codes.next(key)

    def number_next(self, unit_id: int, year: int, kind: str) -> int:
        if year not in self.years:
            self.years.add(year)
            rows = DocumentSequence.objects.filter(year=year).values_list(
                "pk", "unit_id", "kind", "last"
            )
            for pk, unit, kind_, last in rows:
                self.known(self.numbers, (unit, year, kind_), pk, last)
        key = (unit_id, year, kind)
        self.known(self.numbers, key, None, 0)
        return self.numbers.next(key)

    @staticmethod
    def known(counters: Counters, key: tuple[Any, ...], pk: int | None, last: int) -> None:
        if key not in counters.stored:
            counters.stored[key] = (pk, last)
            counters.values[key] = last

    def line_commit(self) -> None:
        for counters in (self.codes, self.numbers):
            counters.values.update(counters.line)
            counters.line.clear()

    def line_discard(self) -> None:
        self.codes.line.clear()
        self.numbers.line.clear()

    def write(self) -> None:
        """Inside the batch's transaction: check and write every counter that moved."""
        write_family(
            DailySequence, self.codes,
            lambda key, last: DailySequence(unit_id=key[0], day=key[1], last=last),
        )  # fmt: skip
        write_family(
            DocumentSequence, self.numbers,
            lambda key, last: DocumentSequence(unit_id=key[0], year=key[1], kind=key[2], last=last),
        )  # fmt: skip


Counter = TypeVar("Counter", DailySequence, DocumentSequence)


def write_family(
    model: type[Counter], counters: Counters, build: Callable[[tuple[Any, ...], int], Counter]
) -> None:
    """Update, in one statement, the counters the database still holds as read (else
    ``StaleCounter``); create the new ones (a unique key taken meanwhile fails the batch)."""
    changed = counters.changed()
    existing = {key: counters.stored[key] for key in changed if counters.stored[key][0]}
    if existing:
        rows = []
        for key, (pk, last) in existing.items():
            row = build(key, changed[key])
            row.pk, row._bulk_guard = pk, last  # type: ignore[attr-defined]
            rows.append(row)
        if Table(model, update=["last"]).update(rows, guard="last") != len(rows):
            raise StaleCounter()
    fresh = [key for key in changed if not counters.stored[key][0]]
    if fresh:
        created = model.objects.bulk_create([build(key, changed[key]) for key in fresh])
        for key, row in zip(fresh, created, strict=True):
            counters.stored[key] = (row.pk, changed[key])
    for key, (pk, _last) in existing.items():
        counters.stored[key] = (pk, changed[key])
