"""Reading every dossier's sealed chain in id order, fast (``audit verify``, ``audit publish``).

The dossiers are cut into ranges of ids. Each range is read with two streamed queries (its
dossiers, and its events in (dossier, seq) order; server-side cursors on PostgreSQL), merged in
memory, and its chains checked with the key, then against the tails of the published root that
fall in the range. Checking (an HMAC per event) is what takes the time, so on PostgreSQL the
ranges can be checked by several processes at once (``workers``): results come back in id order,
so the report, the tails written for a new root and the comparison with the latest root are the
same whatever the number of processes (``common.parallel``).
"""

from __future__ import annotations

import datetime
import json
from collections import namedtuple
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import groupby
from operator import itemgetter
from typing import Any, NamedTuple

from django.db import connections, transaction
from django.db.models import CharField, DateTimeField, F, Func, QuerySet, TextField
from django.db.models.functions import Cast

from motcua.common.parallel import id_ranges, in_order

from .audit import (
    DELETED,
    EVENT_FIELDS,
    FACT_FIELDS,
    REWRITTEN,
    ChainProblem,
    chain_problems,
    dumps,
    dumps_quick,
    tail_problems,
)
from .audit_keys import chain_keys
from .audit_rows import D_REF, DOSSIER_ROW, E_HASH, E_SEQ, EVENT_ROW, chain_intact
from .models import Dossier, DossierEvent

RANGE = 20_000  # dossier ids per range (one task of a worker)
STREAM = 5000  # rows fetched at a time from a server-side cursor
DOSSIER_FIELDS = tuple(dict.fromkeys(("id", *FACT_FIELDS, "last_event_hash")))
# A dossier as the scan reads it: its id, key facts and last hash (times as ``SealedEvent``'s).
SealedDossier = namedtuple("SealedDossier", DOSSIER_FIELDS)  # type: ignore[misc]
TIMES = frozenset(
    column.name
    for model in (Dossier, DossierEvent)
    for column in model._meta.concrete_fields
    if isinstance(column, DateTimeField)
)


class SealedEvent(NamedTuple):
    """An event as the scan reads it: what its seal covers, the payload as text. Django reads a
    JSON column with Python's ``json`` (half the time of reading an event); the seal's quick
    check reads the text with orjson instead (``audit.quick_payload``), the exact one as Django
    does (``payload``)."""

    dossier_id: int
    seq: int
    at: datetime.datetime | str  # as ``audit.canonical`` writes it, on PostgreSQL (``columns``)
    actor_name: str
    unit_id: int | None
    action: str
    from_status: str
    from_step: int | None
    to_status: str
    to_step: int | None
    reason: str
    payload_text: str
    prev_hash: str
    hash: str
    key_id: str
    facts: str

    @property
    def payload(self) -> Any:
        return json.loads(self.payload_text)


ROW_FIELDS = tuple(SealedEvent._fields)
DOSSIER_ID = itemgetter(ROW_FIELDS.index("dossier_id"))
assert set(ROW_FIELDS) - {"payload_text"} == {"dossier_id", *EVENT_FIELDS} - {"payload"}
# The positions ``audit_rows`` reads the rows by.
assert ROW_FIELDS == EVENT_ROW
assert DOSSIER_FIELDS == DOSSIER_ROW


def columns(queryset: QuerySet[Any], names: tuple[str, ...]) -> list[Any]:
    """What the scan selects for ``names``. On PostgreSQL the times come as ``audit.canonical``
    writes them (``to_char`` in UTC: formatting a datetime in Python was a tenth of the scan's
    time); elsewhere as datetimes, which ``canonical`` formats. The payload comes as text."""
    on_postgresql = connections[queryset.db].vendor == "postgresql"
    found: list[Any] = []
    for name in names:
        if name == "payload_text":
            found.append(Cast("payload", TextField()))
        elif name in TIMES and on_postgresql:
            found.append(Func(F(name), template=UTC_TEXT, output_field=CharField()))
        else:
            found.append(name)
    return found


