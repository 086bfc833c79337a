"""The counts of a period read from monthly sums of the settled facts, and those sums kept.

A fact is *settled* once its dossier has ended and every instant a count compares with a
period's bounds has come (``DossierFact.settled``): for any period ending after that, what it
adds to each count no longer depends on the period's end, only on whether its reception (the
counts of dossiers received) or its end (handled, on time, resolved …) falls in the period.
``IndicatorBucket`` holds those fixed contributions summed per month of reception or of end,
unit, procedure, field and channel: a city's year is about 19,000 combinations × 12 months of
rows, whatever the number of dossiers.

A period ``[S, T)`` is counted as: the buckets of its whole months ``[MS, ME)``, plus, over the
facts *around* them, what each really adds at ``[S, T)`` minus what the buckets already hold of
it. The facts around are those received before ``T`` and not settled before ``ME`` (still open,
or settling in the period's last part month or after it), and those received or ended in its
first part month ``[S, MS)``. Any other fact adds exactly what the buckets hold of it (nothing,
when it is received after ``T``), so the sum is exact; the property test checks it against a
naive recomputation over random histories (tests/supervision/test_rollup_properties.py).

A last part month can also be read the other way round (``reaching_past``): its whole bucket,
then the facts that bucket holds wrongly for ``[S, T)``: those in flight at ``T`` and those
received after ``T`` within the month. For a period ending now (the dashboard's default: the
month under way) nothing was received after ``T``, so that reads only the dossiers still open,
not also every dossier received or settled since the month began.

The buckets are written in the fold's transaction: a fact's old contribution is taken off
before it is rewritten and its new one added after (``buckets_add``), one grouped
``INSERT … ON CONFLICT`` per side. Why this shape: docs/decisions/0026, "Monthly buckets".
"""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import BooleanField, F, Q, Sum, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce

from motcua.common.clock import now
from motcua.worktime.engine import VIETNAM_OFFSET

from . import statements
from .models import SUMMED_KEYS, DossierFact, IndicatorBucket
from .populations import Scope, aggregate_of, count_parts, scoped
from .statements import Built, padded

# Bounds no instant reaches: the counts a settled fact adds to a period that contains all of it.
EVER_BEFORE, EVER_AFTER = -(2**53), 2**53
RECEIVED_SIDE = ("received", "online", "reused", "from_store", "fee", "paid_online")
ENDED_SIDE = (
    "handled", "judged", "on_time", "unsatisfied", "resolved", "resolution_seconds",
    "e_result", "digitised",
)  # fmt: skip
SIDES = {"received_month": RECEIVED_SIDE, "end_month": ENDED_SIDE}
KEYS = SUMMED_KEYS
# A fact's column → the column of the buckets and snapshots that keys their sums by it.
KEY_COLUMN = {
    "receiving_unit_id": "receiving_unit_id", "deciding_unit_id": "deciding_unit_id",
    "procedure_id": "procedure_id", "field_id": "field_key", "channel": "channel",
    # Keys of the summed rows only, not of facts: grouping buckets by month, snapshots by boundary.
    "month": "month", "boundary": "boundary",
}  # fmt: skip
Grouping = tuple[str, ...]  # facts' column names (KEY_COLUMN) to sum per group of
Sums = dict[str, int]
# The buckets of every procedure of a unit, for the scopes that name no procedure nor field (a
# city's year reads about 156 units × 3 channels × 12 months of them, not every procedure's).
ALL_PROCEDURES = 0


def month_of(instant: int) -> int:
    """yyyymm of an epoch-seconds instant in Hà Nội."""
    local = datetime.datetime.fromtimestamp(instant, VIETNAM_OFFSET)
    return local.year * 100 + local.month


def month_start(year: int, month: int) -> int:
    return int(datetime.datetime(year, month, 1, tzinfo=VIETNAM_OFFSET).timestamp())


