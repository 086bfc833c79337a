"""Periods of the dossier partitions (PostgreSQL only; decision 0022).

Dossiers, their events and their step visits are partitioned by ranges of *dossier ids*
(migration ``dossiers 0013``). Each period (a year, or a month with
``MOTCUA_PARTITION_PERIOD=month``) owns a range of ``STEP`` ids, created ahead of time as three
empty partitions; when the period begins, the dossier id sequence jumps to the first id of its
range, so every dossier created from then on — and every event and step of it, whenever they
happen — lands in that period's partitions. Creating an empty partition scans nothing; no
partition is ever split. ``dossiers_partition`` records each period: its range, and when new
dossiers began to take ids from it.

``partitions_ensure`` is idempotent and serialised (an advisory lock); the scheduler enqueues it
when ``partitions_due`` says there is something to do, and ``motcua partitions --ensure`` runs it
by hand.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection, connections, transaction

from motcua.common.clock import VIETNAM

STEP = 10_000_000_000  # dossier ids per partition, as in migration dossiers 0013
TABLES = ("dossiers_dossier", "dossiers_dossierevent", "dossiers_dossierstep")
AHEAD = datetime.timedelta(days=31)  # a period's partitions exist this long before it begins
LOCK_KEY = 0x6D637061  # pg_advisory_xact_lock: one partition job at a time
LOCK_TIMEOUT = "2s"  # attaching a partition briefly holds writes: give up rather than queue


class PartitionsUnavailable(Exception):
    """Not on PostgreSQL, or migration dossiers 0013 has not run."""


@dataclass(frozen=True)
class Period:
    label: str  # "2027" or "2027-07"
    starts_on: datetime.date
    next_starts_on: datetime.date

    @property
    def suffix(self) -> str:
        return "p" + self.label.replace("-", "")


def period_of(day: datetime.date, kind: str | None = None) -> Period:
    """The year (or month) holding ``day``."""
    kind = kind or settings.MOTCUA_PARTITION_PERIOD
    if kind == "month":
        first = day.replace(day=1)
        following = (first + datetime.timedelta(days=32)).replace(day=1)
        return Period(f"{first:%Y-%m}", first, following)
    first = day.replace(month=1, day=1)
    return Period(str(day.year), first, first.replace(year=day.year + 1))


@dataclass(frozen=True)
class Partition:
    period: str
    starts_on: datetime.date
    low: int
    high: int
    created_at: datetime.datetime
    opened_at: datetime.datetime | None
    rows: dict[str, int]  # table → estimated rows (-1: not analysed yet)

    @property
    def suffix(self) -> str:
        return "p" + self.period.replace("-", "")


def partitions_available() -> bool:
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('dossiers_partition') IS NOT NULL")
        return bool(cursor.fetchone()[0])


def dossier_id_by_key(key: str, *, using: str = "default") -> int | None:
    """The id of the dossier holding ``key`` in ``dossiers_dossierkey`` (``r|<ref>``,
    ``c|<code>``, ``i|<submitter id>|<idempotency key>``), or None: one read of the key table's
    primary key, whatever the number of periods. A read of the dossier by that id is then planned
    for one partition; a read by the key's column is planned for every period's (0.3 ms each),
    and a join or a subquery on the key table does not prune at planning (measured: it plans
    every partition too). PostgreSQL only: SQLite has no key table."""
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT dossier_id FROM dossiers_dossierkey WHERE key = %s", [key])
        found = cursor.fetchone()
    return int(found[0]) if found else None


def partitions_list() -> list[Partition]:
    """Every period's partitions, oldest first, with the planner's row estimates."""
    if not partitions_available():
        raise PartitionsUnavailable
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT period, starts_on, low, high, created_at, opened_at FROM dossiers_partition "
            "ORDER BY high"
        )
        found = cursor.fetchall()
        cursor.execute(
            "SELECT c.relname, c.reltuples::bigint FROM pg_inherits h "
            "JOIN pg_class c ON c.oid = h.inhrelid WHERE h.inhparent = ANY (%s::regclass[])",
            [list(TABLES)],
        )
        estimates = dict(cursor.fetchall())
    result = []
    for period, starts_on, low, high, created_at, opened_at in found:
        suffix = "p" + period.replace("-", "")
        rows = {table: estimates.get(f"{table}_{suffix}", -1) for table in TABLES}
        result.append(Partition(period, starts_on, low, high, created_at, opened_at, rows))
    return result


def periods_to_create(at: datetime.datetime, existing: list[Partition]) -> list[Period]:
    """This period, and the next one when it begins within ``AHEAD``, unless a partition for
    it (or a later one) exists: ids only grow, so no period is put before an existing one."""
    today = at.astimezone(VIETNAM).date()
    current = period_of(today)
    wanted = [current]
    following = period_of(current.next_starts_on)
    if following.starts_on - today <= AHEAD:
        wanted.append(following)
    latest = max((p.starts_on for p in existing), default=datetime.date.min)
    return [period for period in wanted if period.starts_on > latest]


def partition_to_open(at: datetime.datetime, existing: list[Partition]) -> Partition | None:
    """The latest period that has begun, if new dossiers do not take their ids from it yet."""
    today = at.astimezone(VIETNAM).date()
    begun = [p for p in existing if p.starts_on <= today]
    if not begun or begun[-1].opened_at is not None:
        return None
    return begun[-1]


def partitions_due(at: datetime.datetime) -> bool:
    """Something for ``partitions_ensure`` to do (one small query; False off PostgreSQL)."""
    if not partitions_available():
        return False
    existing = partitions_list()
    return bool(periods_to_create(at, existing)) or partition_to_open(at, existing) is not None


def partitions_ensure(*, at: datetime.datetime) -> list[str]:
    """Create this period's and (a month ahead) the next period's partitions, and start the
    period that has begun. What was done, one line each (nothing: all was in place)."""
    if not partitions_available():
        raise PartitionsUnavailable
    done: list[str] = []
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
        cursor.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
        existing = partitions_list()  # read again under the lock
        high = max((p.high for p in existing), default=1)
        for period in periods_to_create(at, existing):
            partition_create(cursor, period, low=high, high=high + STEP)
            done.append(f"tạo / created {period.label}: id {high:,}–{high + STEP - 1:,}")
            high += STEP
        opening = partition_to_open(at, partitions_list())
        if opening is not None:
            sequence_jump(cursor, opening.low)
            cursor.execute(
                "UPDATE dossiers_partition SET opened_at = %s WHERE period = %s",
                [at, opening.period],
            )
            done.append(f"mở / opened {opening.period}: hồ sơ mới từ id {opening.low:,}")
    return done


def partition_create(cursor: Any, period: Period, *, low: int, high: int) -> None:
    """The period's partition of each table, its indexes named after the parent's.

    Made as an empty table, then attached: ``ATTACH PARTITION`` takes a lock on the parent that
    lets reads and writes go on (``CREATE TABLE … PARTITION OF`` would take one that stops
    them); the foreign keys it adds hold writes of the tables they join for an instant."""
    for table in TABLES:
        name = f"{table}_{period.suffix}"
        cursor.execute(
            f"CREATE TABLE {name} (LIKE {table} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)"
        )
        cursor.execute(
            f"ALTER TABLE {table} ATTACH PARTITION {name} FOR VALUES FROM ({low}) TO ({high})"
        )
        partition_indexes_name(cursor, name, period.suffix)
    cursor.execute(
        "INSERT INTO dossiers_partition (period, starts_on, low, high) VALUES (%s, %s, %s, %s)",
        [period.label, period.starts_on, low, high],
    )


def partition_indexes_name(cursor: Any, partition: str, suffix: str) -> None:
    """``<parent index>_<suffix>``, so that a plan names the index it uses in every partition."""
    cursor.execute(
        "SELECT c.relname, p.relname FROM pg_index x "
        "JOIN pg_class c ON c.oid = x.indexrelid "
        "JOIN pg_inherits h ON h.inhrelid = x.indexrelid "
        "JOIN pg_class p ON p.oid = h.inhparent WHERE x.indrelid = %s::regclass",
        [partition],
    )
    for child, parent in cursor.fetchall():
        wanted = f"{parent[: 63 - len(suffix) - 1]}_{suffix}"
        if child != wanted:
            cursor.execute(f'ALTER INDEX "{child}" RENAME TO "{wanted}"')


def sequence_jump(cursor: Any, low: int) -> None:
    """New dossiers take ids from ``low`` on (never backwards: ids already given stay unique)."""
    cursor.execute("SELECT pg_get_serial_sequence('dossiers_dossier', 'id')")
    sequence = cursor.fetchone()[0]
    cursor.execute(f"SELECT last_value, is_called FROM {sequence}")  # noqa: S608
    last, called = cursor.fetchone()
    if (last + 1 if called else last) < low:
        cursor.execute("SELECT setval(%s, %s, false)", [sequence, low])
