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

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db import connections
from django.db.models import Model, QuerySet, signals
from django.db.models.query import get_related_populators  # type: ignore[attr-defined]
from django.db.models.sql import InsertQuery

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


class PreparedQuery(Generic[M]):
    """``build(**values)`` compiled once per connection; ``query(**values)`` runs it."""

    def __init__(
        self,
        build: Callable[..., QuerySet[M]],
        *,
        using: str = "default",
        **samples: tuple[Any, Any],
    ) -> None:
        self.build = build
        self.using = using
        self.samples = samples
        self.local = threading.local()

    def __call__(self, **values: Any) -> list[M]:
        connection = connections[self.using]
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
        """What was learned on this connection (a thread has its own connection object)."""
        found: Learned | None = getattr(self.local, "learned", None)
        if found is None or found.compiler.connection is not connection:
            found = self.learn(connection)
            self.local.learned = found
        return found

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
        found: tuple[Any, str, list[Any]] | None = getattr(self.local, "learned", None)
        if found is None or found[0] is not connection:
            if signals.pre_save.has_listeners(self.model) or signals.post_save.has_listeners(
                self.model
            ):
                raise ShapeChanged(f"{self.model.__name__} has save signals: use the ORM")
            fields = [f for f in self.model._meta.local_concrete_fields if not f.primary_key]
            query = InsertQuery(self.model)
            query.insert_values(fields, [self.model()])
            [(sql, _params)] = query.get_compiler(connection=connection).as_sql()
            found = self.local.learned = (connection, sql, fields)
        return found[1], found[2]
