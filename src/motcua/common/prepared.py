"""Hot reads whose SQL is compiled once per connection instead of on every request.

Django turns a queryset into SQL each time it runs it: for a dossier read that compiling was about
40 % of the request's CPU (issue 12's profile), for statements whose text never changes. A
``PreparedQuery`` wraps a function that builds the queryset from named values. The first time
it runs on a connection it compiles the queryset with two sets of sample values, checks that the
SQL text is the same for both (the shape of the query does not depend on the values) and learns
which parameters carry which value. Afterwards it only substitutes the new values into the
parameters, runs the SQL and builds the model instances the way Django's own ``ModelIterable``
does (``select_related`` rows and annotations included).

Use it only for queries of a fixed shape: no ``__in`` with a list of varying length, no value
that changes the SQL (``None`` becomes ``IS NULL``). A query whose shape depends on the values is
refused when it is first learned, with the names that change it.

It relies on the compiler's ``select``/``klass_info``/``annotation_col_map`` (stable in Django
5.2 LTS, and exercised on SQLite and PostgreSQL by ``tests/common/test_prepared.py``).
"""

from __future__ import annotations

import contextlib
import datetime
import threading
from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, cast

from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db import connections, router
from django.db.models import F, Model, Q, QuerySet, signals
from django.db.models.query import get_related_populators  # type: ignore[attr-defined]
from django.db.models.sql import InsertQuery

from .written_sql import written_form, written_into

M = TypeVar("M", bound=Model)
Adapter = Callable[[Any], Any]


class ShapeChanged(Exception):
    """The SQL text depends on a value: the query cannot be prepared."""


@dataclass
class Learned:
    sql: str
    params: list[Any]
    slots: dict[str, list[tuple[int, Adapter]]]
    compiler: Any
    reader: Reader


@dataclass
class Reader:
    """How rows become instances, worked out once with the SQL: Django works out the columns'
    converters and the related rows' populators again on every run (an eighth of a dossier
    read's CPU in a profile)."""

    model: type[Model]
    names: list[str]
    start: int
    end: int
    fields: list[Any]
    converters: dict[int, Any]
    composite: bool
    populators: list[Any]
    annotations: dict[str, int]

    @classmethod
    def of(cls, compiler: Any, db: str) -> Reader:
        select, klass_info = compiler.select, compiler.klass_info
        own = klass_info["select_fields"]
        start, end = own[0], own[-1] + 1
        fields = [column[0] for column in select[: compiler.col_count]]
        converters = compiler.get_converters(fields)
        return cls(
            model=klass_info["model"],
            names=[column[0].target.attname for column in select[start:end]],
            start=start,
            end=end,
            fields=fields,
            converters=converters,
            composite=bool(converters) and compiler.has_composite_fields(fields),
            populators=get_related_populators(klass_info, select, db),
            annotations=dict(compiler.annotation_col_map),
        )


def adapters(connection: Any) -> list[Adapter]:
    """How the backend may have turned a value into a parameter (identity first)."""
    ops = connection.ops
    return [
        lambda value: value,
        ops.adapt_datefield_value,
        ops.adapt_datetimefield_value,
        ops.adapt_timefield_value,
    ]


def read_alias(using: str, routed: type[Model] | None) -> str:
    """``using``, or the database the router chooses for reading ``routed`` (a replica in the
    views that may read one, ``common.replicas``), as a queryset of it would."""
    return using if routed is None else router.db_for_read(routed)


T = TypeVar("T")


@contextlib.contextmanager
def planned_for_values(connection: Any, wanted: bool = True) -> Iterator[None]:
    """Statements run inside are planned by PostgreSQL for their own values: psycopg does not
    prepare them. A prepared statement may be run with a *generic* plan, one for any values
    (decision 0039), and for a worklist's queries over a partitioned table that plan can cost a
    hundred times the one made for the officer's units (issue 12, measured at 1 M dossiers)."""
    if not wanted or connection.vendor != "postgresql":
        yield
        return
    connection.ensure_connection()
    raw = connection.connection
    threshold = raw.prepare_threshold
    raw.prepare_threshold = None
    try:
        yield
    finally:
        raw.prepare_threshold = threshold


