"""Related rows fetched inside their parent's query, as one JSON array per parent.

``prefetch_related`` costs one query per relation; a dossier page reads four or five relations.
An ``Inline`` adds one correlated subquery to the parent's query that aggregates the related
rows into a JSON array of arrays (``JSON_AGG``/``JSON_BUILD_ARRAY`` on PostgreSQL,
``JSON_GROUP_ARRAY``/``JSON_ARRAY`` on SQLite), and ``attach`` turns that text back into model
instances placed where ``prefetch_related`` would put them, so ``dossier.events.all()`` and
templates work unchanged. A related row of the child (e.g. a consultation's unit) can come
along with a few of its fields; its other fields are deferred, as with ``only()``.

Values travel as JSON: date-times as ISO text (naive UTC text on SQLite), booleans as 0/1 on
SQLite, decimals as JSON numbers (read back as ``Decimal``), JSON fields nested as they are.
"""

from __future__ import annotations

import datetime
import functools
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models import F, OuterRef, Subquery
from django.db.models.fields.json import JSONField

from .held_rows import rows_attach

UTC = datetime.UTC


def json_array(compiler: Any, connection: Any, expressions: list[Any]) -> tuple[str, list[Any]]:
    """``JSON_BUILD_ARRAY(…)`` (PostgreSQL) or ``JSON_ARRAY(…)`` (SQLite) of the expressions."""
    parts, params = [], []
    for expression in expressions:
        sql, values = compiler.compile(expression)
        json_column = isinstance(getattr(expression, "output_field", None), JSONField)
        if connection.vendor == "sqlite" and json_column:
            sql = f"JSON({sql})"  # nested as JSON, not as a string holding JSON
        parts.append(sql)
        params.extend(values)
    function = "JSON_BUILD_ARRAY" if connection.vendor == "postgresql" else "JSON_ARRAY"
    return f"{function}({', '.join(parts)})", params


class JSONRows(models.Aggregate):
    """One JSON array of arrays: a row per aggregated row, the expressions in order."""

    output_field = models.TextField()

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:  # type: ignore[override]
        row, params = json_array(compiler, connection, self.source_expressions)
        if connection.vendor == "postgresql":
            return f"JSON_AGG({row})::text", params
        return f"JSON_GROUP_ARRAY({row})", params


class JSONRow(models.Func):
    """One row's expressions as a JSON array."""

    output_field = models.TextField()

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:  # type: ignore[override]
        row, params = json_array(compiler, connection, self.source_expressions)
        return (f"{row}::text" if connection.vendor == "postgresql" else row), params


Decoder = Callable[[Any], Any]


def moment_of(value: str) -> datetime.datetime:
    moment = datetime.datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def day_of(value: str) -> datetime.date:
    return datetime.date.fromisoformat(value[:10])


def decimal_of(value: Any) -> Decimal:
    return Decimal(str(value))


def as_is(value: Any) -> Any:
    return value


@functools.cache
def decoder_of(model_field: models.Field[Any, Any]) -> Decoder:
    """How a field's value comes back from its JSON form, chosen once per field (a dossier
    read decodes about a hundred values)."""
    if isinstance(model_field, models.DateTimeField):
        return moment_of
    if isinstance(model_field, models.DateField):
        return day_of
    if isinstance(model_field, models.BooleanField):
        return bool
    if isinstance(model_field, models.DecimalField):
        return decimal_of
    return as_is


def decoded(model_field: models.Field[Any, Any], value: Any) -> Any:
    """A value as the model field holds it, from its JSON form."""
    return None if value is None else decoder_of(model_field)(value)


def decoded_row(
    decoders: list[tuple[str, Decoder]], row: list[Any], *, strict: bool
) -> dict[str, Any]:
    return {
        name: None if value is None else decode(value)
        for (name, decode), value in zip(decoders, row, strict=strict)
    }


def decoders_of(model: type[models.Model], names: tuple[str, ...]) -> list[tuple[str, Decoder]]:
    fields = [concrete(model, name) for name in names]
    return [(field.attname, decoder_of(field)) for field in fields]