@dataclass(frozen=True)
class Window:
    """The whole months ``[first, stop)`` (yyyymm) of a period, from ``begins`` to ``ends``
    (epoch seconds); empty (``first == stop``) with both instants at the period's start."""

    first: int
    stop: int
    begins: int
    ends: int

    @property
    def empty(self) -> bool:
        return self.first >= self.stop

    def is_exactly(self, start: int, until: int) -> bool:
        """Whether ``[start, until)`` is these whole months and nothing more."""
        return not self.empty and (start, until) == (self.begins, self.ends)


def window_of(start: int, until: int) -> Window:
    """The whole months inside ``[start, until)``: from the first month starting at or after
    ``start`` to the month holding ``until``, excluded."""
    opening = datetime.datetime.fromtimestamp(start, VIETNAM_OFFSET)
    year, month = opening.year, opening.month
    if month_start(year, month) < start:
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    closing = datetime.datetime.fromtimestamp(until, VIETNAM_OFFSET)
    begins, ends = month_start(year, month), month_start(closing.year, closing.month)
    if begins >= ends:
        return Window(0, 0, start, start)
    return Window(year * 100 + month, closing.year * 100 + closing.month, begins, ends)


def reaching_past(start: int, until: int, window: Window) -> Window:
    """``window`` with the month holding ``until`` added when the facts that addition makes
    one read (those in flight at ``until``, those received after it in that month) should be
    fewer than the facts of the month's part before ``until`` (those alive across it): when
    less of the month is left after ``until``, up to now, than has passed before it."""
    closing = datetime.datetime.fromtimestamp(until, VIETNAM_OFFSET)
    month_first = month_start(closing.year, closing.month)
    if month_first == until or month_first < start:  # no part month; or the period starts in it
        return window
    following = month_after(month_first)
    if min(following, int(now().timestamp())) - until >= until - month_first:
        return window
    month = closing.year * 100 + closing.month
    if window.empty:
        return Window(month, month_of(following), month_first, following)
    return Window(window.first, month_of(following), window.begins, following)


def month_after(instant: int) -> int:
    """The start of the month after the one starting at ``instant``."""
    local = datetime.datetime.fromtimestamp(instant, VIETNAM_OFFSET)
    year, month = (local.year + 1, 1) if local.month == 12 else (local.year, local.month + 1)
    return month_start(year, month)


def settled_parts() -> dict[str, tuple[Any, Q]]:
    return count_parts(EVER_BEFORE, EVER_AFTER)


# Writing the buckets ----------------------------------------------------------------------------


def buckets_add(ids: Sequence[int] | None, sign: int) -> None:
    """Add (``sign`` 1) or take off (-1) the settled contributions of the facts of dossiers
    ``ids`` (None: every fact) to or from their buckets."""
    if ids is not None and not ids:
        return
    values = [] if ids is None else padded(ids)
    for side, every_procedure in itertools.product(SIDES, (False, True)):
        shape = ("bucket", side, every_procedure, sign, ids is None)

        def build(stand_in: list[int], side: str = side, every: bool = every_procedure) -> Built:
            return bucket_upsert(facts_of(None if ids is None else stand_in), side, every, sign)

        statements.run(shape, build, values)


def facts_of(ids: Sequence[int] | None) -> Any:
    facts = DossierFact.objects.all()
    return facts if ids is None else facts.filter(dossier_id__in=ids)


def bucket_upsert(facts: Any, side: str, every_procedure: bool, sign: int) -> Built:
    parts, names = settled_parts(), SIDES[side]
    sums = {name: aggregate_of(*parts[name]) for name in names}
    settled = facts.filter(settled__isnull=False)
    grouped = grouped_sums(settled, F(side), sums, every_procedure=every_procedure)
    return upsert_built(IndicatorBucket, {}, grouped, names, sign)


