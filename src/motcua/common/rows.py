"""Writing many rows at once: COPY on PostgreSQL (psycopg 3's ``cursor.copy``), ``executemany``
on SQLite; updates of many rows as one set-based statement on PostgreSQL (COPY into a temporary
table, then ``UPDATE … FROM``). Values are prepared as Django would prepare them, so a row read
back is the row the ORM would have written. Table and column names in the SQL come from the
models' metadata, quoted; values always travel as parameters or COPY data.
"""

from __future__ import annotations

import enum
import operator
from collections.abc import Callable, Sequence
from typing import Any

from django.db import connection, models
from django.db.models import signals
from django.utils import timezone

from .json_plain import json_text

Convert = Callable[[Any], Any]


# Fields whose Python value psycopg adapts as the ORM would; any other field (files, JSON…)
# is prepared by the field itself.
AS_IS = (
    models.CharField, models.TextField, models.IntegerField, models.BigIntegerField,
    models.SmallIntegerField, models.PositiveIntegerField, models.PositiveBigIntegerField,
    models.PositiveSmallIntegerField, models.BooleanField, models.DateTimeField,
    models.DateField, models.AutoField, models.BigAutoField, models.ForeignKey,
)  # fmt: skip


def plain(value: Any) -> Any:
    if isinstance(value, enum.Enum):  # TextChoices members: the database gets their value
        return value.value
    return value


def as_json(value: Any) -> Any:
    return None if value is None else json_text(value)


def converter(field: models.Field) -> Convert:
    """How a value of ``field`` goes to the database (PostgreSQL)."""
    if type(field) in AS_IS:
        return plain
    if isinstance(field, models.JSONField):
        return as_json
    return lambda value: field.get_db_prep_save(plain(value), connection)


