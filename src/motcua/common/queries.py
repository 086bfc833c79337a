"""Small query helpers for hot paths."""

from __future__ import annotations

import json
from typing import Any, TypeVar

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import JSONField, Model, QuerySet

M = TypeVar("M", bound=Model)


def unique_or_none(rows: QuerySet[M]) -> M | None:
    """The one row a unique lookup finds, or None. Unlike ``first()`` it sends no ORDER BY: an
    ordered read costs Django a pass over every selected column (and the database a sort) that
    a lookup by a unique key never needs."""
    return next(iter(rows.order_by()[:1]), None)


def saved_values(instance: Model) -> dict[str, Any]:
    """The row's values as ``save_changed`` compares them (JSON as text, so that a dict changed
    in place shows as changed)."""
    values = {}
    for field in instance._meta.concrete_fields:
        if field.primary_key:
            continue
        value = getattr(instance, field.attname)
        if isinstance(field, JSONField):
            value = json.dumps(value, sort_keys=True, cls=DjangoJSONEncoder)
        values[field.attname] = value
    return values


def save_changed(instance: Model, before: dict[str, Any]) -> list[str]:
    """Save only the fields that differ from ``before`` (``saved_values`` taken when the row was
    read), and nothing when none does: a saga step that finds nothing new writes no row. The
    names of the fields saved."""
    changed = [name for name, value in saved_values(instance).items() if before.get(name) != value]
    if changed:
        instance.save(update_fields=changed)
    return changed
