"""The worklist's counts kept in the process between requests while nothing they read changed.

Counting the tabs reads every open dossier of the officer's units: at 1 M dossiers about 10 ms
of PostgreSQL for a big ward, at 10 M 40–106 ms, on every request, though the counts change only
when a dossier of those units changes or a due date passes. So the counts are kept, under a key
made of what decides them:

- the conditions they were counted with (``condition_key``): the officer's scope, search,
  filters and every tab's rule, with their values (units, the officer's id, the day's bounds);
  the current moment is the one value left out, as ``"@at"``;
- the number and sum of the marks of the officer's units (``UnitMark``), to which database
  triggers add a random value in the same transaction as any write of a dossier or consultation
  of the unit, whatever writes it.

They are given again only while the moment is before the first due date still ahead among the
dossiers counted (``Counted.valid_until``): until then no dossier moves between "due today" and
"overdue", and the day's bounds are in the key. The marks are read before the counts, so counts
kept under a mark are never older than the mark; a change committed after it changes the mark.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import secrets
import threading
from collections import OrderedDict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from typing import cast

from django.conf import settings
from django.db import connections, transaction
from django.db.models import Count, F, Max, Model, OuterRef, Q, Sum

from motcua.common.prepared import Among

logger = logging.getLogger(__name__)
MAX_ENTRIES = 4_096
# Belt and braces: counts are recounted at least this often, whatever the marks say.
MAX_AGE = datetime.timedelta(minutes=5)
CLOCK = "@at"


class Unkeyable(Exception):
    """A condition holding a value the key cannot stand for (a queryset): counted every time."""


def key_of(
    alias: str, scope: Iterable[Q | None], rules: dict[str, Q], split: Hashable,
    at: datetime.datetime,
) -> Hashable | None:  # fmt: skip
    """The key of counts made on ``alias`` of ``rules`` (at ``at``) over ``scope``, split by
    ``split``, before the units' marks are added; None when they are not to be kept."""
    if not settings.MOTCUA_WORKLIST_COUNTS_KEPT:
        return None
    try:
        key = (
            alias,
            tuple(condition_key(condition) for condition in scope),
            tuple((name, condition_key(rule, clock=at)) for name, rule in rules.items()),
            split,
        )
    except Unkeyable:
        return None
    # A digest of its words: a supervisor's key names hundreds of units in every tab, and a
    # process keeps thousands of keys (16 bytes each instead of kilobytes).
    return hashlib.blake2b(repr(key).encode(), digest_size=16).digest()


def condition_key(node: Q | None, clock: datetime.datetime | None = None) -> Hashable:
    """Everything that decides the SQL and the parameters of ``node``; a value equal to
    ``clock`` is written as ``CLOCK`` (the moment, which ``Counted.valid_until`` bounds)."""
    if node is None:
        return None
    children: list[Hashable] = []
    for child in node.children:
        if isinstance(child, Q):
            children.append(condition_key(child, clock))
        elif isinstance(child, tuple) and len(child) == 2 and isinstance(child[0], str):
            lookup, value = cast(tuple[str, object], child)
            children.append((lookup, value_key(value, clock)))
        else:  # an expression (``Exists``…): its words are not the key's
            raise Unkeyable(repr(child))
    return (node.connector, node.negated, tuple(children))


def value_key(value: object, clock: datetime.datetime | None) -> Hashable:
    if isinstance(value, Among):
        return ("among", value.model._meta.label, value.column, condition_key(value.condition))
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value) if isinstance(value, set | frozenset) else value
        return (type(value).__name__, tuple(value_key(item, clock) for item in items))
    if isinstance(value, OuterRef):  # names another query's column: not a value of this one
        raise Unkeyable(repr(value))
    if isinstance(value, F):
        return ("F", value.name)
    if isinstance(value, Model):
        return ("model", value._meta.label, value.pk)
    if clock is not None and isinstance(value, datetime.datetime) and value == clock:
        return CLOCK
    if value is None or isinstance(value, bool | int | str | datetime.date):
        return (type(value).__name__, value)
    raise Unkeyable(repr(value))


@dataclass(frozen=True)
class Counted:
    """Every tab's count (``totals``), the chosen tab's per segment (``held``), the readable
    dossiers up to the cap (``readable``), counted at ``counted_at``; true until
    ``valid_until`` (the first due date ahead, if any)."""

    totals: dict[str, int]
    held: tuple[int, ...]
    readable: int
    counted_at: datetime.datetime
    valid_until: datetime.datetime | None

    def holds_at(self, at: datetime.datetime) -> bool:
        if not self.counted_at <= at < self.counted_at + MAX_AGE:
            return False
        return self.valid_until is None or at < self.valid_until


