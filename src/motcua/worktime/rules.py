"""Deadline rules: statutory time limits turned into instants on a :class:`WorkCalendar`.

Each rule cites its source; the switches of :class:`DeadlineRules` are the configurable choices
where the law or practice differs (DOMAIN.md §4).
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from .engine import (
    VIETNAM_OFFSET,
    Pause,
    PauseKind,
    SupplementMode,
    WorkCalendar,
    merged_pause_spans,
    paused_within,
    shift_past_pauses,
)


class LimitUnit(StrEnum):
    WORKING_DAY = "working_day"
    WORKING_HOUR = "working_hour"
    CALENDAR_DAY = "calendar_day"
    SAME_DAY = "same_day"


@dataclass(frozen=True)
class Limit:
    """A statutory time limit: ``quantity`` (hours may be fractional) of ``unit``."""

    quantity: float
    unit: LimitUnit

    def __post_init__(self) -> None:
        if not math.isfinite(self.quantity):
            raise ValueError("a time limit must be a finite number")
        if self.unit != LimitUnit.SAME_DAY and not self.quantity > 0:
            raise ValueError("a time limit must be a positive quantity")
        if self.unit in (LimitUnit.WORKING_DAY, LimitUnit.CALENDAR_DAY) and (
            self.quantity != int(self.quantity)
        ):
            raise ValueError("day limits are whole numbers of days")


@dataclass(frozen=True)
class DeadlineRules:
    """The configurable switches of a rule set."""

    # Decree 61/2018 art. 19(4) restarts the limit on the complete supplement; the Decision 766
    # computation subtracts the waiting time instead. Both deadlines are always computed.
    supplement_mode: SupplementMode = SupplementMode.PAUSE
    # Decree 63/2024 art. 7(2) and some Hà Nội processes: a dossier received after the cut-off is
    # counted from the next working day. Off by default: Civil Code art. 147 already excludes the
    # reception day from a limit in days.
    cutoff_moves_day_limits: bool = False


def local(instant: datetime.datetime) -> datetime.datetime:
    if instant.tzinfo is None:
        raise ValueError("instants must be timezone-aware")
    return instant.astimezone(VIETNAM_OFFSET)


def after_cutoff(calendar: WorkCalendar, received: datetime.datetime) -> bool:
    moment = local(received)
    second = moment.hour * 3600 + moment.minute * 60 + moment.second
    return second > calendar.spec.same_day_cutoff or (
        second == calendar.spec.same_day_cutoff and moment.microsecond > 0
    )


def counting_day(
    calendar: WorkCalendar, received: datetime.datetime, rules: DeadlineRules
) -> datetime.date:
    """The day whose end starts the count (the reception day, or later after the cut-off)."""
    day = local(received).date()
    if (
        rules.cutoff_moves_day_limits
        and calendar.is_working_day(day)
        and after_cutoff(calendar, received)
    ):
        return calendar.next_working_day_on_or_after(day + datetime.timedelta(days=1))
    return day


def due_working_days(
    calendar: WorkCalendar, received: datetime.datetime, days: int, rules: DeadlineRules
) -> datetime.datetime:
    """Close of business of the n-th working day after the reception day.

    Civil Code 2015 art. 147: a period in days starts on the day after the event.
    """
    start = counting_day(calendar, received, rules)
    return calendar.close_of_nth_working_day_after(start.toordinal(), days)


def due_working_hours(
    calendar: WorkCalendar, received: datetime.datetime, hours: float
) -> datetime.datetime:
    """``hours`` of office time counted from reception (or from the next opening)."""
    return calendar.from_axis(calendar.to_axis(received) + round(hours * 3600))


def due_calendar_days(
    calendar: WorkCalendar, received: datetime.datetime, days: int, rules: DeadlineRules
) -> datetime.datetime:
    """The n-th calendar day after reception; moved to the next working day if that is a day off.

    Civil Code 2015 arts. 147-148: the period ends at the end of its last day; when the last day is
    a day off, it ends on the next working day.
    """
    last = counting_day(calendar, received, rules).toordinal() + days
    return calendar.close_of_working_day_on_or_after(last)


def due_same_day(calendar: WorkCalendar, received: datetime.datetime) -> datetime.datetime:
    """Close of the reception day if received by the cut-off (15:00), else of the next working day.

    Decree 61/2018 art. 18 and the "trong ngày" procedures (e.g. certified copies).
    """
    moment = local(received)
    ordinal = moment.toordinal()
    second = moment.hour * 3600 + moment.minute * 60 + moment.second
    cutoff = calendar.spec.same_day_cutoff
    by_cutoff = second < cutoff or (second == cutoff and moment.microsecond == 0)
    return calendar.close_of_working_day_on_or_after(ordinal if by_cutoff else ordinal + 1)


def due_without_pauses(
    calendar: WorkCalendar,
    received: datetime.datetime,
    limit: Limit,
    rules: DeadlineRules = DeadlineRules(),
) -> datetime.datetime:
    if limit.unit == LimitUnit.WORKING_DAY:
        return due_working_days(calendar, received, int(limit.quantity), rules)
    if limit.unit == LimitUnit.WORKING_HOUR:
        return due_working_hours(calendar, received, limit.quantity)
    if limit.unit == LimitUnit.CALENDAR_DAY:
        return due_calendar_days(calendar, received, int(limit.quantity), rules)
    return due_same_day(calendar, received)


def add_working_time(
    calendar: WorkCalendar, start: datetime.datetime, seconds: int
) -> datetime.datetime:
    """``start`` plus working seconds. Zero leaves an instant in office time where it is."""
    if seconds < 0:
        raise ValueError("cannot add negative working time")
    if seconds == 0:
        if calendar.is_office_time(start):
            return local(start)
        return calendar.from_axis(calendar.to_axis(start), end=False)
    return calendar.from_axis(calendar.to_axis(start) + seconds)


def shifted_by_pauses(
    calendar: WorkCalendar,
    start: datetime.datetime,
    due: datetime.datetime,
    pauses: Sequence[Pause],
) -> datetime.datetime:
    start_axis, due_axis = calendar.to_axis(start), calendar.to_axis(due)
    spans = merged_pause_spans(calendar, pauses, not_before=start_axis)
    shifted = shift_past_pauses(start_axis, due_axis, spans)
    return local(due) if shifted == due_axis else calendar.from_axis(shifted)


@dataclass(frozen=True)
class Deadline:
    """The deadline under the rule set's mode, with both readings recorded."""

    due: datetime.datetime
    due_if_paused: datetime.datetime
    due_if_restarted: datetime.datetime
    mode: SupplementMode