def for_connection(local: threading.local, connection: Any, learn: Callable[[], T]) -> T:
    """What ``learn`` made for this connection, made once: a thread has its own connection
    objects, one per database, and a new object (a reconnection) learns again."""
    by_alias: dict[str, tuple[Any, T]] = local.__dict__.setdefault("by_alias", {})
    found = by_alias.get(connection.alias)
    if found is None or found[0] is not connection:
        found = by_alias[connection.alias] = (connection, learn())
    return found[1]


class PreparedQuery(Generic[M]):
    """``build(**values)`` compiled once per connection; ``query(**values)`` runs it, on
    ``using`` or, given ``routed``, where the router reads that model."""

    def __init__(
        self,
        build: Callable[..., QuerySet[M]],
        *,
        using: str = "default",
        routed: type[Model] | None = None,
        **samples: tuple[Any, Any],
    ) -> None:
        self.build = build
        self.using = using
        self.routed = routed
        self.samples = samples
        self.local = threading.local()

    def __call__(self, **values: Any) -> list[M]:
        connection = connections[read_alias(self.using, self.routed)]
        learned = self.learned_for(connection)
        params = list(learned.params)
        for name, places in learned.slots.items():
            for position, adapt in places:
                params[position] = adapt(values[name])
        with connection.cursor() as cursor:
            cursor.execute(learned.sql, params)
            rows = cursor.fetchall()
        return list(instances(learned, rows, connection.alias))

    def one_or_none(self, **values: Any) -> M | None:
        """The one row (a lookup by a unique key), or None; more than one is a bug in the query."""
        found = self(**values)
        if len(found) > 1:
            raise ShapeChanged(f"{len(found)} rows where at most one was expected")
        return found[0] if found else None

    def learned_for(self, connection: Any) -> Learned:
        """What was learned on this connection (a thread has its own connection objects, one
        per database)."""
        return for_connection(self.local, connection, lambda: self.learn(connection))

    def compiled(self, values: dict[str, Any], connection: Any) -> tuple[str, list[Any], Any]:
        compiler = self.build(**values).query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        return sql, list(params), compiler

    def learn(self, connection: Any) -> Learned:
        first = {name: pair[0] for name, pair in self.samples.items()}
        sql, params, compiler = self.compiled(first, connection)
        slots: dict[str, list[tuple[int, Adapter]]] = {}
        for name, (sample, other) in self.samples.items():
            changed_sql, changed, _compiler = self.compiled({**first, name: other}, connection)
            if changed_sql != sql or len(changed) != len(params):
                raise ShapeChanged(f"the SQL of this query changes with {name!r}")
            positions = [i for i, (a, b) in enumerate(zip(params, changed, strict=True)) if a != b]
            if not positions:
                raise ShapeChanged(f"{name!r} is not a parameter of this query")
            slots[name] = [(i, adapter_for(connection, sample, other, params[i], changed[i])) for i in positions]  # fmt: skip
        return Learned(sql, params, slots, compiler, Reader.of(compiler, connection.alias))


def adapter_for(connection: Any, sample: Any, other: Any, param: Any, changed: Any) -> Adapter:
    for adapt in adapters(connection):
        try:
            if adapt(sample) == param and adapt(other) == changed:
                return adapt
        except (TypeError, ValueError, AttributeError):
            continue
    raise ShapeChanged(f"cannot tell how {sample!r} became the parameter {param!r}")


