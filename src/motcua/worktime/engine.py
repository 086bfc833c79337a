"""The working calendar and deadline arithmetic, as pure functions over precomputed tables.

Working time is laid on one continuous axis of *working seconds*: working day number ``k`` (counted
from the start of the table) covers axis values ``[k*S, (k+1)*S]`` where ``S`` is the length of a
working day (8 h by default). Every instant maps to the axis; instants outside office hours map
to the boundary, so the close of one working day and the opening of the next share one value.
Adding working time is then integer addition, and elapsed working time a subtraction. Converting
an axis value back gives the *end* of the interval (``ceil``): 8 hours from 08:00 is 17:00 the same
day, not 08:00 the next.

Nothing here touches the database; :mod:`motcua.worktime.services` builds the calendar from the
holidays package, the announced facts and the admin overrides, and caches it.
"""

from __future__ import annotations

import datetime
from array import array
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

VIETNAM_OFFSET = datetime.timezone(datetime.timedelta(hours=7), "ICT")
# Vietnam has kept UTC+7 without daylight saving since 1975, so a fixed offset is exact and
# several times faster than a zoneinfo lookup in the hot path.
SECONDS_PER_DAY = 86400
# Building a timedelta costs 0.3–1 µs; the hot path adds two prebuilt ones, the whole hours and
# the seconds within the hour: 3,625 objects, where one per second of the day (86,401) was 4.4 MB
# in every process (issue 12, worker memory).
WHOLE_HOURS = tuple(datetime.timedelta(hours=h) for h in range(25))
SECONDS_OF_HOUR = tuple(datetime.timedelta(seconds=s) for s in range(3600))


def since_midnight(second: int) -> datetime.timedelta:
    """``timedelta(seconds=second)`` for a second of the day, from the prebuilt parts."""
    hours, rest = divmod(second, 3600)
    return WHOLE_HOURS[hours] + SECONDS_OF_HOUR[rest]


class CalendarRangeError(ValueError):
    """The instant lies outside the years the calendar was built for."""


class PauseKind(StrEnum):
    SUPPLEMENT = "supplement"  # waiting for the applicant to complete the dossier
    PAYMENT = "payment"  # waiting for fees or financial obligations
    OTHER = "other"


class SupplementMode(StrEnum):
    PAUSE = "pause"  # Decision 766 computation: the waiting time is subtracted
    RESTART = "restart"  # Decree 61/2018 art. 19(4): the limit restarts on the complete dossier


@dataclass(frozen=True)
class Pause:
    start: datetime.datetime
    end: datetime.datetime
    kind: PauseKind = PauseKind.SUPPLEMENT


@dataclass(frozen=True)
class CalendarSpec:
    """What decides whether a day is worked and when: the input of :class:`WorkCalendar`."""

    first_year: int
    last_year: int
    days_off: frozenset[datetime.date] = frozenset()
    extra_working_days: frozenset[datetime.date] = frozenset()
    rest_weekdays: frozenset[int] = frozenset({5, 6})  # Saturday, Sunday
    office_hours: tuple[tuple[int, int], ...] = ((8 * 3600, 12 * 3600), (13 * 3600, 17 * 3600))
    same_day_cutoff: int = 15 * 3600
    days_off_notes: dict[datetime.date, str] = field(default_factory=dict, compare=False)


def parse_clock(value: str) -> int:
    """ "08:00" -> seconds after midnight."""
    hours, minutes = value.strip().split(":")
    seconds = int(hours) * 3600 + int(minutes) * 60
    if not 0 <= seconds <= SECONDS_PER_DAY:
        raise ValueError(f"invalid time of day {value!r}")
    return seconds


def validate_office_hours(intervals: Sequence[tuple[int, int]]) -> None:
    previous_end = -1
    for start, end in intervals:
        # A working day ends before midnight: a deadline is always on the day it belongs to.
        if not 0 <= start < end < SECONDS_PER_DAY or start < previous_end:
            raise ValueError("office hours must be increasing, non-overlapping intervals of a day")
        previous_end = end
    if not intervals:
        raise ValueError("office hours must have at least one interval")


