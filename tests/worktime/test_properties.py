"""Invariants of the deadline engine over generated instants, limits and pauses (hypothesis)."""

from __future__ import annotations

import datetime

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from motcua.worktime.engine import VIETNAM_OFFSET, Pause, WorkCalendar
from motcua.worktime.rules import (
    DeadlineRules,
    Limit,
    LimitUnit,
    add_working_time,
    deadline_for,
    due_without_pauses,
    elapsed_working_seconds,
)

START = datetime.datetime(2024, 1, 1, tzinfo=VIETNAM_OFFSET)
instants = st.integers(0, 3 * 365 * 24 * 60).map(lambda m: START + datetime.timedelta(minutes=m))
limits = st.one_of(
    st.integers(1, 40).map(lambda n: Limit(n, LimitUnit.WORKING_DAY)),
    st.integers(1, 60).map(lambda n: Limit(n, LimitUnit.CALENDAR_DAY)),
    st.integers(1, 400).map(lambda q: Limit(q / 4, LimitUnit.WORKING_HOUR)),
    st.just(Limit(0, LimitUnit.SAME_DAY)),
)
working_minutes = st.integers(0, 200 * 60).map(lambda m: m * 60)
rule_sets = st.builds(DeadlineRules, cutoff_moves_day_limits=st.booleans())


def pauses_after(start: datetime.datetime) -> st.SearchStrategy[list[Pause]]:
    spans = st.tuples(st.integers(0, 30 * 24 * 60), st.integers(0, 5 * 24 * 60))
    return st.lists(spans, max_size=4).map(
        lambda pairs: [
            Pause(
                start + datetime.timedelta(minutes=offset),
                start + datetime.timedelta(minutes=offset + length),
            )
            for offset, length in pairs
        ]
    )


@given(instants, limits, rule_sets)
def test_a_deadline_is_never_on_a_day_off_or_outside_office_hours(
    hanoi_calendar: WorkCalendar, received: datetime.datetime, limit: Limit, rules: DeadlineRules
) -> None:
    due = due_without_pauses(hanoi_calendar, received, limit, rules)
    assert hanoi_calendar.is_office_time(due)
    assert due > received


@given(instants, working_minutes, working_minutes)
def test_adding_a_then_b_equals_adding_a_plus_b(
    hanoi_calendar: WorkCalendar, start: datetime.datetime, a: int, b: int
) -> None:
    step = add_working_time(hanoi_calendar, start, a)
    assert add_working_time(hanoi_calendar, step, b) == add_working_time(
        hanoi_calendar, start, a + b
    )


@given(instants, st.integers(1, 400))
def test_elapsed_from_start_to_the_deadline_is_the_limit(
    hanoi_calendar: WorkCalendar, start: datetime.datetime, quarters: int
) -> None:
    due = due_without_pauses(hanoi_calendar, start, Limit(quarters / 4, LimitUnit.WORKING_HOUR))
    assert elapsed_working_seconds(hanoi_calendar, start, due) == quarters * 900


@settings(max_examples=200)
@given(st.data(), instants, limits)
def test_paused_time_is_never_counted(
    hanoi_calendar: WorkCalendar, data: st.DataObject, received: datetime.datetime, limit: Limit
) -> None:
    pauses = data.draw(pauses_after(received))
    base = due_without_pauses(hanoi_calendar, received, limit)
    paused = deadline_for(hanoi_calendar, received, limit, pauses=pauses).due_if_paused
    budget = elapsed_working_seconds(hanoi_calendar, received, base)
    assert elapsed_working_seconds(hanoi_calendar, received, paused, pauses) == budget
    assert paused >= base


@given(instants, st.integers(1, 30))
def test_working_days_match_a_day_by_day_count(
    hanoi_calendar: WorkCalendar, received: datetime.datetime, days: int
) -> None:
    due = due_without_pauses(hanoi_calendar, received, Limit(days, LimitUnit.WORKING_DAY))
    day, counted = received.astimezone(VIETNAM_OFFSET).date(), 0
    while counted < days:
        day += datetime.timedelta(days=1)
        counted += hanoi_calendar.is_working_day(day)
    assert due.date() == day
    assert (due.hour, due.minute) == (17, 0)


@given(instants, instants, limits)
def test_a_later_reception_never_gets_an_earlier_deadline(
    hanoi_calendar: WorkCalendar, first: datetime.datetime, second: datetime.datetime, limit: Limit
) -> None:
    assume(first <= second)
    assert due_without_pauses(hanoi_calendar, first, limit) <= due_without_pauses(
        hanoi_calendar, second, limit
    )


def test_one_calendar_shared_by_threads_gives_the_same_answers(
    hanoi_calendar: WorkCalendar,
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    cases = [(START + datetime.timedelta(hours=7 * i), 1 + i % 15) for i in range(2000)]

    def compute(_: int) -> list[datetime.datetime]:
        return [
            due_without_pauses(hanoi_calendar, received, Limit(days, LimitUnit.WORKING_DAY))
            for received, days in cases
        ]

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(compute, range(8)))
    assert all(result == results[0] for result in results)
