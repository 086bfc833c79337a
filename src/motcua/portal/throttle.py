"""Counting failed public lookups cheaply, for every process on every machine.

The limits are those of issue 3: in any 15 minutes, 20 failed lookups from one address and 5
failed guesses at one dossier (whichever of its two names was typed) refuse further lookups,
the right ones included, with the same message. Only failures count.

Before, every lookup inserted a row and counted the last 15 minutes of rows twice (an address
behind a proxy has thousands). Now a failure adds one to a counter per name and minute (one
upsert for both names: ``INSERT … ON CONFLICT DO UPDATE``, on SQLite and PostgreSQL alike), a
successful lookup writes nothing, and the counts are read inside the lookup's own query
(``portal.services``). The window is the last 15 whole minutes plus the current one: never
shorter than before, at most a minute longer. Counters older than that are deleted at most once
a minute per process, on a failure. Kept in the database rather than in Django's cache: the
cache is per process unless a shared one is configured, which would multiply the limits by the
number of processes.
"""

from __future__ import annotations

import datetime

from django.db import connection
from django.db.models import Sum

from .models import LookupFailure

WINDOW_MINUTES = 15
TABLE = LookupFailure._meta.db_table
LAST_CLEANED = {"minute": 0}


def minute_of(at: datetime.datetime) -> int:
    return int(at.timestamp() // 60)


def window_start(at: datetime.datetime) -> int:
    return minute_of(at) - WINDOW_MINUTES


def address_name(ip: str | None) -> str:
    return f"ip:{ip or ''}"


def dossier_name(name: str) -> str:
    return f"code:{name}"


def failures_of(names: list[str], at: datetime.datetime) -> dict[str, int]:
    """Failures in the window per name (used when the typed code names no dossier)."""
    rows = (
        LookupFailure.objects.filter(name__in=names, minute__gte=window_start(at))
        .values("name")
        .annotate(total=Sum("failures"))
        .values_list("name", "total")
    )
    return dict(rows.order_by())


def failure_record(names: list[str], at: datetime.datetime) -> None:
    """One more failure for each name, in one statement."""
    minute = minute_of(at)
    rows = ", ".join(["(%s, %s, 1)"] * len(names))
    table = connection.ops.quote_name(TABLE)
    sql = (
        f"INSERT INTO {table} (name, minute, failures) VALUES {rows} "  # noqa: S608 (no input)
        f"ON CONFLICT (name, minute) DO UPDATE SET failures = {table}.failures + 1"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [value for name in names for value in (name, minute)])
    if minute > LAST_CLEANED["minute"]:
        LAST_CLEANED["minute"] = minute
        LookupFailure.objects.filter(minute__lt=window_start(at)).delete()
