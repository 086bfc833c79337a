"""``import-events --fast --workers W``: one file's lines shared over W processes by unit.

Every process reads the whole file twice. The first pass decides where each dossier goes
(``Router.read``): with the unit its ``submit`` line names, or, for a dossier submitted before
this run (a follow-up file), with the unit that received it; then each process applies the lines
that fall to it. All the lines of a dossier go to one process, so each line is applied or
refused as one process would, and the counters a unit numbers from (dossier codes, receipt and
decision numbers) are used by one process, in the order of the lines, as with `demo-data`
(decision 0016). Every process routes the same lines the same way, so they agree without
talking to each other.

A counter that two processes use all the same (a dossier transferred to a unit another process
owns) is written by the first batch to commit; the other batch finds it changed, is rolled back
whole and replayed line by line with the counters locked, as when the web gives a number during
an import (``bulk/sequences.py``): no number is given twice, none is skipped, no line is lost.

Refusals come back with their line numbers and are reported in the order of the file, so the
output does not depend on the number of processes.
"""

from __future__ import annotations

import json
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import orjson

from motcua.catalog.models import Procedure
from motcua.common.parallel import Tick, in_parts
from motcua.organizations.models import Unit

from ..lines import REF_MAX, LineError, Reason, event_check, instant, text_storable
from ..models import Dossier
from ..replay import line_ref
from .importer import BulkReport, Item, Result, numbered, numbered_import

TICK_EVERY = 1000  # lines between two progress ticks (a tick takes a lock shared by processes)
CHUNK = 1000  # references looked up in one query
Refusal = tuple[int, str, str, str]  # line number, dossier ref, reason, kind


class Router:
    """Which of ``workers`` processes takes each dossier of a file: the same answer in every
    process, decided before any line is applied (so it cannot depend on which process is
    ahead). All the lines of a dossier go to one process, which therefore applies or refuses
    them exactly as a single process would."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self.owners: dict[str, int] = {}

    def read(self, lines: Iterable[Item]) -> None:
        """A first pass over the file: a dossier submitted in it goes with the unit of its first
        ``submit`` that can stand (a unit and a procedure that exist, fields of the right types:
        a submission refused for a mistyped code and made again does not decide), one submitted
        before this run with its receiving unit in the database (a follow-up file), any other
        by its reference."""
        known = Known(
            units=set(Unit.objects.values_list("code", flat=True)),
            procedures=set(Procedure.objects.values_list("code", flat=True)),
        )
        later: set[str] = set()  # lines of dossiers this file has not submitted (yet)
        for _number, line in numbered(lines):
            event = routing_view(line)
            if event is None:
                continue
            ref = line_ref(event)
            if event.get("action") == "submit":
                self.submission_read(ref, event, known)
            elif ref not in self.owners:
                later.add(ref)
        # Only what could be a stored reference is asked (the line itself is refused later).
        self.earlier_read({ref for ref in later - self.owners.keys() if reference_like(ref)})

    def submission_read(self, ref: str, event: dict[str, Any], known: Known) -> None:
        if ref in self.owners and ref not in known.doubtful:
            return
        unit = str(event.get("unit") or "")
        if known.can_stand(unit, event):
            self.owners[ref] = share_of(unit, self.workers)
            known.doubtful.discard(ref)
        elif ref not in self.owners:
            self.owners[ref] = share_of(unit, self.workers)
            known.doubtful.add(ref)

    def earlier_read(self, refs: set[str]) -> None:
        wanted = sorted(refs)
        for start in range(0, len(wanted), CHUNK):
            rows = Dossier.objects.filter(ref__in=wanted[start : start + CHUNK]).values_list(
                "ref", "receiving_unit__code"
            )
            for ref, unit in rows:
                self.owners[ref] = share_of(unit, self.workers)

    def owner(self, line: Item) -> int:
        event = routing_view(line)
        if event is None:
            return 0  # not an object: refused as such by the first process
        ref = line_ref(event)
        known = self.owners.get(ref)
        return share_of(ref, self.workers) if known is None else known


@dataclass
class Known:
    units: set[str]
    procedures: set[str]
    doubtful: set[str] = field(default_factory=set)  # routed by a submission that cannot stand

    def can_stand(self, unit: str, event: dict[str, Any]) -> bool:
        """A submission that names codes that exist and that the importer's own checks of a
        line (types, the time) do not refuse."""
        if unit not in self.units or str(event.get("procedure") or "") not in self.procedures:
            return False
        try:
            event_check(event)
            instant(event.get("at"))
        except LineError:
            return False
        return True


def reference_like(ref: str) -> bool:
    return 0 < len(ref) <= REF_MAX and text_storable(ref)


def share_of(key: str, workers: int) -> int:
    # crc32, not hash(): the same in every process whatever PYTHONHASHSEED is.
    return zlib.crc32(key.encode("utf-8", "surrogatepass")) % workers


def routing_view(line: Item) -> dict[str, Any] | None:
    """The line read just enough to route it; what cannot be read is refused later, in full."""
    if isinstance(line, dict):
        return line
    try:
        event = orjson.loads(line)
    except orjson.JSONDecodeError:
        try:  # what orjson refuses and json reads (integers beyond 64 bits, NaN)
            event = json.loads(line)
        except (ValueError, RecursionError, UnicodeDecodeError):
            return None
    return event if isinstance(event, dict) else None


def lines_mine(
    open_lines: Callable[[], Iterable[Item]], index: int, workers: int
) -> Iterator[tuple[int, Item]]:
    if workers == 1:
        yield from numbered(open_lines())
        return
    router = Router(workers)
    router.read(open_lines())
    for number, line in numbered(open_lines()):
        if router.owner(line) == index:
            yield number, line


def part_import(
    open_lines: Callable[[], Iterable[Item]], *, trust_actors: bool, batch_size: int
) -> Callable[[int, int, Tick], tuple[BulkReport, list[Refusal]]]:
    def part(index: int, workers: int, tick: Tick) -> tuple[BulkReport, list[Refusal]]:
        report = BulkReport()
        refused: list[Refusal] = []
        pending = 0
        for number, ref, reason in numbered_import(
            lines_mine(open_lines, index, workers), trust_actors=trust_actors,
            batch_size=batch_size, report=report,
        ):  # fmt: skip
            if reason is not None:
                refused.append((number, ref, str(reason), reason.kind))
            pending += 1
            if pending == TICK_EVERY:
                tick(pending)
                pending = 0
        tick(pending)
        return report, refused

    return part


def events_import_routed(
    open_lines: Callable[[], Iterable[Item]], *, workers: int, trust_actors: bool = False,
    batch_size: int = 5000, report: BulkReport, progress: Tick,
) -> list[Result]:  # fmt: skip
    """Import the lines in ``workers`` processes (one where only one can be used); ``report``
    sums theirs. The refused lines, in the order of the file."""
    began = time.perf_counter()
    parts = in_parts(
        workers, part_import(open_lines, trust_actors=trust_actors, batch_size=batch_size),
        progress=progress,
    )  # fmt: skip
    report.seconds = time.perf_counter() - began
    refusals: list[Refusal] = []
    for part_report, part_refused in parts:
        report_add(report, part_report)
        refusals.extend(part_refused)
    refusals.sort()
    return [(number, ref, Reason(text, kind)) for number, ref, text, kind in refusals]


def report_add(total: BulkReport, part: BulkReport) -> None:
    total.lines += part.lines
    total.applied += part.applied
    total.rejected += part.rejected
    total.events += part.events
    total.batches += part.batches
    total.replayed += part.replayed