def deadline_for(
    calendar: WorkCalendar,
    received: datetime.datetime,
    limit: Limit,
    *,
    pauses: Sequence[Pause] = (),
    rules: DeadlineRules = DeadlineRules(),
) -> Deadline:
    """The statutory deadline of a dossier, given the intervals its clock was stopped."""
    base = due_without_pauses(calendar, received, limit, rules)
    paused = shifted_by_pauses(calendar, received, base, pauses)
    supplements = [p for p in pauses if p.kind == PauseKind.SUPPLEMENT and p.end > p.start]
    if supplements:
        restart = max(p.end for p in supplements)
        later = [p for p in pauses if p.kind != PauseKind.SUPPLEMENT and p.end > restart]
        restarted = shifted_by_pauses(
            calendar, restart, due_without_pauses(calendar, restart, limit, rules), later
        )
    else:
        restarted = paused
    due = paused if rules.supplement_mode == SupplementMode.PAUSE else restarted
    return Deadline(
        due=due, due_if_paused=paused, due_if_restarted=restarted, mode=rules.supplement_mode
    )


def elapsed_working_seconds(
    calendar: WorkCalendar,
    start: datetime.datetime,
    end: datetime.datetime,
    pauses: Sequence[Pause] = (),
) -> int:
    """Working time between two instants, less the time the clock was stopped (negative if
    ``end`` is before ``start``)."""
    start_axis, end_axis = calendar.to_axis(start), calendar.to_axis(end)
    if end_axis <= start_axis:
        return end_axis - start_axis
    spans = merged_pause_spans(calendar, pauses, not_before=start_axis)
    return end_axis - start_axis - paused_within(spans, start_axis, end_axis)
