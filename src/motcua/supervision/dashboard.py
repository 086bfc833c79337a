"""The supervision dashboard's figures (issue 17): a unit (or the whole city) over a period — the
766 report, the units one level down ranked, the months of the period, and the late dossiers
behind the late count. Every figure is a sum over the rollup (``DossierFact``) with the same
conditions as ``compute.report``; the number of queries does not depend on how many units,
months or dossiers there are: the units below are one grouped query (by receiving and deciding
unit, folded into the rows in Python), the months from their buckets and snapshots when whole
and passed, else one aggregate with a column set per month.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q

from motcua.feedback.selectors import FeedbackCounts, feedback_counts_by
from motcua.organizations.models import Unit

from .buckets import alive, bucket_sums_per_month, reaching_past, sums_added, window_of
from .bundle_figures import BundleFigures, bundle_figures
from .compute import (
    Counts,
    Period,
    Scope,
    count_expressions,
    counts,
    counts_by,
    counts_of,
    instant,
    late_only,
    rate,
    report,
    scoped,
)
from .dashboard_breakdown import Focus, GroupRow, Rated, add_to, breakdown
from .models import DossierFact
from .snapshots import boundaries_made, next_month, snapshot_sums_per_month

MAX_DAYS = 366  # a dashboard period: at most a year (13 months drawn)
LATE_LIMIT = 200  # the late dossiers listed; the count says how many there are
MONTH_FIELDS = ("handled", "judged", "on_time", "received", "online")


@dataclass(frozen=True)
class Node:
    pk: int
    parent_id: int | None
    code: str
    name: str


class Tree:
    """Every unit, read once (a few thousand rows), to find the units below any unit without a
    query per level."""

    def __init__(self) -> None:
        rows = Unit.objects.values_list("pk", "parent_id", "code", "name")
        self.nodes = {pk: Node(pk, parent, code, name) for pk, parent, code, name in rows}
        self.by_code = {node.code: pk for pk, node in self.nodes.items()}
        self.children: dict[int | None, list[int]] = defaultdict(list)
        for node in sorted(self.nodes.values(), key=lambda n: n.name):
            self.children[node.parent_id].append(node.pk)

    def below(self, pk: int) -> set[int]:
        """The unit and every unit under it."""
        found, todo = set(), [pk]
        while todo:
            current = todo.pop()
            if current not in found:
                found.add(current)
                todo.extend(self.children.get(current, []))
        return found

    def tops(self, units: set[int]) -> list[int]:
        """The units of ``units`` whose parent is not in it, by name."""
        found = [pk for pk in units if pk in self.nodes and self.nodes[pk].parent_id not in units]
        return sorted(found, key=lambda pk: self.nodes[pk].name)

    def chain(self, pk: int) -> list[Node]:
        """From the top of the tree down to the unit itself."""
        found: list[Node] = []
        current: int | None = pk
        while current is not None and current in self.nodes and len(found) < 50:
            found.append(self.nodes[current])
            current = self.nodes[current].parent_id
        return list(reversed(found))


@dataclass
class Row(Rated):
    """A unit one level down (its units below included), or the unit's own dossiers (``own``)."""

    node: Node
    units: set[int]
    own: bool = False
    counts: Counts = field(default_factory=Counts)
    feedback: FeedbackCounts = field(default_factory=FeedbackCounts)
    report: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Month:
    start: datetime.date
    end: datetime.date
    counts: Counts

    @property
    def label(self) -> str:
        return self.start.strftime("%m/%Y")

    @property
    def on_time_rate(self) -> float | None:
        return rate(self.counts.on_time, self.counts.judged)

    @property
    def online_rate(self) -> float | None:
        return rate(self.counts.online, self.counts.received)


@dataclass
class Dashboard:
    period: Period
    node: Node | None  # None: the city (every unit the supervisor sees)
    chain: list[Node]
    report: dict[str, Any]
    counts: Counts
    rows: list[Row]
    months: list[Month]
    focus: Focus = field(default_factory=Focus)
    breakdown: list[GroupRow] = field(default_factory=list)
    bundles: BundleFigures = field(default_factory=BundleFigures)

    @property
    def late(self) -> int:
        return self.counts.judged - self.counts.on_time