# ``datetime.isoformat(timespec="microseconds")`` in UTC (``audit.canonical``); tested against it.
UTC_TEXT = """to_char(%(expressions)s AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"')"""


def event_rows(events: QuerySet[DossierEvent]) -> Iterator[tuple[Any, ...]]:
    """``events`` in (dossier, seq) order as plain tuples of ``ROW_FIELDS``, streamed."""
    ordered = events.order_by("dossier_id", "seq")
    return iter(ordered.values_list(*columns(ordered, ROW_FIELDS)).iterator(STREAM))


def dossier_rows(dossiers: QuerySet[Dossier]) -> Iterator[tuple[Any, ...]]:
    """``dossiers`` in id order as plain tuples of ``DOSSIER_FIELDS``, streamed."""
    ordered = dossiers.order_by("pk")
    return iter(ordered.values_list(*columns(ordered, DOSSIER_FIELDS)).iterator(STREAM))


def sealed_events(events: QuerySet[DossierEvent]) -> Iterator[SealedEvent]:
    """``events`` in (dossier, seq) order as ``SealedEvent`` rows, streamed."""
    return map(SealedEvent._make, event_rows(events))


def problems_of(
    row: tuple[Any, ...], found: list[tuple[Any, ...]], keys: Any
) -> list[ChainProblem]:
    """What is wrong with a chain read as plain rows: confirmed by position when intact
    (``audit_rows``, the common case), else told by ``chain_problems`` on the named rows."""
    if keys is not None and chain_intact(row, found, keys):
        return []
    return chain_problems(*named(row, found), keys)


def named(row: tuple[Any, ...], found: list[tuple[Any, ...]]) -> tuple[Any, list[SealedEvent]]:
    """A chain's plain rows as the named rows ``audit``'s exact checks read."""
    return SealedDossier._make(row), [SealedEvent._make(event) for event in found]


class Tail(NamedTuple):
    """A chain's tail as a published root lists it. (A tuple: a root of a million dossiers
    reads, and hands to the scanning processes, a million of them.)"""

    id: int
    ref: str
    seq: int
    hash: str


def tail_line(tail: Tail) -> bytes:
    content = {"id": tail.id, "ref": tail.ref, "seq": tail.seq, "hash": tail.hash}
    return (dumps_quick(content) or dumps(content)) + b"\n"


def tail_check(
    row: tuple[Any, ...], found: list[tuple[Any, ...]], tail: Tail
) -> list[ChainProblem]:
    """The chain (plain rows) against its tail in a published root (``audit.tail_problems``)."""
    if tail.ref != row[D_REF]:
        return [ChainProblem(tail.ref, tail.seq, REWRITTEN)]
    at_seq = next((event for event in found if event[E_SEQ] == tail.seq), None)
    if at_seq is not None and at_seq[E_HASH] == tail.hash:
        return []
    return tail_problems(*named(row, found), tail.seq, tail.hash)


def recheck(dossier_id: int) -> tuple[tuple[Any, ...], list[tuple[Any, ...]]] | None:
    """The dossier and its events (plain rows) read under the dossier's row lock, which every
    writer takes: a dossier that an action changed while the scan read it is read again, whole."""
    with transaction.atomic():
        # Read to the end here, so that its cursor is closed inside the transaction.
        rows = list(dossier_rows(Dossier.objects.select_for_update().filter(pk=dossier_id)))
        if not rows:
            return None
        return rows[0], list(event_rows(DossierEvent.objects.filter(dossier_id=dossier_id)))


