"""JSON written by orjson (compiled) where it writes what ``json`` writes, else by ``json``.

orjson is several times faster than the standard library, and writes the same text for plain
JSON: text, integers, booleans, null, and lists and dicts of them. It writes floats in another
form (``1e16`` for ``1e+16``, ``null`` for NaN), and times, dates, UUIDs and enums by rules of
its own where ``json`` asks a ``default``. So each caller asks ``plain_json`` first and keeps
``json`` for anything else: the seal's bytes (``dossiers.audit.dumps_sealed``), the rows a
bulk write sends (``common.rows``), the importer's key of a line.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import orjson

# Classes plain as they are (checked by identity first: the loop runs over every value).
PLAIN = frozenset({str, int, bool, type(None)})


def plain_json(value: Any) -> bool:
    """Only text, integers, booleans, null, and lists, tuples and dicts of them."""
    if value.__class__ in PLAIN or isinstance(value, str | int):
        return True
    # Containers of exactly these classes: a subclass may change what ``json`` iterates
    # (``items``, ``__iter__``), which orjson does not call.
    if value.__class__ is dict:
        parts: Iterable[Any] = value.values()  # orjson refuses keys that are not text
    elif value.__class__ is list or value.__class__ is tuple:
        parts = value
    else:
        return False
    for part in parts:  # noqa: SIM110 (a loop: ``all`` over a generator took twice as long)
        if part.__class__ not in PLAIN and not plain_json(part):
            return False
    return True


def orjson_plain(value: Any, option: int = 0) -> bytes | None:
    """orjson's bytes of ``value`` if it is plain JSON and orjson can write it, else None (an
    integer beyond 64 bits, a lone surrogate, a key that is not text: the caller's ``json``)."""
    if not plain_json(value):
        return None
    try:
        return orjson.dumps(value, option=option)
    except orjson.JSONEncodeError:
        return None


def json_text(value: Any) -> str:
    """JSON text of ``value`` that ``json.loads`` reads back as ``json.dumps(value)`` would."""
    quick = orjson_plain(value)
    return quick.decode() if quick is not None else json.dumps(value)


def sorted_key_bytes(value: Any) -> bytes:
    """The same bytes for equal values (keys sorted): orjson's for plain JSON, else ``json``'s
    with ``str`` for what it cannot write. (Not the same bytes as each other: a key, not a form.)"""
    quick = orjson_plain(value, orjson.OPT_SORT_KEYS)
    if quick is not None:
        return b"o" + quick
    return b"j" + json.dumps(value, sort_keys=True, default=str).encode()
