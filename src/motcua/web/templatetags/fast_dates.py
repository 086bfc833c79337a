"""The ``date`` filter, written the same but without Django's formatter for numeric formats.

Our pages write times as "H:i d/m/Y", "d/m/Y" and the like (UX.md: dd/mm/yyyy). Django's
``date`` filter parses the format letter by letter and calls a method per letter on each use:
about 40 µs a time, seven times on a public lookup's answer (a tenth of its CPU, issue 12), fifty
times and more on a worklist page. A format made only of the numeric letters below and of
separators is turned once into a Python format string, which writes the same text in about 2 µs.
Any other format (names of days or months, escapes, the default format) and any value that is
not a date or a datetime go to Django's filter, as before.

Loaded as a template builtin after Django's (``settings.TEMPLATES``), so it replaces ``date`` in
every template; ``tests/web/test_fast_dates.py`` checks it against Django's, letter for letter.
"""

from __future__ import annotations

import datetime
import functools
from typing import Any

from django import template
from django.template import defaultfilters

register = template.Library()

# Django's meaning of each letter (django.utils.dateformat), as fields of the value.
NUMERIC = {
    "d": "{0.day:02d}", "m": "{0.month:02d}", "Y": "{0.year:04d}", "H": "{0.hour:02d}",
    "i": "{0.minute:02d}", "s": "{0.second:02d}",
}  # fmt: skip
TIME_LETTERS = frozenset("His")
SEPARATORS = frozenset(" /:.,-")


@functools.lru_cache(maxsize=64)
def compiled(fmt: str) -> tuple[str, bool] | None:
    """(Python format string, needs a time of day), or None if Django must write it."""
    parts = []
    for letter in fmt:
        if letter in NUMERIC:
            parts.append(NUMERIC[letter])
        elif letter in SEPARATORS:
            parts.append(letter)
        else:
            return None
    return "".join(parts), bool(TIME_LETTERS & set(fmt))


@register.filter(expects_localtime=True, is_safe=False)
def date(value: Any, arg: str | None = None) -> str:
    """Django's ``date`` filter; numeric formats written directly (see the module)."""
    fast = compiled(arg) if arg else None
    if fast is not None:
        pattern, needs_time = fast
        if isinstance(value, datetime.datetime) or (
            isinstance(value, datetime.date) and not needs_time
        ):
            return pattern.format(value)
    return str(defaultfilters.date(value, arg))