class Table:
    """How one model's rows are written: its columns and a converter per column."""

    def __init__(self, model: type[models.Model], *, update: Sequence[str] | None = None) -> None:
        meta = model._meta
        self.model = model
        self.name = meta.db_table
        self.fields = list(meta.concrete_fields)
        self.pk = meta.pk.attname if meta.pk is not None else "id"
        wanted = set(update) if update is not None else None
        self.update_fields = [
            f
            for f in self.fields
            if not f.primary_key
            and not getattr(f, "auto_now_add", False)
            and (wanted is None or f.attname in wanted)
        ]
        self.converters = {f.attname: converter(f) for f in self.fields}
        self.makers: dict[tuple[models.Field, ...], Any] = {}
        self.inserts: dict[tuple[int, bool], str] = {}
        self.relations: list[Any] = [f for f in self.fields if f.is_relation and f.many_to_one]
        self.stamped = {f.attname for f in self.fields if getattr(f, "auto_now", False)}
        self.stamped_new = self.stamped | {
            f.attname for f in self.fields if getattr(f, "auto_now_add", False)
        }

    def quote(self, name: str) -> str:
        return connection.ops.quote_name(name)

    def rows(self, objects: Sequence[models.Model], fields: Sequence[models.Field]) -> list[list[Any]]:  # fmt: skip
        """The rows as the database gets them (the ORM's preparation on SQLite, a lighter one on
        PostgreSQL where psycopg adapts the Python values itself, str subclasses included). The
        fields' getter and conversions are found once for all the rows."""
        if connection.vendor != "postgresql":
            return [
                [field.get_db_prep_save(plain(getattr(obj, field.attname)), connection) for field in fields]
                for obj in objects
            ]  # fmt: skip
        getter, conversions = self.maker(tuple(fields))
        rows = []
        for obj in objects:
            row = list(getter(obj))
            for index, convert in conversions:
                row[index] = convert(row[index])
            rows.append(row)
        return rows

    def maker(self, fields: tuple[models.Field, ...]) -> tuple[Callable[[Any], tuple[Any, ...]], list[tuple[int, Convert]]]:  # fmt: skip
        """(values of ``fields`` as a tuple, the conversions some of them need)."""
        made = self.makers.get(fields)
        if made is None:
            names = [f.attname for f in fields]
            get = operator.attrgetter(*names)
            getter = get if len(names) > 1 else (lambda obj: (get(obj),))
            conversions = [
                (i, self.converters[name])
                for i, name in enumerate(names)
                if self.converters[name] is not plain
            ]
            made = self.makers[fields] = (getter, conversions)
        return made

    @staticmethod
    def stamped_now(objects: Sequence[models.Model], names: set[str]) -> None:
        """What the ORM's ``pre_save`` sets: ``names`` (``auto_now``, and ``auto_now_add`` on
        new rows) to the same time on every row."""
        stamp = timezone.now()
        for obj in objects:
            for name in names:
                setattr(obj, name, stamp)

    def insert(self, objects: Sequence[models.Model]) -> None:
        if not objects:
            return
        self.stamped_now(objects, self.stamped_new)
        columns = ", ".join(self.quote(f.column) for f in self.fields)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(
                    f"COPY {self.quote(self.name)} ({columns}) FROM STDIN"
                ) as copy:
                    for row in self.rows(objects, self.fields):
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(self.fields))
                cursor.executemany(
                    f"INSERT INTO {self.quote(self.name)} ({columns}) VALUES ({marks})",  # noqa: S608
                    self.rows(objects, self.fields),
                )
        for obj in objects:
            obj._state.adding = False
            obj._state.db = connection.alias

    def insert_returning(self, objects: Sequence[models.Model]) -> None:
        """``INSERT … VALUES (…), (…) RETURNING`` the keys, for the few new rows of one action
        (``save(force_insert=True)`` and ``bulk_create`` compile the statement anew on every
        call: a third of a reception's CPU in a profile, issue 12). The text is made once per
        number of rows. Rows without a key get the table's; ``RETURNING`` gives the keys in the
        rows' order, as ``bulk_create`` also relies on."""
        if not objects:
            return
        self.stamped_now(objects, self.stamped_new)
        for obj in objects:
            self.relations_settle(obj)
        keyed = getattr(objects[0], self.pk) is not None
        if any((getattr(obj, self.pk) is not None) != keyed for obj in objects):
            raise ValueError("rows with and without keys in one insert")
        fields = self.fields if keyed else [f for f in self.fields if not f.primary_key]
        sql = self.insert_sql(len(objects), keyed)
        params = [value for row in self.rows(objects, fields) for value in row]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            keys = [row[0] for row in cursor.fetchall()]
        for obj, key in zip(objects, keys, strict=True):
            setattr(obj, self.pk, key)
            obj._state.adding = False
            obj._state.db = connection.alias

    def relations_settle(self, obj: models.Model) -> None:
        """A relation given as an object that was saved after it was given gets that object's
        key now, as ``save`` and ``bulk_create`` do (``_prepare_related_fields_for_save``)."""
        for field in self.relations:
            if getattr(obj, field.attname) is None and field.is_cached(obj):
                related = field.get_cached_value(obj)
                if related is not None:
                    if related.pk is None:
                        raise ValueError(f"{field.name}: the related row is not saved yet")
                    setattr(obj, field.attname, related.pk)

    def insert_sql(self, count: int, keyed: bool) -> str:
        made = self.inserts.get((count, keyed))
        if made is None:
            fields = self.fields if keyed else [f for f in self.fields if not f.primary_key]
            columns = ", ".join(self.quote(f.column) for f in fields)
            row = "(" + ", ".join(["%s"] * len(fields)) + ")"
            made = self.inserts[(count, keyed)] = (
                f"INSERT INTO {self.quote(self.name)} ({columns}) "  # noqa: S608 (our names)
                f"VALUES {', '.join([row] * count)} RETURNING {self.quote(self.pk)}"
            )
        return made

    def update(self, objects: Sequence[models.Model], *, guard: str = "") -> int:
        """Write every updatable column of ``objects`` by primary key. ``guard``: a column that
        must still hold the value in the objects' ``_bulk_guard`` attribute (an optimistic
        version check); returns the number of rows written."""
        if not objects:
            return 0
        self.stamped_now(objects, self.stamped)
        fields = [f for f in self.fields if f.primary_key] + self.update_fields
        rows = [
            [*row, getattr(obj, "_bulk_guard", None)]
            for obj, row in zip(objects, self.rows(objects, fields), strict=True)
        ]
        if connection.vendor == "postgresql":
            return self.update_postgresql(fields, rows, guard)
        sets = ", ".join(f"{self.quote(f.column)} = %s" for f in self.update_fields)
        where = f"{self.quote(self.pk)} = %s" + (f" AND {self.quote(guard)} = %s" if guard else "")
        written = 0
        with connection.cursor() as cursor:
            for row in rows:
                key, rest, guarded = row[0], row[1:-1], row[-1]
                cursor.execute(
                    f"UPDATE {self.quote(self.name)} SET {sets} WHERE {where}",  # noqa: S608
                    [*rest, key, *([guarded] if guard else [])],
                )
                written += cursor.rowcount
        return written

    def update_postgresql(
        self, fields: list[models.Field], rows: list[list[Any]], guard: str
    ) -> int:
        temp = self.quote(f"bulk_{self.name}")
        columns = [self.quote(f.column) for f in fields]
        guard_column = self.quote("bulk_guard")
        guard_type = "bigint"
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {temp}")
            cursor.execute(
                f"CREATE TEMPORARY TABLE {temp} ON COMMIT DROP AS SELECT {', '.join(columns)}, "  # noqa: S608
                f"NULL::{guard_type} AS {guard_column} FROM {self.quote(self.name)} WITH NO DATA"
            )
            with cursor.cursor.copy(
                f"COPY {temp} ({', '.join(columns)}, {guard_column}) FROM STDIN"
            ) as copy:
                for row in rows:
                    copy.write_row(row)
            sets = ", ".join(f"{c} = t.{c}" for c in columns[1:])
            target = self.quote(self.name)
            condition = f"{target}.{columns[0]} = t.{columns[0]}"
            if guard:
                condition += f" AND {target}.{self.quote(guard)} = t.{guard_column}"
            cursor.execute(f"UPDATE {target} SET {sets} FROM {temp} t WHERE {condition}")  # noqa: S608
            written = cursor.rowcount
            cursor.execute(f"DROP TABLE {temp}")
        return int(written)