def instances(learned: Learned, rows: list[Any], db: str) -> Any:
    """Model instances from the rows, as ``django.db.models.query.ModelIterable`` builds them
    (with ``SQLCompiler.results_iter``'s conversions)."""
    reader, compiler = learned.reader, learned.compiler
    converted: Any = rows
    if reader.converters:
        converted = compiler.apply_converters(rows, reader.converters)
        if reader.composite:
            converted = compiler.composite_fields_to_tuples(converted, reader.fields)
    start, end = reader.start, reader.end
    for row in converted:
        obj = reader.model.from_db(db, reader.names, row[start:end])
        for populator in reader.populators:
            populator.populate(row, obj)
        for name, position in reader.annotations.items():
            setattr(obj, name, row[position])
        yield obj


class PreparedInsert(Generic[M]):
    """``Model.objects.create`` for a row written on every request and never read back in it
    (the access log): the INSERT compiled once per connection, the values prepared the way
    ``save`` prepares them (``pre_save``, ``get_db_prep_save``). No ``RETURNING``: the instance
    keeps no primary key; no ``pre_save``/``post_save`` signals (refused for a model that has
    receivers, which would silently miss the row)."""

    def __init__(self, model: type[M], *, using: str = "default") -> None:
        self.model = model
        self.using = using
        self.local = threading.local()

    def __call__(self, **values: Any) -> None:
        connection = connections[self.using]
        sql, fields = self.learned_for(connection)
        row = self.model(**values)
        params = [f.get_db_prep_save(f.pre_save(row, True), connection) for f in fields]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)

    def learned_for(self, connection: Any) -> tuple[str, list[Any]]:
        return for_connection(self.local, connection, lambda: self.learn(connection))

    def learn(self, connection: Any) -> tuple[str, list[Any]]:
        if signals.pre_save.has_listeners(self.model) or signals.post_save.has_listeners(
            self.model
        ):
            raise ShapeChanged(f"{self.model.__name__} has save signals: use the ORM")
        fields = [f for f in self.model._meta.local_concrete_fields if not f.primary_key]
        query = InsertQuery(self.model)
        query.insert_values(fields, [self.model()])
        [(sql, _params)] = query.get_compiler(connection=connection).as_sql()
        return sql, fields


@dataclass(frozen=True, eq=False)
class Among:
    """``… IN (SELECT column FROM model WHERE condition)`` as the value of a ``Q``: Django resolves
    it into that subquery, and a ``ShapedQuery`` can see the values of ``condition`` (those of a
    queryset are out of its sight)."""

    model: type[Model]
    column: str
    condition: Q

    def queryset(self) -> QuerySet[Any, Any]:
        return self.model._default_manager.filter(self.condition).order_by().values(self.column)

    def resolve_expression(self, *args: Any, **kwargs: Any) -> Any:
        return self.queryset().query.resolve_expression(*args, **kwargs)


# Lookups whose value becomes one parameter as it is (or one per item for ``in``); a pattern
# lookup (``icontains`` …) rewrites its value, so a condition with one is not prepared.
SLOT_LOOKUPS = frozenset({"exact", "in", "gt", "gte", "lt", "lte", "range"})
REWRITING_LOOKUPS = frozenset({
    "iexact", "contains", "icontains", "startswith", "istartswith", "endswith", "iendswith",
    "regex", "iregex", "search", "date", "year", "month", "day", "week_day",
})  # fmt: skip
SLOT_TYPES = (int, str, datetime.datetime, datetime.date)
Condition = Q | None
Written = frozenset[str]
NOTHING_WRITTEN: Written = frozenset()


class Unpreparable(Exception):
    """A condition whose SQL may depend on its values beyond their kinds and numbers."""


