"""Constants of the code written into a compiled statement's text instead of sent as parameters.

PostgreSQL plans a prepared statement once for any values (a *generic* plan) only as well as its
text allows: a partial index whose condition names statuses (``WHERE status IN ('received', …)``)
can serve a statement only if the statement names those statuses itself, not ``$3, $4, …``
whose values the generic plan does not know. ``ShapedQuery(written=…)`` keeps the texts of its
``written`` set (a model's choices: values of the code, never a request's own) as part of a
query's shape, and ``written_into`` writes them into the SQL as literals; every other value stays
a parameter. A text is written only if it is made of letters, digits and underscores, so that no
value can close the quotes around it, whatever the set holds.
"""

from __future__ import annotations

import re
from typing import Any

PLACEHOLDER = re.compile(r"%%|%s")
PLAIN_TEXT = re.compile(r"[A-Za-z0-9_]+")


def is_written(value: Any, written: frozenset[str]) -> bool:
    """A text of ``written`` that may be written as a literal."""
    if not isinstance(value, str):
        return False
    text = plain(value)
    return text in written and PLAIN_TEXT.fullmatch(text) is not None


def written_form(value: Any, written: frozenset[str]) -> tuple[Any, ...] | None:
    """How a value that is written (a text of ``written``, or a non-empty list or tuple of
    them) stands in a statement's shape; None for a value sent as a parameter."""
    if is_written(value, written):
        return ("written", plain(value))
    if isinstance(value, list | tuple) and value and all(is_written(v, written) for v in value):
        return ("written", type(value).__name__, tuple(plain(v) for v in value))
    return None


def plain(value: str) -> str:
    """The characters of ``value`` as a plain ``str``: what is checked is what is written (a
    subclass may format itself otherwise, an enum as its member's name)."""
    return str.__str__(value)


def written_into(
    sql: str, params: list[Any], keep: set[int], written: frozenset[str]
) -> tuple[str, list[Any], dict[int, int]] | None:
    """``sql`` with the parameters that are texts of ``written`` (and not at a position of
    ``keep``: a request's values) written as literals; the parameters left, and where each kept
    position moved. None when the text's placeholders do not match ``params``, or when it has
    quotes already: a placeholder inside a quoted text is not one (left as it is)."""
    if "'" in sql:
        return None
    pieces: list[str] = []
    left: list[Any] = []
    moved: dict[int, int] = {}
    start, position = 0, 0
    for found in PLACEHOLDER.finditer(sql):
        if found.group() == "%%":
            continue
        if position >= len(params):
            return None
        pieces.append(sql[start : found.start()])
        value = params[position]
        if position not in keep and is_written(value, written):
            pieces.append(f"'{plain(value)}'")
        else:
            moved[position] = len(left)
            left.append(value)
            pieces.append("%s")
        start, position = found.end(), position + 1
    if position != len(params):
        return None
    pieces.append(sql[start:])
    return "".join(pieces), left, moved