class Ids:
    """Primary keys handed out before the rows are written, so that rows can point at each other
    in memory. PostgreSQL: blocks drawn from the table's own sequence (never reused; a refused
    line leaves a gap, as a rolled-back insert does). SQLite: counted up from the highest key
    in use, inside the write transaction that holds the database's write lock."""

    BLOCK = 2000

    def __init__(self, model: type[models.Model]) -> None:
        self.table = model._meta.db_table
        self.free: list[int] = []
        self.sequence = ""
        self.after = 0
        self.postgresql = False

    def start(self) -> None:
        """Called inside the batch's transaction (SQLite) or at any time (PostgreSQL)."""
        self.postgresql = connection.vendor == "postgresql"
        if self.postgresql:
            return
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT MAX(id) FROM {connection.ops.quote_name(self.table)}")  # noqa: S608
            highest = cursor.fetchone()[0] or 0
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [self.table])
            row = cursor.fetchone()
        self.after = max(highest, row[0] if row else 0)
        self.free = []

    def next(self) -> int:
        if not self.postgresql:
            self.after += 1
            return self.after
        if not self.free:
            self.refill()
        return self.free.pop()

    def refill(self) -> None:
        with connection.cursor() as cursor:
            if not self.sequence:
                cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [self.table])
                self.sequence = cursor.fetchone()[0]
            cursor.execute(
                "SELECT nextval(%s) FROM generate_series(1, %s)", [self.sequence, self.BLOCK]
            )
            self.free = sorted((row[0] for row in cursor.fetchall()), reverse=True)


TABLES: dict[type[models.Model], Table] = {}


def table_of(model: type[models.Model], *, receivers_applied: bool = False) -> Table:
    """The model's ``Table``, made once. A model with ``pre_save``/``post_save`` receivers is
    refused (they would silently miss the rows) unless the caller applies them itself."""
    table = TABLES.get(model)
    if table is None:
        signalled = signals.pre_save.has_listeners(model) or signals.post_save.has_listeners(model)
        if signalled and not receivers_applied:
            raise TypeError(f"{model.__name__} has save signals: use the ORM")
        table = TABLES[model] = Table(model)
    return table


def rows_insert(objects: Sequence[models.Model]) -> None:
    """Insert new rows of one model, as ``bulk_create`` would, keys set on the objects (see
    ``Table.insert_returning``)."""
    if objects:
        table_of(type(objects[0])).insert_returning(objects)