class WorkCalendar:
    """A working calendar for a range of years, precomputed for microsecond lookups.

    Immutable after construction, hence safe to share between threads.
    """

    def __init__(self, spec: CalendarSpec) -> None:
        validate_office_hours(spec.office_hours)
        self.spec = spec
        self.intervals = spec.office_hours
        self.day_length = sum(end - start for start, end in spec.office_hours)
        self.opening = spec.office_hours[0][0]
        self.closing = spec.office_hours[-1][1]
        self.first = datetime.date(spec.first_year, 1, 1)
        self.last = datetime.date(spec.last_year, 12, 31)
        self.base = self.first.toordinal()
        # worked_before[i]: working days strictly before day base+i (one extra entry at the end).
        # Machine integers: 46 years of days as Python ints and lists were a megabyte a process.
        self.worked_before = array("i")
        # workdays[k]: ordinal of the k-th working day of the table; midnights[k]: its start.
        self.workdays = array("i")
        self.midnights: list[datetime.datetime] = []
        # A day's close of business after its midnight (hours and minutes, as announced).
        self.until_close = datetime.timedelta(
            hours=self.closing // 3600, minutes=self.closing // 60 % 60
        )
        self._build()

    def _build(self) -> None:
        spec = self.spec
        count = 0
        for ordinal in range(self.base, self.last.toordinal() + 1):
            self.worked_before.append(count)
            day = datetime.date.fromordinal(ordinal)
            if self._is_working(day, spec):
                self.workdays.append(ordinal)
                self.midnights.append(
                    datetime.datetime(day.year, day.month, day.day, tzinfo=VIETNAM_OFFSET)
                )
                count += 1
        self.worked_before.append(count)

    @staticmethod
    def _is_working(day: datetime.date, spec: CalendarSpec) -> bool:
        if day in spec.extra_working_days:
            return True
        return day.weekday() not in spec.rest_weekdays and day not in spec.days_off

    # ----------------------------------------------------------------- days
    def _index(self, ordinal: int) -> int:
        index = ordinal - self.base
        if not 0 <= index < len(self.worked_before) - 1:
            raise CalendarRangeError(
                f"{datetime.date.fromordinal(ordinal)} is outside the calendar "
                f"({self.first.year}–{self.last.year})"
            )
        return index

    def is_working_day(self, day: datetime.date) -> bool:
        index = self._index(day.toordinal())
        return self.worked_before[index + 1] > self.worked_before[index]

    def working_days_between(self, first: datetime.date, last: datetime.date) -> int:
        """Working days in ``[first, last]``."""
        return (
            self.worked_before[self._index(last.toordinal()) + 1]
            - self.worked_before[self._index(first.toordinal())]
        )

    def nth_working_day_after(self, day: datetime.date, n: int) -> datetime.date:
        """The n-th working day strictly after ``day`` (n >= 1)."""
        position = self.worked_before[self._index(day.toordinal()) + 1] + n - 1
        if position >= len(self.workdays):
            raise CalendarRangeError("the result lies beyond the end of the calendar")
        return datetime.date.fromordinal(self.workdays[position])

    def close_of_nth_working_day_after(self, ordinal: int, n: int) -> datetime.datetime:
        """Close of business of the n-th working day after the day ``ordinal`` (hot path)."""
        position = self.worked_before[self._index(ordinal) + 1] + n - 1
        if position >= len(self.midnights):
            raise CalendarRangeError("the result lies beyond the end of the calendar")
        return self.midnights[position] + self.until_close

    def close_of_working_day_on_or_after(self, ordinal: int) -> datetime.datetime:
        position = self.worked_before[self._index(ordinal)]
        if position >= len(self.midnights):
            raise CalendarRangeError("the result lies beyond the end of the calendar")
        return self.midnights[position] + self.until_close

    def next_working_day_on_or_after(self, day: datetime.date) -> datetime.date:
        position = self.worked_before[self._index(day.toordinal())]
        if position >= len(self.workdays):
            raise CalendarRangeError("the result lies beyond the end of the calendar")
        return datetime.date.fromordinal(self.workdays[position])

    def days_in_year(self, year: int) -> Iterable[tuple[datetime.date, bool]]:
        day = datetime.date(year, 1, 1)
        while day.year == year:
            yield day, self.is_working_day(day)
            day += datetime.timedelta(days=1)

    # ----------------------------------------------------------------- axis
    def office_seconds(self, second_of_day: int) -> int:
        """Office time already passed at this second of a working day."""
        passed = 0
        for start, end in self.intervals:
            if second_of_day <= start:
                return passed
            if second_of_day < end:
                return passed + second_of_day - start
            passed += end - start
        return passed

    def to_axis(self, instant: datetime.datetime) -> int:
        local = instant.astimezone(VIETNAM_OFFSET)
        index = local.toordinal() - self.base
        worked_before = self.worked_before
        if not 0 <= index < len(worked_before) - 1:
            self._index(local.toordinal())  # raises the range error with its message
        before = worked_before[index]
        if worked_before[index + 1] == before:  # not a working day
            return before * self.day_length
        second = local.hour * 3600 + local.minute * 60 + local.second
        return before * self.day_length + self.office_seconds(second)

    def _clock_at(self, office_second: int, *, end: bool) -> int:
        """Second of the day reached after ``office_second`` seconds of office time."""
        for start, stop in self.intervals:
            length = stop - start
            if office_second < length or (end and office_second == length):
                return start + office_second
            office_second -= length
        return self.closing

    def from_axis(self, value: int, *, end: bool = True) -> datetime.datetime:
        """The instant at an axis value: the end of an interval (``end``) or the next opening."""
        if end:
            position, offset = divmod(value - 1, self.day_length)
            offset += 1
        else:
            position, offset = divmod(value, self.day_length)
        if not 0 <= position < len(self.workdays):
            raise CalendarRangeError("the result lies outside the calendar")
        return self.midnights[position] + since_midnight(self._clock_at(offset, end=end))

    def close_of(self, day: datetime.date) -> datetime.datetime:
        midnight = datetime.datetime(day.year, day.month, day.day, tzinfo=VIETNAM_OFFSET)
        return midnight + self.until_close

    def is_office_time(self, instant: datetime.datetime) -> bool:
        """On a working day, within (or on the boundary of) an office-hours interval."""
        local = instant.astimezone(VIETNAM_OFFSET)
        if not self.is_working_day(local.date()):
            return False
        second = local.hour * 3600 + local.minute * 60 + local.second + local.microsecond / 1e6
        return any(start <= second <= end for start, end in self.intervals)


def merged_pause_spans(
    calendar: WorkCalendar, pauses: Iterable[Pause], *, not_before: int
) -> list[tuple[int, int]]:
    """Pauses as sorted, non-overlapping axis intervals, clipped to start at ``not_before``."""
    spans = sorted(
        (max(calendar.to_axis(p.start), not_before), calendar.to_axis(p.end)) for p in pauses
    )
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if end <= start:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def shift_past_pauses(start: int, due: int, spans: Sequence[tuple[int, int]]) -> int:
    """Move an axis deadline later by every pause that began before it was reached."""
    for pause_start, pause_end in spans:
        if pause_start >= due:
            break
        due += pause_end - pause_start
    return due


def paused_within(spans: Sequence[tuple[int, int]], start: int, end: int) -> int:
    """Working seconds of the pauses that fall inside ``[start, end]``."""
    total = 0
    first = max(0, bisect_right([s for s, _ in spans], start) - 1)
    for pause_start, pause_end in spans[first:]:
        if pause_start >= end:
            break
        total += max(0, min(pause_end, end) - max(pause_start, start))
    return total