def upsert_built(
    model: Any, fixed: dict[str, Any], grouped: Any, names: tuple[str, ...], sign: int
) -> Built:
    """The statement that adds ``sign`` × the sums of ``grouped`` (``grouped_sums``) to the
    rows of ``model`` with the same keys (and the ``fixed`` key values), creating the rows it
    lacks."""
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    keys = ", ".join(quote(k) for k in (*fixed, *KEYS))
    # The grouped query's names: "procedure_id" would clash with the facts' own column.
    sources = "%s, " * len(fixed) + ", ".join(quote(k) for k in KEYS).replace(
        quote("procedure_id"), "procedure_key"
    )
    sql, params = grouped.query.sql_with_params()
    columns = ", ".join(names)
    values = ", ".join(f"{int(sign)} * COALESCE(s_{name}, 0)" for name in names)
    update = ", ".join(f"{name} = {table}.{name} + excluded.{name}" for name in names)
    # Names from this module and the models only; the values are parameters or integers.
    # WHERE true: SQLite reads ON CONFLICT after a bare FROM as a join constraint.
    statement = (
        f"INSERT INTO {table} ({keys}, {columns}) SELECT {sources}, {values} "  # noqa: S608
        f"FROM ({sql}) AS side WHERE true ON CONFLICT ({keys}) DO UPDATE SET {update}"
    )
    return statement, [*fixed.values(), *params]


def grouped_sums(facts: Any, month: Any, sums: dict[str, Any], *, every_procedure: bool) -> Any:
    """``sums`` (aggregates, named ``s_`` + the count) of ``facts`` grouped by ``month`` and the
    other keys: per procedure and field, or for all the procedures of a unit together
    (``ALL_PROCEDURES``)."""
    procedure = Value(ALL_PROCEDURES) if every_procedure else F("procedure_id")
    field = Value(0) if every_procedure else Coalesce("field_id", 0)
    return (
        facts.values(
            "receiving_unit_id",
            "deciding_unit_id",
            "channel",
            month=month,
            procedure_key=procedure,
            field_key=field,
        )
        .annotate(**{f"s_{name}": value for name, value in sums.items()})
        .order_by()
    )


def buckets_rebuild() -> None:
    """Every bucket again from the facts (in the caller's transaction)."""
    IndicatorBucket.objects.all().delete()
    buckets_add(None, 1)


# Reading a period ----------------------------------------------------------------------------


def buckets_of(scope: Scope, window: Window, *, detailed: bool = False) -> Any:
    """The buckets of the window's months in the scope."""
    rows = IndicatorBucket.objects.filter(month__gte=window.first, month__lt=window.stop)
    return level_of(scope, rows, detailed=detailed)


def level_of(scope: Scope, rows: Any, *, detailed: bool = False) -> Any:
    """Summed rows of the scope: every procedure's together when the scope names no procedure
    nor field and the sums are not asked per procedure or field (``detailed``), else those of
    each procedure."""
    if not detailed and scope.procedure_ids is None and scope.field_id is None:
        rows = rows.filter(procedure_id=ALL_PROCEDURES)
    else:
        rows = rows.exclude(procedure_id=ALL_PROCEDURES)
    return scoped(scope, rows, field="field_key")


def detailed_for(by: Grouping) -> bool:
    return "procedure_id" in by or "field_id" in by


def bucket_sums(scope: Scope, window: Window) -> Sums:
    return bucket_sums_by(scope, window, ()).get((), {})


def bucket_sums_by(scope: Scope, window: Window, by: Grouping) -> dict[tuple, Sums]:
    """The buckets' sums per group of ``by`` (facts' column names; none: one group ``()``)."""
    if window.empty:
        return {}
    return summed_by(buckets_of(scope, window, detailed=detailed_for(by)), by)


def bucket_sums_per_month(scope: Scope, months: list[int]) -> dict[int, Sums]:
    """Each month's buckets (``months``: yyyymm), summed per month (one query)."""
    if not months:
        return {}
    rows = level_of(scope, IndicatorBucket.objects.filter(month__in=months))
    return {key[0]: sums for key, sums in summed_by(rows, ("month",)).items()}


def summed(rows: Any) -> Sums:
    """Every count summed over summed rows (buckets or snapshots)."""
    return summed_by(rows, ()).get((), {})


def summed_by(rows: Any, by: Grouping) -> dict[tuple, Sums]:
    """Every count summed over summed rows (buckets or snapshots) per group of ``by``."""
    names = (*RECEIVED_SIDE, *ENDED_SIDE)
    aggregates = {f"b_{name}": Sum(name) for name in names}
    columns = [KEY_COLUMN[name] for name in by]
    found = (
        rows.values(*columns).annotate(**aggregates).order_by()
        if by
        else [rows.aggregate(**aggregates)]
    )
    return {
        tuple(fact_key(name, row[KEY_COLUMN[name]]) for name in by): {
            name: int(row[f"b_{name}"] or 0) for name in names
        }
        for row in found
    }