@dataclass(frozen=True)
class Inline:
    """The rows of ``model`` whose ``parent`` foreign key points at the annotated row.

    ``accessor`` is the reverse accessor on the parent (``events``); ``fields`` the child's
    fields to fetch (the primary key and the foreign key are added); ``related`` maps a foreign
    key of the child to the fields of the row it points at (``{"unit": ("name",)}``)."""

    accessor: str
    model: type[models.Model]
    parent: str
    fields: tuple[str, ...]
    related: dict[str, tuple[str, ...]] = field(default_factory=dict)
    order: tuple[str, ...] = ("pk",)

    @property
    def annotation_name(self) -> str:
        return f"_inline_{self.accessor}"

    def columns(self) -> list[str]:
        own = ["pk", *(concrete(self.model, name).attname for name in self.fields)]
        return own + [f"{fk}__{name}" for fk, names in self.related.items() for name in names]

    def annotation(self) -> Subquery:
        return self.aggregated(self.model._default_manager.filter(**{self.parent: OuterRef("pk")}))

    def aggregated(self, rows: models.QuerySet[Any]) -> Subquery:
        """``rows`` of the child, already tied to the outer query by the caller (a relation
        that is not a plain reverse foreign key), as the annotation ``attach`` reads."""
        rows = (
            rows.order_by()
            .values(self.parent)
            .annotate(rows=JSONRows(*[F(column) for column in self.columns()]))
            .values("rows")
        )
        return Subquery(rows, output_field=models.TextField())

    @functools.cached_property
    def decoders(self) -> list[tuple[str, Decoder]]:
        """The child's own columns (primary key first): attribute names and decoders, worked
        out once (a cached property writes past the frozen dataclass's guard)."""
        return decoders_of(self.model, ("pk", *self.fields))

    @functools.cached_property
    def related_decoders(self) -> dict[str, list[tuple[str, Decoder]]]:
        return {
            fk_name: decoders_of(foreign_key(self.model, fk_name).related_model, names)  # type: ignore[arg-type]
            for fk_name, names in self.related.items()
        }

    def instances(self, parent: models.Model, text: str | None) -> list[models.Model]:
        decoders = self.decoders
        parent_field = foreign_key(self.model, self.parent)
        found = []
        for row in json.loads(text, parse_float=Decimal) if text else []:
            values = decoded_row(decoders, row, strict=False)
            values[parent_field.attname] = parent.pk
            child = from_values(self.model, parent._state.db, values)
            parent_field.set_cached_value(child, parent)
            self.attach_related(child, row[len(decoders) :])
            found.append(child)
        return sorted(found, key=lambda child: tuple(getattr(child, name) for name in self.order))

    def attach_related(self, child: models.Model, rest: list[Any]) -> None:
        for fk_name, names in self.related.items():
            fk = foreign_key(self.model, fk_name)
            own, rest = rest[: len(names)], rest[len(names) :]
            pk = getattr(child, fk.attname)
            target: type[models.Model] = fk.related_model  # type: ignore[assignment]
            if pk is None:
                continue
            values = decoded_row(self.related_decoders[fk_name], own, strict=True)
            values[concrete(target, "pk").attname] = pk
            fk.set_cached_value(child, from_values(target, child._state.db, values))

    def attach(self, parent: models.Model) -> None:
        text = parent.__dict__.pop(self.annotation_name, None)
        rows_attach(parent, self.accessor, self.instances(parent, text))


@dataclass(frozen=True)
class InlineOne:
    """The row a foreign key of ``model`` points at, with a few of its fields (the others
    deferred): a subquery by primary key, which PostgreSQL plans far faster than one more join
    (a dossier's seven joins took 20–70 ms to plan, 1 ms to run)."""

    model: type[models.Model]
    fk: str
    fields: tuple[str, ...]

    @property
    def annotation_name(self) -> str:
        return f"_inline_{self.fk}"

    def annotation(self) -> Subquery:
        fk = foreign_key(self.model, self.fk)
        target: type[models.Model] = fk.related_model  # type: ignore[assignment]
        row = JSONRow(*[F(name) for name in self.fields])
        rows = target._default_manager.filter(pk=OuterRef(fk.attname)).order_by().values(row=row)
        return Subquery(rows, output_field=models.TextField())

    def attach(self, parent: models.Model) -> None:
        fk = foreign_key(self.model, self.fk)
        text = parent.__dict__.pop(self.annotation_name, None)
        pk = getattr(parent, fk.attname)
        if text is None or pk is None:
            fk.set_cached_value(parent, None)
            return
        target: type[models.Model] = fk.related_model  # type: ignore[assignment]
        fields = [concrete(target, name) for name in self.fields]
        values = {f.attname: decoded(f, v) for f, v in zip(fields, json.loads(text), strict=True)}
        values[concrete(target, "pk").attname] = pk
        fk.set_cached_value(parent, from_values(target, parent._state.db, values))


def own_fields(model: type[models.Model], parent: str = "") -> tuple[str, ...]:
    """Every concrete field of a row but its primary key (and its ``parent``, for a child)."""
    return tuple(
        f.name for f in model._meta.concrete_fields if not f.primary_key and f.name != parent
    )


def concrete(model: type[models.Model], name: str) -> models.Field[Any, Any]:
    found = model._meta.pk if name == "pk" else model._meta.get_field(name)
    assert isinstance(found, models.Field), name
    return found


def foreign_key(model: type[models.Model], name: str) -> models.ForeignKey[Any, Any]:
    found = model._meta.get_field(name)
    assert isinstance(found, models.ForeignKey), name
    return found


def from_values(model: type[models.Model], db: str | None, values: dict[str, Any]) -> models.Model:
    """``Model.from_db`` takes the values in the order of the model's fields; the others are
    deferred."""
    names = [f.attname for f in model._meta.concrete_fields if f.attname in values]
    return model.from_db(db, names, [values[name] for name in names])


def inline_annotations(*inlines: Inline | InlineOne) -> dict[str, Subquery]:
    return {inline.annotation_name: inline.annotation() for inline in inlines}


def attach_all(parent: models.Model, *inlines: Inline | InlineOne) -> None:
    for inline in inlines:
        inline.attach(parent)