def condition_shape(node: Condition, values: list[Any], written: Written = NOTHING_WRITTEN) -> Hashable:  # fmt: skip
    """What decides the SQL of ``node``: its tree, lookups, constants and the kinds of its
    values; the values themselves are appended to ``values`` in the order ``with_values``
    puts them back. Texts of ``written`` (``ShapedQuery``'s) are constants of the shape."""
    if node is None:
        return None
    if not isinstance(node, Q):
        raise Unpreparable(f"not a condition: {node!r}")
    children = []
    for child in node.children:
        if isinstance(child, Q):
            children.append(condition_shape(child, values, written))
        elif isinstance(child, tuple) and len(child) == 2 and isinstance(child[0], str):
            children.append((child[0], value_shape(child[0], child[1], values, written)))
        else:
            raise Unpreparable(f"not a lookup: {child!r}")
    return (node.connector, node.negated, tuple(children))


def value_shape(lookup: str, value: Any, values: list[Any], written: Written = NOTHING_WRITTEN) -> Hashable:  # fmt: skip
    if isinstance(value, Among):
        return ("among", value.model._meta.label, value.column, condition_shape(value.condition, values, written))  # fmt: skip
    last = lookup.rsplit("__", 1)[-1]
    if last in REWRITING_LOOKUPS:
        raise Unpreparable(f"{lookup} rewrites its value")
    form = written_form(value, written)
    if form is not None:
        return form
    if is_slot(value):
        values.append(value)
        return type(value).__name__
    if isinstance(value, list | tuple) and all(is_slot(item) for item in value):
        if len(set(value)) != len(value):  # ``in`` drops repeated items: fewer parameters
            raise Unpreparable(f"{lookup} has repeated items")
        values.extend(value)
        return (type(value).__name__, tuple(type(item).__name__ for item in value))
    if value is None or isinstance(value, bool | F):  # they change the SQL: part of the shape
        return ("constant", repr(value))
    raise Unpreparable(f"{lookup}={value!r}")


def is_slot(value: Any) -> bool:
    return isinstance(value, SLOT_TYPES) and not isinstance(value, bool)


def with_values(node: Condition, values: Iterator[Any], written: Written = NOTHING_WRITTEN) -> Condition:  # fmt: skip
    """``node`` with its values (in ``condition_shape``'s order) replaced by ``values``."""
    if node is None:
        return None
    children: list[Any] = []
    for child in node.children:
        if isinstance(child, Q):
            children.append(with_values(child, values, written))
        else:
            lookup, value = cast(tuple[str, Any], child)
            children.append((lookup, value_with(value, values, written)))
    return Q(*children, _connector=node.connector, _negated=node.negated)


def value_with(value: Any, values: Iterator[Any], written: Written = NOTHING_WRITTEN) -> Any:
    if isinstance(value, Among):
        return Among(value.model, value.column, cast(Q, with_values(value.condition, values, written)))  # fmt: skip
    if written_form(value, written) is not None:
        return value
    if is_slot(value):
        return next(values)
    if isinstance(value, list | tuple) and all(is_slot(item) for item in value):
        return type(value)(next(values) for _ in value)
    return value


def sentinels(values: list[Any]) -> list[Any]:
    """A distinct stand-in of the same kind for each value, unlike any constant of a query.
    Small integers first: a sentinel beyond a small-integer column's range would change the
    SQL (Django turns an out-of-range comparison into "nothing")."""
    found: list[Any] = []
    for number, value in enumerate(values):
        if isinstance(value, int):
            found.append(30_000 + number if number < 2_000 else 1_000_000_000 + number)
        elif isinstance(value, str):
            found.append(f"~{number}~sentinel")
        elif isinstance(value, datetime.datetime):
            found.append(SENTINEL_MOMENT + datetime.timedelta(seconds=number))
        else:
            found.append(SENTINEL_DAY + datetime.timedelta(days=number))
    return found


SENTINEL_MOMENT = datetime.datetime(2091, 3, 7, 1, 2, 3, tzinfo=datetime.UTC)
SENTINEL_DAY = datetime.date(2091, 3, 7)
Build = Callable[[Hashable, list[Condition]], "QuerySet[Any, Any]"]


