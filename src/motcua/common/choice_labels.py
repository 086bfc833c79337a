"""``get_<field>_display`` of our models without translating every label of the field.

Django's own method builds ``dict(make_hashable(field.flatchoices))`` on each call, and making
a lazy label hashable translates it: showing one event's action translated the forty actions'
labels (a fifth of an officer's dossier page in a profile, issue 12). Here each field's table
(value → lazy label) is built once, and only the label shown is translated, in the language of
the request as before. Fields whose choices are a callable (read again on each use) keep
Django's method."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Any

from django.apps import apps
from django.db import models
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable


def quick_display(field: models.Field[Any, Any]) -> Callable[[models.Model], Any]:
    table: dict[Any, Any] = {}

    def display(instance: models.Model) -> Any:
        if not table:
            table.update((make_hashable(value), label) for value, label in field.flatchoices)
        value = getattr(instance, field.attname)
        return force_str(table.get(make_hashable(value), value), strings_only=True)

    display.__name__ = f"get_{field.name}_display"
    return display


def our_models() -> list[type[models.Model]]:
    return [model for model in apps.get_models() if model.__module__.startswith("motcua.")]


def install(chosen: Iterable[type[models.Model]] | None = None) -> int:
    """The display methods Django made for our models replaced; how many."""
    installed = 0
    for model in our_models() if chosen is None else chosen:
        for field in model._meta.get_fields(include_parents=False):
            if not isinstance(field, models.Field) or not field.choices:
                continue
            if not isinstance(field.choices, list | tuple):  # a callable: read on each use
                continue
            name = f"get_{field.name}_display"
            if not isinstance(model.__dict__.get(name), functools.partialmethod):
                continue  # the model's own method, or none: left as it is
            setattr(model, name, quick_display(field))
            installed += 1
    return installed