def sums_added(*parts: Sums) -> Sums:
    """Every count summed over ``parts`` (buckets, snapshot, facts around), 0 where none has it."""
    total = dict.fromkeys((*RECEIVED_SIDE, *ENDED_SIDE), 0)
    for part in parts:
        for name, value in part.items():
            total[name] += value
    return total


def fact_key(name: str, value: Any) -> Any:
    """A key of the buckets as the facts hold it: no field is 0 there, None here."""
    return None if name == "field_id" and value == 0 else value


def around(scope: Scope, start: int, until: int, window: Window) -> Any:
    """The facts whose contribution the buckets do not hold exactly (see the module)."""
    facts = scoped(scope)
    first_part = Q(received__gte=start, received__lt=window.begins) | Q(
        end__gte=start, end__lt=window.begins
    )
    if window.ends <= until:
        return facts.filter(alive(window.ends, until) | first_part)
    # The window reaches past ``until`` (``reaching_past``): its last bucket also holds what
    # settled after ``until`` and what was received after it (ended after it too).
    after = Q(received__gte=until, received__lt=window.ends)
    return facts.filter(alive(until, until) | after | first_part)


def beyond_buckets(scope: Scope, start: int, until: int, window: Window) -> Sums:
    return beyond_buckets_by(scope, start, until, window, ()).get((), {})


def beyond_buckets_by(
    scope: Scope, start: int, until: int, window: Window, by: Grouping
) -> dict[tuple, Sums]:
    """Per count and group of ``by``, what the facts around the window add to ``[start,
    until)`` beyond what its buckets hold of them, judged one by one (one query)."""
    parts = count_parts(start, until)
    actual = {f"a_{name}": aggregate_of(*part) for name, part in parts.items()}
    facts = around(scope, start, until, window)
    aggregates = {**actual, **held_expressions(window)}
    found = (
        facts.values(*by).annotate(**aggregates).order_by()
        if by
        else [facts.aggregate(**aggregates)]
    )
    return {
        tuple(row[name] for name in by): {
            name: int(row[f"a_{name}"] or 0) - int(row.get(f"h_{name}") or 0) for name in parts
        }
        for row in found
    }


def alive(since: int, until: int) -> Q:
    """Received before ``until`` and open or settled at or after ``since`` (``since`` ≤
    ``until``). On PostgreSQL one GiST range test (migration 0005's ``fact_alive``): whatever the
    period's age it visits only the dossiers in flight across it."""
    if connection.vendor != "postgresql":
        return Q(received__lt=until) & (Q(settled__isnull=True) | Q(settled__gte=since))
    table = connection.ops.quote_name(DossierFact._meta.db_table)
    lifetime = f"int8range({table}.received, {table}.settled, '[]')"
    if since < until:  # [received, settled] meets [since, until)
        test, bounds = f"{lifetime} && int8range(%s, %s, '[)')", (since, until)
    else:  # received < until <= settled: the lifetime holds both until - 1 and until
        # The subtraction in SQL: the value stays a parameter of its own (statements.py).
        test, bounds = f"{lifetime} @> int8range(%s - 1, %s, '[]')", (until, until)
    return Q(RawSQL(test, bounds, output_field=BooleanField()))  # noqa: S611 (names are ours)


def held_expressions(window: Window) -> dict[str, Any]:
    """What the buckets of ``window`` hold of each fact, named ``h_`` + the count."""
    if window.empty:
        return {}
    parts = settled_parts()
    found = {}
    for month_field, names in SIDES.items():
        in_window = Q(settled__isnull=False) & Q(
            **{f"{month_field}__gte": window.first, f"{month_field}__lt": window.stop}
        )
        for name in names:
            summed, condition = parts[name]
            found[f"h_{name}"] = aggregate_of(summed, condition & in_window)
    return found