@dataclass
class Shaped:
    """A shape's SQL with its parameters: ``slots`` says which value goes where."""

    sql: str
    params: list[Any]
    slots: list[tuple[int, int, Adapter]]  # position, index of the value, adapter
    names: list[str]
    converters: list[tuple[int, Any]]  # position, (converters, expression): no compiler kept

    def bound(self, values: list[Any]) -> list[Any]:
        params = list(self.params)
        for position, index, adapt in self.slots:
            params[position] = adapt(values[index])
        return params


class ShapedQuery:
    """A query built from conditions (``Q``) whose SQL is compiled once per connection and
    shape: the shape is the conditions' tree, lookups and constants with the kinds and numbers
    of their values (``condition_shape``), and ``extra`` (what else the builder is told: a
    sort order, a page length). A new shape is compiled twice, with stand-in values and with
    the request's own, and kept only when the stand-ins land in parameters and the request's
    values put there give exactly the parameters Django gave: otherwise the shape is run by
    Django every time. Conditions it cannot see into (a queryset as a value, a pattern lookup)
    are run by Django too.

    ``build(extra, conditions)`` must make the same SQL for the same shape (it may not look at
    the values); ``values`` returns the rows as dicts (``QuerySet.values``), ``count`` their
    number. ``plan_per_values``: PostgreSQL plans each run for its values, never a generic
    plan (``planned_for_values``); a function of ``extra`` chooses per shape. ``written``:
    texts (a model's choices) that are constants of the shape, written into the SQL
    (``common.written_sql``) so that a generic plan can use the partial indexes naming them."""

    def __init__(
        self,
        build: Build,
        *,
        using: str = "default",
        routed: type[Model] | None = None,
        size: int = 256,
        plan_per_values: bool | Callable[[Any], bool] = False,
        written: Written = NOTHING_WRITTEN,
    ) -> None:
        self.build = build
        self.using = using
        self.routed = routed
        self.size = size
        self.plan_per_values = plan_per_values
        self.written = written
        self.local = threading.local()

    def per_values(self, extra: Hashable) -> bool:
        chosen = self.plan_per_values
        return chosen(extra) if callable(chosen) else chosen

    def values(self, extra: Hashable, conditions: list[Condition]) -> list[dict[str, Any]]:
        return self.run("values", extra, conditions)

    def count(self, extra: Hashable, conditions: list[Condition]) -> int:
        [row] = self.run("count", extra, conditions)
        return int(row["count"])

    def run(self, mode: str, extra: Hashable, conditions: list[Condition]) -> list[dict[str, Any]]:
        values: list[Any] = []
        try:
            key = (mode, extra, tuple(condition_shape(c, values, self.written) for c in conditions))
        except Unpreparable:
            return self.by_django(mode, extra, conditions)
        connection = connections[read_alias(self.using, self.routed)]
        known = self.known(connection)
        if key not in known:
            shaped = self.learn(mode, extra, conditions, values, connection)
            known[key] = shaped
            while len(known) > self.size:
                known.pop(next(iter(known)))
        shaped = known[key]
        if shaped is None:
            return self.by_django(mode, extra, conditions)
        return self.fetch(shaped, shaped.bound(values), connection, self.per_values(extra))

    def known(self, connection: Any) -> dict[Hashable, Shaped | None]:
        """The shapes learned on this connection (a thread's own, one per database)."""
        return for_connection(self.local, connection, dict)

    def by_django(self, mode: str, extra: Hashable, conditions: list[Condition]) -> list[dict[str, Any]]:  # fmt: skip
        queryset = self.build(extra, conditions)
        if self.routed is None:
            queryset = queryset.using(self.using)
        with planned_for_values(connections[queryset.db], self.per_values(extra)):
            if mode == "count":
                return [{"count": queryset.count()}]
            return list(queryset)

    def learn(
        self,
        mode: str,
        extra: Hashable,
        conditions: list[Condition],
        values: list[Any],
        connection: Any,
    ) -> Shaped | None:
        stand_ins = sentinels(values)
        supply = iter(stand_ins)
        standing = [with_values(c, supply, self.written) for c in conditions]
        shaped = self.compiled(mode, extra, standing, connection)
        own = self.compiled(mode, extra, conditions, connection)
        if shaped is None or own is None or shaped.sql != own.sql:
            return None
        slots = slots_of(shaped.params, stand_ins, connection)
        if slots is None:
            return None
        shaped.slots = slots
        if shaped.bound(values) != own.params:
            return None
        return with_written(shaped, self.written) if self.written else shaped

    def compiled(
        self, mode: str, extra: Hashable, conditions: list[Condition], connection: Any
    ) -> Shaped | None:
        query = self.build(extra, conditions).query
        compiler = query.get_compiler(connection=connection)
        try:
            sql, params = compiler.as_sql()
        except (EmptyResultSet, FullResultSet):
            return None
        if mode == "count":  # Django's own SQL, counted as ``QuerySet.count`` counts a union
            counted = f"SELECT COUNT(*) FROM ({sql}) counted"  # noqa: S608
            return Shaped(counted, list(params), [], ["count"], [])
        names = (
            list(query.selected)
            if query.selected
            else [*query.extra_select, *query.values_select, *query.annotation_select]
        )
        fields = [column[0] for column in compiler.select[: compiler.col_count]]
        converters = list(compiler.get_converters(fields).items())
        return Shaped(sql, list(params), [], names, converters)

    def fetch(
        self, shaped: Shaped, params: list[Any], connection: Any, per_values: bool
    ) -> list[dict[str, Any]]:
        with connection.cursor() as cursor, planned_for_values(connection, per_values):
            cursor.execute(shaped.sql, params)
            rows: Any = cursor.fetchall()
        if shaped.converters:
            rows = converted(rows, shaped.converters, connection)
        names = shaped.names
        return [dict(zip(names, row, strict=True)) for row in rows]


