"""Rows placed where ``prefetch_related`` puts them, without building a queryset per relation.

``prefetch_related`` caches, per parent and relation, a ``QuerySet`` whose result is the rows:
``parent.<accessor>.all()`` returns it. Building that ``QuerySet`` (and the ``Query`` inside)
was an eighth of a worklist request's CPU: fifty rows, three relations each, and the code then
only iterates the rows. ``HeldRows`` is what goes in the cache instead. It answers what
reading the rows asks (iterate, ``len``, truthiness, index, ``all``, ``count``, ``exists``) from
the rows, and builds the very queryset ``prefetch_related`` would have cached the first time
anything else is asked of it (``filter``, ``order_by``, ``first``…), so every other use behaves
as before.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator
from typing import Any

from django.db import models


class HeldRows:
    __slots__ = ("_queryset", "accessor", "parent", "rows")

    def __init__(self, rows: list[Any], parent: models.Model, accessor: str) -> None:
        self.rows = rows
        self.parent = parent
        self.accessor = accessor
        self._queryset: models.QuerySet[Any] | None = None

    # Once the queryset is built it answers everything: an ``update`` or ``delete`` through it
    # empties its cache, and the rows are then read again, as from a prefetched queryset.
    @property
    def answering(self) -> Any:
        return self.rows if self._queryset is None else self._queryset

    def __iter__(self) -> Iterator[Any]:
        return iter(self.answering)

    def __len__(self) -> int:
        return len(self.answering)

    def __bool__(self) -> bool:
        return bool(self.answering)

    def __getitem__(self, index: Any) -> Any:
        return self.answering[index]

    def __repr__(self) -> str:
        return f"<HeldRows {self.accessor} of {self.parent!r}: {self.rows!r}>"

    def all(self) -> HeldRows:
        return self

    def count(self) -> int:
        return len(self.rows) if self._queryset is None else self._queryset.count()

    def exists(self) -> bool:
        return bool(self.rows) if self._queryset is None else self._queryset.exists()

    def __getattr__(self, name: str) -> Any:
        # Only names the class does not answer come here: those of the queryset. Dunder names
        # and unset slots are not (copy and pickle probe them on an object not yet filled).
        if name.startswith("__") or name in HeldRows.__slots__:
            raise AttributeError(name)
        return getattr(self.queryset(), name)

    def queryset(self) -> models.QuerySet[Any]:
        """The queryset ``prefetch_related`` would cache: the manager's, its result the rows.
        The relation's filter is left for Django to apply when SQL is first asked for, as the
        manager itself defers it."""
        if self._queryset is None:
            manager = getattr(self.parent, self.accessor)
            queryset = manager._queryset_class(
                model=manager.model, using=manager._db, hints={"instance": self.parent}
            )
            queryset._deferred_filter = (False, (), manager.core_filters)
            field = manager.field
            target = getattr(self.parent, field.target_field.attname)
            queryset._known_related_objects = {field: {target: self.parent}}
            queryset._result_cache = self.rows
            queryset._prefetch_done = True
            self._queryset = queryset
        return self._queryset


@functools.cache
def cache_name(model: type[models.Model], accessor: str) -> str:
    """The key of the relation in the parent's prefetch cache (its related name)."""
    descriptor = getattr(model, accessor)
    return str(descriptor.field.remote_field.cache_name)


def rows_attach(parent: models.Model, accessor: str, rows: list[Any]) -> None:
    """Place ``rows`` where ``prefetch_related`` would: ``parent.<accessor>.all()`` gives them
    without a query (``accessor`` is a reverse foreign key)."""
    cache = parent.__dict__.setdefault("_prefetched_objects_cache", {})
    cache[cache_name(type(parent), accessor)] = HeldRows(rows, parent, accessor)


def held_of(parent: models.Model, accessor: str) -> Any:
    """What the prefetch cache holds for the relation (held rows or a prefetched queryset), or
    None: asking for it would be a query."""
    cache = parent.__dict__.get("_prefetched_objects_cache")
    return cache.get(cache_name(type(parent), accessor)) if cache else None


def related_rows(parent: models.Model, accessor: str) -> Iterable[Any]:
    """``parent.<accessor>.all()``, read straight from the prefetch cache when the rows are
    there: the related manager the descriptor builds on each access is most of the cost of
    asking for rows already in hand."""
    held = held_of(parent, accessor)
    return held if held is not None else getattr(parent, accessor).all()


def rows_held(parent: models.Model, accessor: str) -> list[Any] | None:
    """``parent.<accessor>.all()`` if it was loaded with the parent (``rows_attach``,
    ``prefetch_related``), else None: it would be a query."""
    held = held_of(parent, accessor)
    return None if held is None else list(held)