def row_plan(tree: Tree, node: Node | None, allowed: set[int] | None) -> list[Row]:
    """The rows below ``node`` (the city: below each top unit): each child with its subtree, and
    the node's own dossiers; a child outside ``allowed`` (None: all) is left out. No node and
    a limited scope: one row per unit at the top of the scope."""
    if node is None and allowed is not None:
        return [Row(tree.nodes[top], tree.below(top) & allowed) for top in tree.tops(allowed)]
    tops = [node.pk] if node is not None else tree.children.get(None, [])
    rows: list[Row] = []
    for top in tops:
        children = tree.children.get(top, [])
        for child in children:
            if allowed is None or child in allowed:
                rows.append(Row(tree.nodes[child], tree.below(child)))
        if allowed is None or top in allowed:
            rows.append(Row(tree.nodes[top], {top} if children else tree.below(top), own=True))
    return rows


def rows_fill(rows: list[Row], scope: Scope, start: int, until: int) -> None:
    """The counts grouped by (receiving, deciding) unit (``counts_by``); a pair counts once in the row of each
    of its two units (once if both are in the same row), as a scope counts a dossier received
    or decided by one of its units."""
    where = {unit: index for index, row in enumerate(rows) for unit in row.units}
    grouped = counts_by(scope, start, until, ("receiving_unit_id", "deciding_unit_id"))
    for (receiving, deciding), pair in grouped.items():
        targets = {where.get(receiving), where.get(deciding)}
        for index in targets - {None}:
            assert index is not None
            add_to(rows[index].counts, pair)
    feedback = feedback_counts_by(
        "unit_id", start=instant(start), until=instant(until), unit_ids=scope.unit_ids,
        procedure_ids=scope.procedure_ids, field_id=scope.field_id, channel=scope.channel,
    )  # fmt: skip
    for unit, found_feedback in feedback.items():
        index = where.get(unit)  # type: ignore[arg-type]
        if index is not None:
            add_to(rows[index].feedback, found_feedback)


