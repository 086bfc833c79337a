"""The dashboard's drill-down by field (lĩnh vực) and by procedure (issue 17), within the unit or
the city shown: the city (or a unit) → its fields → the procedures of one field → one procedure.

A row's figures are the same counts as the whole report (``compute.count_expressions``), grouped
by the rollup's ``field_id`` or ``procedure_id`` in one query, with the feedback counts grouped
the same way in one more, and scored by ``compute.scores``: one definition of every figure, and
a fixed number of queries whatever the number of fields, procedures or dossiers. A procedure is
shown by its code: the catalogue may hold several records of one code (the national and the
Hà Nội set), and the indicators' report asks a procedure by its code too.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

from django.utils.translation import gettext as _

from motcua.catalog.models import Field, Procedure
from motcua.common.numbers import small_int
from motcua.feedback.selectors import FeedbackCounts, feedback_counts_by

from .compute import Counts, Period, Scope, counts_by, instant, rate, scores

FIELD, PROCEDURE = "field", "procedure"


def add_to(total: Any, more: Any) -> None:
    """Adds the counts ``more`` to ``total`` (both ``Counts`` or both ``FeedbackCounts``)."""
    for name in (f.name for f in fields(total)):
        setattr(total, name, getattr(total, name) + getattr(more, name))


class Rated:
    """The figures of a row of the dashboard (a unit, a field, a procedure): its counts and
    feedback counts, summed by a grouped query, and the report made of them by
    ``compute.scores``, as the report of the whole scope is."""

    counts: Counts
    feedback: FeedbackCounts
    report: dict[str, Any]

    def score(self, period: Period) -> None:
        self.report = scores(period, self.counts, self.feedback)

    @property
    def index(self) -> float | None:
        """The Decision 766 service index of the row: the sum of its group scores."""
        return self.report.get("total") if self.report else None

    def group_score(self, code: str) -> float | None:
        return self.report["groups"][code]["score"] if self.report else None

    @property
    def on_time_rate(self) -> float | None:
        return rate(self.counts.on_time, self.counts.judged)

    @property
    def late(self) -> int:
        return self.counts.judged - self.counts.on_time

    @property
    def online_rate(self) -> float | None:
        return rate(self.counts.online, self.counts.received)

    @property
    def satisfaction(self) -> float | None:
        """766 5.4 over the row's dossiers, read from its report."""
        return self.report["indicators"]["5.4"]["value"] if self.report else None


@dataclass(frozen=True)
class Focus:
    """The field or the procedure the supervisor has drilled into (none: every one)."""

    field_id: int | None = None
    field_name: str = ""
    procedure_code: str = ""
    procedure_name: str = ""
    procedure_ids: frozenset[int] | None = None

    @property
    def breakdown_kind(self) -> str | None:
        """What the next level down is: the fields, the procedures of the field, or nothing."""
        if self.procedure_code:
            return None
        return PROCEDURE if self.field_id is not None else FIELD


def focus_of(field_text: str, procedure_text: str) -> Focus | None:
    """The focus asked (a field by its id, a procedure by its code); None if either is unknown."""
    field_id, field_name = None, ""
    if field_text:
        field_id = small_int(field_text)
        if field_id is None:
            return None
        found = Field.objects.filter(pk=field_id).values_list("name", flat=True).first()
        if found is None:
            return None
        field_name = found
    if not procedure_text:
        return Focus(field_id, field_name)
    records = list(Procedure.objects.filter(code=procedure_text).values_list("pk", "name"))
    if not records:
        return None
    ids = frozenset(pk for pk, _name in records)
    return Focus(field_id, field_name, procedure_text, records[0][1], ids)


@dataclass
class GroupRow(Rated):
    """One field, or one procedure (every record of its code), in the scope shown. ``key``: the
    field's id or the procedure's code, to drill into; empty for dossiers of no field."""

    kind: str
    key: str
    name: str
    counts: Counts = field(default_factory=Counts)
    feedback: FeedbackCounts = field(default_factory=FeedbackCounts)
    report: dict[str, Any] = field(default_factory=dict)


def breakdown(kind: str, period: Period, scope: Scope, start: int, until: int) -> list[GroupRow]:
    """The fields (``FIELD``) or procedures (``PROCEDURE``) with dossiers in the scope, most
    handled first: the counts (``counts_by``), the feedback counts, the names."""
    by = "field_id" if kind == FIELD else "procedure_id"
    counted = {key[0]: found for key, found in counts_by(scope, start, until, (by,)).items()}
    feedback = feedback_counts_by(
        "procedure__field_id" if kind == FIELD else "procedure_id",
        start=instant(start), until=instant(until), unit_ids=scope.unit_ids,
        procedure_ids=scope.procedure_ids, field_id=scope.field_id, channel=scope.channel,
    )  # fmt: skip
    names = names_of(kind, {pk for pk in counted if pk is not None})
    rows: dict[str, GroupRow] = {}
    for pk, found in counted.items():
        key, name = names.get(pk, ("", "")) if pk is not None else ("", "")
        row = rows.setdefault(key, GroupRow(kind, key, name or no_name(kind)))
        add_to(row.counts, found)
        if pk in feedback:
            add_to(row.feedback, feedback[pk])
    shown = [row for row in rows.values() if row.counts.handled or row.counts.received]
    for row in shown:
        row.score(period)
    shown.sort(key=lambda r: (-r.counts.handled, -r.counts.received, r.name))
    return shown


def names_of(kind: str, pks: set[int]) -> dict[int, tuple[str, str]]:
    """The key (field id, procedure code) and name of each record."""
    if not pks:
        return {}
    if kind == FIELD:
        found = Field.objects.filter(pk__in=sorted(pks)).values_list("pk", "name")
        return {pk: (str(pk), name) for pk, name in found}
    records = Procedure.objects.filter(pk__in=sorted(pks)).values_list("pk", "code", "name")
    return {pk: (code, name) for pk, code, name in records}


def no_name(kind: str) -> str:
    return _("Chưa xác định lĩnh vực") if kind == FIELD else _("Chưa xác định thủ tục")