def chains(dossiers: QuerySet[Dossier], events: QuerySet[DossierEvent]) -> Iterator[tuple[Any, list[Any]]]:  # fmt: skip
    """Each dossier row with its events, plain rows from two streams in id order (the events
    grouped by ``itertools.groupby``: a loop in C rather than a Python step per event)."""
    groups = groupby(event_rows(events), key=DOSSIER_ID)
    pending = next(groups, None)
    for row in dossier_rows(dossiers):
        row_id = row[0]
        while pending is not None and pending[0] < row_id:
            pending = next(groups, None)  # events of a dossier outside the set
        found: list[Any] = []
        if pending is not None and pending[0] == row_id:
            found = list(pending[1])  # read before the next group: groupby shares one stream
            pending = next(groups, None)
        yield row, found


@dataclass
class RangeTask:
    low: int
    high: int | None  # None: no upper bound
    tails: list[Tail]  # the published root's tails with ids in [low, high)
    whole: bool  # every dossier is scanned: a tail without its dossier is a deletion
    tails_wanted: bool
    dossiers: QuerySet[Dossier] | None = None  # a chosen set instead of the range


@dataclass
class RangeResult:
    dossiers: int = 0
    events: int = 0
    problems: list[ChainProblem] = field(default_factory=list)
    tails: bytes = b""


def range_check(task: RangeTask) -> RangeResult:
    """Check the chains of one range, and each against its tail in the published root."""
    keys = chain_keys(create=False)
    result = RangeResult()
    out: list[bytes] = []
    tails = iter(task.tails)
    current = next(tails, None)
    if task.dossiers is not None:
        dossiers = task.dossiers
        events = DossierEvent.objects.filter(dossier_id__in=task.dossiers.values("pk"))
    else:
        dossiers = Dossier.objects.filter(pk__gte=task.low)
        events = DossierEvent.objects.filter(dossier_id__gte=task.low)
        if task.high is not None:
            dossiers = dossiers.filter(pk__lt=task.high)
            events = events.filter(dossier_id__lt=task.high)
    with transaction.atomic():  # streamed cursors live in a transaction (no WITH HOLD copy)
        for row, found in chains(dossiers, events):
            row_id = row[0]
            while current is not None and current.id < row_id:
                if task.whole:
                    result.problems.append(ChainProblem(current.ref, current.seq, DELETED))
                current = next(tails, None)
            problems = problems_of(row, found, keys)
            if problems:  # perhaps an action ran meanwhile: read it again under its lock
                again = recheck(row_id)
                if again is not None:
                    row, found = again
                    problems = problems_of(row, found, keys)
            if current is not None and current.id == row_id:
                tail, current = current, next(tails, None)
                problems.extend(tail_check(row, found, tail))
            result.problems.extend(problems)
            result.dossiers += 1
            result.events += len(found)
            if task.tails_wanted and found:
                last = found[-1]
                out.append(tail_line(Tail(row_id, row[D_REF], last[E_SEQ], last[E_HASH])))
    for gone in [*([current] if current else []), *tails]:
        if task.whole:
            result.problems.append(ChainProblem(gone.ref, gone.seq, DELETED))
    result.tails = b"".join(out)
    return result


def range_tasks(
    reader: Any, *, dossiers: QuerySet[Dossier] | None, tails_wanted: bool
) -> Iterator[RangeTask]:
    """The tasks in id order, each with the tails of its range (read from ``reader`` in step)."""
    if dossiers is not None:
        tails = list(reader.until(None)) if reader is not None else []
        yield RangeTask(0, None, tails, False, tails_wanted, dossiers)
        return
    last = 0
    for low, high in id_ranges(Dossier.objects.all(), RANGE):
        tails = list(reader.until(high)) if reader is not None else []
        yield RangeTask(low, high, tails, True, tails_wanted)
        last = high
    rest = list(reader.until(None)) if reader is not None else []
    if rest:  # tails beyond the last dossier: deleted dossiers
        yield RangeTask(last, None, rest, True, tails_wanted)


def ranges_checked(tasks: Iterator[RangeTask], workers: int) -> Iterator[RangeResult]:
    """The results in the tasks' order, computed here or by ``workers`` processes."""
    return in_order(range_check, tasks, workers)