def month_spans(period: Period) -> list[tuple[datetime.date, datetime.date]]:
    spans = []
    first = period.start
    while first <= period.end:
        following = (first.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
        spans.append((first, min(period.end, following - datetime.timedelta(days=1))))
        first = following
    return spans


def months_of(period: Period, scope: Scope, at: datetime.datetime | None) -> list[Month]:
    """Every month of the period: those whole and passed from their buckets and snapshots; the
    month under way from its bucket and the dossiers still open (``counts_by``); any other part
    month in one aggregate over the facts alive across it, with a column set per month
    (``n_m<i>_…``); a month not begun yet is drawn empty. Six queries at most."""
    spans = month_spans(period)
    bounds = [Period(first, last).bounds(at) for first, last in spans]
    whole = whole_months(bounds)
    held = bucket_sums_per_month(scope, list(whole.values()))
    in_flight = snapshot_sums_per_month(scope, list(whole.values()))
    under_way = month_under_way(bounds, whole)
    found: dict[int, Counts] = {}
    if under_way is not None:
        found[under_way] = counts_by(scope, *bounds[under_way], ()).get((), Counts())
    others = [
        index for index, (start, until) in enumerate(bounds)
        if until > start and index not in whole and index not in found
    ]  # fmt: skip
    found.update(part_months(scope, bounds, others))
    for index, month in whole.items():
        found[index] = Counts(**sums_added(held.get(month, {}), in_flight.get(month, {})))
    return [
        Month(first, end, found.get(index, Counts())) for index, (first, end) in enumerate(spans)
    ]


def month_under_way(bounds: list[tuple[int, int]], whole: dict[int, int]) -> int | None:
    """The index of the last span when ``reaching_past`` would read it from its whole bucket
    and the dossiers in flight at its end (a month whose end is now), else None."""
    if not bounds or len(bounds) - 1 in whole:
        return None
    start, until = bounds[-1]
    window = window_of(start, until)
    return (
        len(bounds) - 1 if until > start and reaching_past(start, until, window) != window else None
    )


def part_months(
    scope: Scope, bounds: list[tuple[int, int]], indices: list[int]
) -> dict[int, Counts]:
    """The counts of the spans ``indices`` from their facts, in one aggregate over the facts
    alive across any of them (no other fact counts in a span)."""
    if not indices:
        return {}
    expressions: dict[str, Any] = {}
    across = Q()
    for index in indices:
        start, until = bounds[index]
        every = count_expressions(start, until, prefix=f"m{index}_")
        expressions.update({f"n_m{index}_{k}": every[f"n_m{index}_{k}"] for k in MONTH_FIELDS})
        across |= alive(start, until)
    row = scoped(scope).filter(across).aggregate(**expressions)
    return {index: counts_of(row, prefix=f"m{index}_") for index in indices}


def whole_months(bounds: list[tuple[int, int]]) -> dict[int, int]:
    """index → yyyymm of the spans that are a whole month whose end has passed and whose
    snapshot is made (one query)."""
    candidates = {}
    for index, (start, until) in enumerate(bounds):
        window = window_of(start, until)
        if window.is_exactly(start, until) and next_month(window.first) == window.stop:
            candidates[index] = window.first
    made = boundaries_made([next_month(month) for month in candidates.values()])
    return {index: month for index, month in candidates.items() if next_month(month) in made}


def scope_of(tree: Tree, node: Node | None, allowed: set[int] | None, focus: Focus) -> Scope:
    """The dossiers of ``node`` (None: the city) and its units below, within ``allowed`` (None:
    every unit), of the field or procedure in ``focus``."""
    units = tree.below(node.pk) if node is not None else None
    if allowed is not None:
        units = (units & allowed) if units is not None else set(allowed)
    return Scope(
        unit_ids=frozenset(units) if units is not None else None,
        procedure_ids=focus.procedure_ids, field_id=focus.field_id,
    )  # fmt: skip


def dashboard(
    *, period: Period, tree: Tree, node: Node | None, allowed: set[int] | None,
    at: datetime.datetime | None = None, focus: Focus | None = None,
) -> Dashboard:  # fmt: skip
    """The figures of ``node`` (None: the city) for the units ``allowed`` (None: every unit),
    of one field or procedure if ``focus`` says so."""
    focus = focus or Focus()
    scope = scope_of(tree, node, allowed, focus)
    answer = report(period, scope, at=at)
    start, until = period.bounds(at)
    rows = row_plan(tree, node, allowed)
    if until > start and rows:
        rows_fill(rows, scope, start, until)
    shown = [row for row in rows if row.counts.handled or row.counts.received]
    for row in shown:
        row.score(period)
    shown.sort(key=lambda r: (r.on_time_rate is None, -(r.on_time_rate or 0), r.node.name))
    kind = focus.breakdown_kind
    groups = breakdown(kind, period, scope, start, until) if kind and until > start else []
    bundles = bundle_figures(period=period, months=month_spans(period), units=scope.unit_ids, at=at)
    bundles.unit_names = {r.unit_id: tree.nodes[r.unit_id].name for r in bundles.rows
                          if r.unit_id in tree.nodes}  # fmt: skip
    return Dashboard(period, node, tree.chain(node.pk) if node else [], answer,
                     headline_counts(answer), shown, months_of(period, scope, at), focus,
                     groups, bundles)  # fmt: skip


def headline_counts(answer: dict[str, Any]) -> Counts:
    """The counts the headline shows, read back from the report's 2.1 and 3.3 rows."""
    on_time = answer["indicators"].get("2.1", {})
    online = answer["indicators"].get("3.3", {})
    return Counts(
        judged=int(on_time.get("den") or 0), on_time=int(on_time.get("num") or 0),
        received=int(online.get("den") or 0), online=int(online.get("num") or 0),
    )  # fmt: skip


def late_dossiers(
    *, period: Period, tree: Tree, node: Node | None, allowed: set[int] | None,
    at: datetime.datetime | None = None, limit: int = LATE_LIMIT, focus: Focus | None = None,
    offset: int = 0,
) -> list[DossierFact]:  # fmt: skip
    """The dossiers judged late in the period (2.1), earliest appointment first, from the
    ``offset``-th, with their dossier, procedure and deciding unit (one query)."""
    start, until = period.bounds(at)
    if until <= start:
        return []
    facts = scoped(scope_of(tree, node, allowed, focus or Focus()))
    late = late_only(facts.filter(received__lt=until), start, until)
    return list(
        late.select_related("dossier", "dossier__procedure", "dossier__deciding_unit")
        .only("dossier__ref", "dossier__code", "dossier__status", "dossier__due_at",
              "dossier__received_at", "dossier__finished_at", "dossier__procedure__name",
              "dossier__deciding_unit__name", "due", "received")
        .order_by("due", "dossier_id")[offset : offset + limit]
    )  # fmt: skip


def late_total(
    *, period: Period, tree: Tree, node: Node | None, allowed: set[int] | None,
    focus: Focus | None = None,
) -> int:  # fmt: skip
    """How many dossiers ``late_dossiers`` lists in all: the 2.1 count, from the buckets."""
    start, until = period.bounds()
    if until <= start:
        return 0
    found = counts(scope_of(tree, node, allowed, focus or Focus()), start, until)
    return found.judged - found.on_time
