"""Stored files that no row names any more, and their removal (issue 18).

A file is written before the row that names it is committed, and a file whose row goes is
deleted only after the commit (``transaction.on_commit``): so a rollback never leaves a row
without its file. A process killed between the two steps leaves the opposite, a file that no
row names: a personal paper kept for nobody. The sweep finds them by comparing the storage with
every file column of every model, and removes those older than a grace period, so that a file
whose transaction is still running is never taken for an orphan."""

from __future__ import annotations

import datetime
import os
from dataclasses import dataclass, field

from django.core.files.storage import default_storage
from django.db import connection

from motcua.dossiers.tracking_book import BOOKS_FOLDER

from .database import file_columns
from .service import stored_names

# Folders whose files are named by something other than a file column: the tracking books are
# named by their state file and replace their predecessor themselves.
OWN_LIFECYCLE = (f"{BOOKS_FOLDER}/",)


def orphan_grace() -> datetime.timedelta:
    return datetime.timedelta(hours=float(os.environ.get("MOTCUA_ORPHAN_GRACE_HOURS", "6")))


@dataclass
class SweepReport:
    examined: int = 0
    too_young: int = 0
    removed: list[str] = field(default_factory=list)


def referenced_names() -> set[str]:
    quote = connection.ops.quote_name
    names: set[str] = set()
    with connection.cursor() as cursor:
        for table, column in file_columns():
            column_q = quote(column)
            cursor.execute(
                f"SELECT {column_q} FROM {quote(table)} WHERE {column_q} <> ''"  # noqa: S608
            )
            names.update(str(row[0]) for row in cursor.fetchall() if row[0])
    return names


def orphans_sweep(
    *, at: datetime.datetime, grace: datetime.timedelta, dry_run: bool = False
) -> SweepReport:
    """Remove (or, ``dry_run``, only list) the files no row names, written before ``at - grace``.
    The names are read before the storage is listed: a file committed in between is younger
    than the grace period, so it is kept."""
    referenced = referenced_names()
    report = SweepReport()
    for name in stored_names(default_storage):
        if name.startswith(OWN_LIFECYCLE) or name in referenced:
            continue
        report.examined += 1
        if default_storage.get_modified_time(name) > at - grace:
            report.too_young += 1
            continue
        if not dry_run:
            default_storage.delete(name)
        report.removed.append(name)
    return report
