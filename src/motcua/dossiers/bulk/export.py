"""``export-dossiers``: every dossier as one JSON line, streamed.

The rows come through a server-side cursor on PostgreSQL (``QuerySet.iterator``), only the
columns the export needs, with the procedure and unit codes read once for the whole export: the
number of queries does not grow with the number of dossiers, and memory stays flat.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from typing import Protocol

from django.db.models import QuerySet

from motcua.catalog.models import Procedure
from motcua.organizations.models import Unit

from ..models import Dossier
from ..replay import EXPORT_FIELDS, Codes, dossier_export_row

CHUNK = 5000


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
    out: Output, *, at: datetime.datetime, unit: str | None = None,
    progress: Callable[[int], object] = lambda n: None,
) -> int:  # fmt: skip
    """Write the export of every dossier (of the receiving ``unit``) to ``out``; the count."""
    codes = Codes(
        procedures=dict(Procedure.objects.values_list("pk", "code")),
        units=dict(Unit.objects.values_list("pk", "code")),
    )
    rows = export_queryset(unit).values_list(*EXPORT_FIELDS, named=True).iterator(CHUNK)
    dumps = json.JSONEncoder(ensure_ascii=False).encode
    written = 0
    lines: list[str] = []
    for row in rows:
        lines.append(dumps(dossier_export_row(row, at, codes)))
        if len(lines) == CHUNK:
            out.write("\n".join(lines) + "\n")
            written += len(lines)
            progress(len(lines))
            lines.clear()
    if lines:
        out.write("\n".join(lines) + "\n")
        written += len(lines)
        progress(len(lines))
    return written