class CountCache:
    """The last ``size`` counts asked for, by key (least recently used first out)."""

    def __init__(self, size: int = MAX_ENTRIES) -> None:
        self.size = size
        self.entries: OrderedDict[Hashable, Counted] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: Hashable, at: datetime.datetime) -> Counted | None:
        with self.lock:
            found = self.entries.get(key)
            if found is None:
                return None
            if not found.holds_at(at):
                del self.entries[key]
                return None
            self.entries.move_to_end(key)
            return found

    def put(self, key: Hashable, counted: Counted) -> None:
        with self.lock:
            self.entries[key] = counted
            self.entries.move_to_end(key)
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()


KEPT = CountCache()


def marks_readable(marked: tuple[int, int], units: int) -> bool:
    """Whether the units' marks are few enough to be worth reading (``MARKS_READ_MAX``)."""
    if marked[0] <= MARKS_READ_MAX * max(units, 1):
        return True
    logger.warning(
        "worklist counts not kept: %s marks for %s units (is the scheduler running?)",
        marked[0], units,
    )  # fmt: skip
    return False


def units_marked(units: Iterable[int], alias: str) -> tuple[int, int]:
    """How many marks the units have and their sum: any change of one of them changes the
    sum (a new random value of 40 bits in place of the old), a first mark the number."""
    found = sorted(units)
    if not found:
        return (0, 0)
    places = ", ".join(["%s"] * len(found))
    with connections[alias].cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*), COALESCE(SUM(mark), 0) FROM dossiers_unitmark "  # noqa: S608 - placeholders only
            f"WHERE unit_id IN ({places})",
            found,
        )
        number, total = cursor.fetchone()
    return (int(number), int(total))


# A unit's marks are folded into one row once they are more than this many (``unit_marks_fold``).
FOLD_ABOVE = 100
MARK_RANGE = 2**40
FOLD_LOCK = 46_020_001  # the advisory lock of ``unit_marks_fold`` (PostgreSQL)
# Beyond this many marks a unit on average (the folds stopped: no scheduler or worker), the
# marks cost more to read than the counts: counted every time, and said in the log.
MARKS_READ_MAX = 20 * FOLD_ABOVE


def unit_marks_fold(above: int = FOLD_ABOVE) -> int:
    """Each unit with more than ``above`` marks gets one row in their place, their sum modulo
    ``MARK_RANGE``, in one transaction: readers see all the rows or the one, and the number
    changes, so counts kept under the rows are counted again once. A mark a writer adds
    meanwhile is not deleted. Enqueued by the scheduler every round; on PostgreSQL one fold at
    a time (an advisory lock; a second is skipped) and the rows folded are exactly those
    deleted. How many units were folded."""
    with transaction.atomic(), connections["default"].cursor() as cursor:
        if cursor.db.vendor != "postgresql":
            return marks_fold_by_unit(above)
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [FOLD_LOCK])
        if not cursor.fetchone()[0]:
            return 0
        cursor.execute(
            "WITH many AS (SELECT unit_id FROM dossiers_unitmark GROUP BY unit_id "
            "HAVING COUNT(*) > %s), gone AS (DELETE FROM dossiers_unitmark AS marked "
            "USING many WHERE marked.unit_id = many.unit_id RETURNING marked.unit_id, marked.mark) "
            "INSERT INTO dossiers_unitmark (unit_id, mark) "
            "SELECT unit_id, MOD(SUM(mark), %s)::bigint FROM gone GROUP BY unit_id",
            [above, MARK_RANGE],
        )
        return int(cursor.rowcount)


def marks_fold_by_unit(above: int) -> int:
    """``unit_marks_fold`` unit by unit (SQLite: its writers take turns, so no mark is added
    between reading a unit's rows and deleting them)."""
    from .models import UnitMark

    many = (
        UnitMark.objects.values("unit_id")
        .annotate(number=Count("id"), total=Sum("mark"), last=Max("id"))
        .filter(number__gt=above)
        .order_by("unit_id")
    )
    folded = 0
    for unit in many:
        UnitMark.objects.filter(unit_id=unit["unit_id"], id__lte=unit["last"]).delete()
        UnitMark.objects.create(unit_id=unit["unit_id"], mark=unit["total"] % MARK_RANGE)
        folded += 1
    return folded


def unit_marks_renew() -> int:
    """A new random mark for every unit: after a restore, whose marks are the backup's own,
    counts a process kept under those values are not given for the restored data."""
    from motcua.organizations.models import Unit

    from .models import UnitMark

    marks = [
        UnitMark(unit_id=unit_id, mark=secrets.randbelow(MARK_RANGE))
        for unit_id in Unit.objects.values_list("pk", flat=True)
    ]
    UnitMark.objects.bulk_create(marks, batch_size=1000)
    return len(marks)
