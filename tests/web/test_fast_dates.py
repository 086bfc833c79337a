"""The pages' ``date`` filter writes exactly what Django's writes (motcua.web.templatetags.fast_dates)."""

from __future__ import annotations

import datetime
import re
import zoneinfo

import pytest
from django.template import Context, Engine, Template, defaultfilters
from hypothesis import given
from hypothesis import strategies as st

from motcua.web.templatetags import fast_dates

HANOI = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
# Every format our templates use, and others made of the same letters.
NUMERIC_FORMATS = [
    "H:i d/m/Y",
    "d/m/Y",
    "d/m/Y H:i",
    "H:i",
    "H",
    "i",
    "Y-m-d",
    "d.m.Y H:i:s",
    "m/Y",
]
OTHER_FORMATS = ["l, d/m/Y", "N j, Y", r"\H H", "D", "SHORT_DATE_FORMAT", "{0} d", "e"]

moments = st.datetimes(
    min_value=datetime.datetime(1, 1, 1), max_value=datetime.datetime(9999, 12, 30),
    timezones=st.sampled_from([None, datetime.UTC, HANOI]),
)  # fmt: skip
days = st.dates()
values = st.one_of(moments, days, st.none(), st.just(""), st.text(max_size=8), st.integers())


@given(value=values, fmt=st.sampled_from(NUMERIC_FORMATS + OTHER_FORMATS + [None, ""]))
def test_the_filter_writes_what_djangos_writes(value: object, fmt: str | None) -> None:
    try:
        expected: object = defaultfilters.date(value, fmt)
    except TypeError as error:  # Django's refusal of a time of day for a date: the same
        with pytest.raises(TypeError, match=re.escape(str(error))):
            fast_dates.date(value, fmt)
        return
    assert fast_dates.date(value, fmt) == expected


@given(value=moments, fmt=st.sampled_from(NUMERIC_FORMATS))
def test_numeric_formats_never_reach_djangos_formatter(value: datetime.datetime, fmt: str) -> None:
    """The fast path is taken (it would be a silent no-op otherwise)."""
    assert fast_dates.compiled(fmt) is not None
    assert fast_dates.date(value, fmt) == defaultfilters.date(value, fmt)


@given(value=moments.filter(lambda moment: moment.tzinfo is not None and moment.year > 1))
def test_pages_show_hanoi_time_as_before(value: datetime.datetime) -> None:
    """Through the template engine: the value is turned to the current time zone first, with
    our filter as with Django's."""
    source = '{{ v|date:"H:i d/m/Y" }} {{ v|date:"d/m/Y" }} {{ v|date:"l" }}'
    ours = Template(source).render(Context({"v": value}))
    plain = Engine(builtins=[]).from_string(source).render(Context({"v": value}))
    local = value.astimezone(HANOI)
    assert ours == plain
    assert ours.startswith(f"{local:%H:%M} {local.day:02d}/{local.month:02d}/{local.year:04d}")


def test_the_pages_use_this_filter() -> None:
    """The builtin is installed after Django's, so ``date`` in any template is this one."""
    engine = Engine.get_default()
    last = next(lib for lib in reversed(engine.template_builtins) if "date" in lib.filters)
    assert last.filters["date"] is fast_dates.date
