"""Statements built by the ORM once and run many times with other values.

The grouped upserts that keep the monthly buckets and the snapshots (``buckets.py``,
``snapshots.py``) are made of about forty conditional sums: building and compiling one through
the ORM costs about 30 ms of CPU, more than running it on the few facts of a fold. A fold runs
eight of them, and more for each month start its dossiers were in flight at; every indicator
read catches the rollup up first, so that cost would sit in front of every report.

A statement is therefore built once per shape with *stand-in* values (integers no instant, id or
month comes near) and kept with the positions of its parameters that held each stand-in; later
runs put the real values in those positions. Building it checks that every stand-in reached a
parameter untouched: a value written into the text or changed by Python arithmetic on the way
would make the kept statement wrong, so that is refused at once, not run.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection

STAND_IN = -(4 * 10**18)
SPACING = 10**13  # between stand-ins: one plus or minus a little is not another
Built = tuple[str, Sequence[Any]]


@dataclass(frozen=True)
class Template:
    sql: str
    params: tuple[Any, ...]
    slots: tuple[int | None, ...]  # per parameter: the index of the value it takes, or None

    def bound(self, values: Sequence[Any]) -> list[Any]:
        return [
            param if slot is None else values[slot]
            for param, slot in zip(self.params, self.slots, strict=True)
        ]


_kept: dict[tuple[Any, ...], Template] = {}


def stand_ins(count: int) -> list[int]:
    if count * SPACING > 4 * 10**18:  # beyond that the stand-ins would leave 64-bit integers
        raise ValueError(f"too many values for one statement: {count}")
    return [STAND_IN - index * SPACING for index in range(count)]


def near_stand_ins(value: int, count: int) -> bool:
    """Whether ``value`` lies among the stand-ins (so came from one by arithmetic)."""
    return STAND_IN - count * SPACING < value < STAND_IN + SPACING


def template_made(build: Callable[[list[int]], Built], count: int) -> Template:
    """``build`` run once with ``count`` stand-ins, and where each went."""
    values = stand_ins(count)
    sql, params = build(values)
    position = {value: index for index, value in enumerate(values)}
    slots: list[int | None] = []
    for param in params:
        is_int = isinstance(param, int) and not isinstance(param, bool)
        if is_int and param in position:
            slots.append(position[param])
        elif is_int and near_stand_ins(param, count):
            raise ValueError(f"a stand-in was changed on its way into the statement: {param}")
        else:
            slots.append(None)
    if len({slot for slot in slots if slot is not None}) != count:
        raise ValueError("a stand-in was written into the statement's text, not a parameter")
    return Template(sql, tuple(params), tuple(slots))


def run(shape: tuple[Any, ...], build: Callable[[list[int]], Built], values: Sequence[Any]) -> None:
    """Run the statement of ``shape`` (built by ``build`` the first time) with ``values``."""
    key = (connection.vendor, *shape, len(values))
    template = _kept.get(key)
    if template is None:
        template = _kept[key] = template_made(build, len(values))
    with connection.cursor() as cursor:
        cursor.execute(template.sql, template.bound(values))


def padded(ids: Sequence[int]) -> list[int]:
    """``ids`` (not empty) repeated at the end up to a power of two: a statement ``IN`` a list
    is kept for about a dozen lengths, not one per batch size."""
    size = 1
    while size < len(ids):
        size *= 2
    return [*ids, *[ids[-1]] * (size - len(ids))]
