"""The calendar's tables kept small (issue 12, worker memory) give the instants the plain
arithmetic gives: a second of the day from two prebuilt parts, a day's close from its midnight."""

from __future__ import annotations

import datetime

from hypothesis import given
from hypothesis import strategies as st

from motcua.worktime.engine import (
    SECONDS_PER_DAY,
    VIETNAM_OFFSET,
    CalendarSpec,
    WorkCalendar,
    since_midnight,
)


def plain_close(calendar: WorkCalendar, day: datetime.date) -> datetime.datetime:
    """The close of business built field by field (hours and minutes of the last interval)."""
    hour, minute = calendar.closing // 3600, calendar.closing // 60 % 60
    return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=VIETNAM_OFFSET)


def test_every_second_of_the_day_is_the_plain_timedelta() -> None:
    wrong = [
        s for s in range(SECONDS_PER_DAY + 1) if since_midnight(s) != datetime.timedelta(seconds=s)
    ]
    assert wrong == []


def test_the_close_of_every_working_day_is_close_of(hanoi_calendar: WorkCalendar) -> None:
    calendar = hanoi_calendar
    for ordinal in calendar.workdays:
        day = datetime.date.fromordinal(ordinal)
        assert calendar.close_of_working_day_on_or_after(ordinal) == plain_close(calendar, day)
        assert calendar.close_of_working_day_on_or_after(ordinal).utcoffset() == datetime.timedelta(
            hours=7
        )


hours = st.integers(0, 23 * 3600 - 1)


@given(st.lists(hours, min_size=2, max_size=4, unique=True).map(sorted), st.integers(1, 30))
def test_closes_of_any_office_hours_are_close_of(bounds: list[int], days: int) -> None:
    intervals = tuple((a, b) for a, b in zip(bounds[::2], bounds[1::2], strict=False) if a < b)
    if not intervals:
        return
    calendar = WorkCalendar(CalendarSpec(2026, 2026, office_hours=intervals))
    start = datetime.date(2026, 1, 1).toordinal()
    for n in range(1, days + 1):
        close = calendar.close_of_nth_working_day_after(start, n)
        assert close == plain_close(calendar, close.date())