def with_written(shaped: Shaped, written: Written) -> Shaped | None:
    """``shaped`` with the texts of ``written`` among its constant parameters written into its
    SQL (``common.written_sql``); its slots moved to the parameters left."""
    done = written_into(shaped.sql, shaped.params, {slot[0] for slot in shaped.slots}, written)
    if done is None:
        return None
    sql, params, moved = done
    slots = [(moved[position], index, adapt) for position, index, adapt in shaped.slots]
    return Shaped(sql, params, slots, shaped.names, shaped.converters)


def converted(rows: list[Any], converters: list[tuple[int, Any]], connection: Any) -> list[Any]:
    """``SQLCompiler.apply_converters`` without a compiler (a learned shape keeps none: they
    hold the whole query)."""
    found = []
    for row in map(list, rows):
        for position, (functions, expression) in converters:
            value = row[position]
            for convert in functions:
                value = convert(value, expression, connection)
            row[position] = value
        found.append(row)
    return found


def slots_of(
    params: list[Any], stand_ins: list[Any], connection: Any
) -> list[tuple[int, int, Adapter]] | None:
    """Where each stand-in landed among ``params`` and how it was turned into that parameter;
    None when one of them landed nowhere (a value that shapes the SQL instead)."""
    landing: dict[tuple[type, Any], tuple[int, Adapter]] = {}
    for index, stand_in in enumerate(stand_ins):
        for adapt in adapters(connection):
            try:
                landing.setdefault((type(adapt(stand_in)), adapt(stand_in)), (index, adapt))
            except (TypeError, ValueError, AttributeError):
                continue
    slots, seen = [], set()
    for position, param in enumerate(params):
        try:
            found = landing.get((type(param), param))
        except TypeError:  # an unhashable parameter (a list): a constant
            continue
        if found is not None:
            slots.append((position, found[0], found[1]))
            seen.add(found[0])
    return slots if len(seen) == len(stand_ins) else None
