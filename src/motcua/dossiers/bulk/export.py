"""``export-dossiers``: every dossier as one JSON line, streamed.

The rows come through a server-side cursor on PostgreSQL (``QuerySet.iterator``), only the
columns the export needs, with the procedure and unit codes read once for the whole export: the
number of queries does not grow with the number of dossiers, and memory stays flat. Ranges of
20,000 ids may be formatted by several processes (``common.parallel``), written in id order.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Protocol

from django.db import transaction
from django.db.models import QuerySet

from motcua.catalog.models import Procedure
from motcua.common.parallel import id_ranges, in_order, processes_usable
from motcua.organizations.models import Unit

from ..extensions import export_columns
from ..models import Dossier
from ..replay import EXPORT_FIELDS, Codes, dossier_export_row

CHUNK = 5000  # rows fetched at a time
RANGE = 20_000  # dossier ids per task


class Output(Protocol):
    def write(self, text: str, /) -> object: ...


def dossiers_count(unit: str | None = None) -> int:
    return export_queryset(unit).count()


def export_queryset(unit: str | None) -> QuerySet[Dossier]:
    dossiers = Dossier.objects.order_by("pk")
    if unit:
        dossiers = dossiers.filter(receiving_unit__code=unit)
    return dossiers


def dossiers_export(
    out: Output, *, at: datetime.datetime, unit: str | None = None, workers: int = 1,
    progress: Callable[[int], object] = lambda n: None,
) -> int:  # fmt: skip
    """Write the export of every dossier (of the receiving ``unit``) to ``out``; the count.
    ``workers``: processes formatting ranges of dossiers at once (PostgreSQL; the output is the
    same, in id order)."""
    codes = Codes(
        procedures=dict(Procedure.objects.values_list("pk", "code")),
        units=dict(Unit.objects.values_list("pk", "code")),
    )
    if unit:
        tasks: Iterator[ExportTask] = iter([ExportTask(0, None, unit, at, codes)])
    else:
        tasks = (
            ExportTask(low, high, None, at, codes)
            for low, high in id_ranges(Dossier.objects.all(), RANGE)
        )
    written = 0
    for count, text in in_order(export_range, tasks, processes_usable(workers) if not unit else 1):
        if count:
            out.write(text)
            written += count
            progress(count)
    return written


@dataclass(frozen=True)
class ExportTask:
    low: int
    high: int | None
    unit: str | None
    at: datetime.datetime
    codes: Codes


def export_range(task: ExportTask) -> tuple[int, str]:
    """(dossiers, their lines) of one range of ids, read through a server-side cursor."""
    dossiers = export_queryset(task.unit).filter(pk__gte=task.low)
    if task.high is not None:
        dossiers = dossiers.filter(pk__lt=task.high)
    dumps = json.JSONEncoder(ensure_ascii=False).encode
    with transaction.atomic():  # a streamed cursor lives in a transaction (no WITH HOLD copy)
        rows = list(dossiers.values_list("pk", *EXPORT_FIELDS, named=True).iterator(CHUNK))
    # The columns the apps above the kernel add (the data store's reuse counts), per range.
    added = export_columns([row.pk for row in rows]) if rows else {}
    lines = [
        dumps(dossier_export_row(row, task.at, task.codes) | added.get(row.pk, {})) for row in rows
    ]
    return len(lines), "\n".join(lines) + "\n" if lines else ""
