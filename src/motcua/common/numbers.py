"""Whole numbers read from request text (ids, pages, counts).

``str.isdigit()`` alone accepts "²" and other digits ``int()`` refuses, and a 20-digit id
overflows the database's integer: both became server errors. One reading for every such value.
"""

from __future__ import annotations

from typing import Any


def small_int(raw: Any, *, digits: int = 9) -> int | None:
    """The number written in at most ``digits`` ASCII digits (surrounding spaces allowed), else
    None: no sign, no "²", nothing a database integer cannot hold."""
    text = str(raw if raw is not None else "").strip()
    if text.isascii() and text.isdigit() and len(text) <= digits:
        return int(text)
    return None
