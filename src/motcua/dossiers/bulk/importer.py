"""``import-events --fast``: the importer's rules, written in batches (docs/decisions/0016).

Every line goes through the same ``Replayer`` and services as ``import-events`` does, with the
``BatchStore`` installed: the action registry, the kernel's checks, the deadlines and the sealed
hash chain are the same code, so the rows written are the rows the line-by-line path writes.
What changes is when they are written: once per batch of lines, with COPY on PostgreSQL.

A refused line is reported with its reason and changes nothing. A batch whose writing fails (a
number or a dossier changed meanwhile by someone else, a database error) is rolled back whole
and replayed line by line through the ordinary path, which reports the line at fault: nothing
is lost and nothing is half-written.
"""

from __future__ import annotations

import datetime
import logging
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import Any

from django.db import transaction

from motcua.common.errors import DomainError
from motcua.common.memo import reference_memo
from motcua.worktime.engine import CalendarRangeError

from ..deadlines import local_date
from ..replay import (
    LineError,
    Reason,
    Replayer,
    blank,
    events_latest_many,
    instant,
    line_apply,
    line_parse,
    line_ref,
    refusal,
)
from ..store import DATABASE, store_installed
from .state import BatchStore

log = logging.getLogger(__name__)

Item = str | bytes | dict[str, Any]
Result = tuple[int, str, Reason | None]  # line number, dossier ref, reason refused (None: applied)
Parsed = tuple[int, str, dict[str, Any] | None, Reason | None]


@dataclass
class BulkReport:
    lines: int = 0
    applied: int = 0
    rejected: int = 0
    events: int = 0  # events written in batches (with the step moves legacy data lacks)
    batches: int = 0
    replayed: int = 0  # batches replayed line by line after their writing failed
    seconds: float = 0.0


def numbered(lines: Iterable[Item]) -> Iterator[tuple[int, Item]]:
    for number, line in enumerate(lines, start=1):
        if blank(line):
            continue
        yield number, line


def parsed(batch: list[tuple[int, Item]]) -> list[Parsed]:
    rows: list[Parsed] = []
    for number, line in batch:
        try:
            event = line_parse(line)
        except LineError as error:
            rows.append((number, "", None, Reason(error, error.kind)))
        else:
            rows.append((number, line_ref(event), event, None))
    return rows


def events_import_fast(
    lines: Iterable[Item], *, trust_actors: bool = False, batch_size: int = 5000,
    report: BulkReport | None = None,
) -> Iterator[Result]:  # fmt: skip
    """(line number, dossier ref, reason refused or None) for every non-empty line, in order."""
    yield from numbered_import(
        numbered(lines), trust_actors=trust_actors, batch_size=batch_size, report=report
    )


def numbered_import(
    source: Iterator[tuple[int, Item]], *, trust_actors: bool, batch_size: int,
    report: BulkReport | None,
) -> Iterator[Result]:  # fmt: skip
    report = report if report is not None else BulkReport()
    replayer = Replayer(trust_actors=trust_actors)
    batches = BatchStore()
    began = time.perf_counter()
    with reference_memo(), store_installed(batches):
        while batch := list(islice(source, batch_size)):
            rows = parsed(batch)
            results = batch_import(batches, replayer, rows, report)
            report.batches += 1
            for result in results:
                report.lines += 1
                report.applied += result[2] is None
                report.rejected += result[2] is not None
            report.seconds = time.perf_counter() - began
            yield from results


def batch_import(
    batches: BatchStore, replayer: Replayer, rows: list[Parsed], report: BulkReport
) -> list[Result]:
    replayer.ordering.mark()
    try:
        if batches.whole_batch_in_one_transaction():
            with transaction.atomic():
                results = batch_apply(batches, replayer, rows, report)
        else:
            results = batch_apply(batches, replayer, rows, report)
    except Exception as error:  # any failure: the batch goes line by line
        log.warning("bulk import: batch of %d lines replayed line by line (%r)", len(rows), error)
        batches.reset()
        replayer.ordering.rollback()  # what the batch applied was rolled back
        report.replayed += 1
        with store_installed(DATABASE):
            results = [
                (number, ref, reason if event is None else line_apply(replayer, event))
                for number, ref, event, reason in rows
            ]
    return results


def batch_apply(
    batches: BatchStore, replayer: Replayer, rows: list[Parsed], report: BulkReport
) -> list[Result]:
    refs = {ref for _n, ref, event, _r in rows if event is not None and ref}
    batches.begin(refs)
    recorded_preload(replayer, {ref: batches.refs[ref] for ref in refs if ref in batches.refs})
    events = [event for _n, _r, event, _x in rows if event]
    replayer.users_preload({str(e.get(key) or "") for e in events for key in ("actor", "assignee")})
    replayer.units_preload({str(e.get(key) or "") for e in events for key in ("unit", "to_unit")})
    batches.sequences.days_preload(received_days(events))
    results: list[Result] = []
    for number, ref, event, reason in rows:
        if event is not None:
            try:
                with batches.line():
                    replayer.apply(event)
            except (LineError, DomainError, CalendarRangeError) as error:  # refused, as alone
                reason = refusal(error)
            else:
                replayer.applied(event)
        results.append((number, ref, reason))
    report.events += batches.flush()
    return results


def received_days(events: list[dict[str, Any]]) -> set[datetime.date]:
    """The days of the batch's receptions (each gives a dossier code of its unit and day)."""
    days = set()
    for event in events:
        if event.get("action") == "receive":
            try:
                days.add(local_date(instant(event.get("at"))))
            except LineError:
                continue  # refused when its turn comes
    return days


def recorded_preload(replayer: Replayer, stored: dict[str, int]) -> None:
    """What the database holds of the batch's dossiers that no line of this run has touched
    yet, in one query (a file run again after a stop asked once per dossier)."""
    ordering = replayer.ordering
    wanted = {
        pk: ref
        for ref, pk in stored.items()
        if ref not in ordering.last and ref not in ordering.held
    }
    if not wanted:
        return
    found = events_latest_many(list(wanted))
    for pk, ref in wanted.items():
        ordering.held_set(ref, found.get(pk, (None, Counter())))
