"""Each deadline rule on real dates: Tết, the 30/4–1/5 swaps, the 2/9 swap, Hùng Kings' day."""

from __future__ import annotations

import pytest

from motcua.worktime.engine import Pause, PauseKind, SupplementMode, WorkCalendar
from motcua.worktime.rules import (
    DeadlineRules,
    Limit,
    LimitUnit,
    add_working_time,
    deadline_for,
    due_calendar_days,
    due_same_day,
    due_working_days,
    due_working_hours,
    elapsed_working_seconds,
)

from .conftest import at

RULES = DeadlineRules()


@pytest.mark.parametrize(
    ("received", "days", "due"),
    [
        ("2026-02-13 10:00", 3, "2026-02-25 17:00"),  # Tết 2026: 16–20/2 off
        ("2025-01-24 16:30", 1, "2025-02-03 17:00"),  # Tết 2025: 27–31/1 off
        ("2025-04-25 09:00", 1, "2025-04-26 17:00"),  # Saturday 26/4/2025 worked for Friday 2/5
        ("2025-04-25 09:00", 3, "2025-04-29 17:00"),
        ("2025-04-25 09:00", 4, "2025-05-05 17:00"),  # 30/4, 1/5, 2/5 off
        ("2024-04-26 09:00", 1, "2024-05-02 17:00"),  # 29/4/2024 swapped off, 30/4, 1/5
        ("2024-05-03 09:00", 1, "2024-05-04 17:00"),  # Saturday 4/5/2024 worked
        ("2026-08-21 09:00", 1, "2026-08-22 17:00"),  # Saturday 22/8/2026 worked for 31/8
        ("2026-08-28 09:00", 1, "2026-09-03 17:00"),  # 31/8–2/9 off
        ("2026-04-24 09:00", 1, "2026-04-28 17:00"),  # Hùng Kings on Sunday 26/4 → Monday 27/4 off
        ("2026-03-07 11:00", 1, "2026-03-09 17:00"),  # received on a Saturday (online)
    ],
)
def test_working_days_skip_the_reception_day_and_days_off(
    hanoi_calendar: WorkCalendar, received: str, days: int, due: str
) -> None:
    assert due_working_days(hanoi_calendar, at(received), days, RULES) == at(due)


def test_cutoff_switch_counts_a_late_reception_from_the_next_working_day(
    hanoi_calendar: WorkCalendar,
) -> None:
    late = at("2026-03-02 16:00")
    assert due_working_days(hanoi_calendar, late, 1, RULES) == at("2026-03-03 17:00")
    switched = DeadlineRules(cutoff_moves_day_limits=True)
    assert due_working_days(hanoi_calendar, late, 1, switched) == at("2026-03-04 17:00")
    assert due_working_days(hanoi_calendar, at("2026-03-02 15:00"), 1, switched) == at(
        "2026-03-03 17:00"
    )


@pytest.mark.parametrize(
    ("received", "hours", "due"),
    [
        ("2026-03-02 08:00", 8, "2026-03-02 17:00"),
        ("2026-03-02 07:00", 8, "2026-03-02 17:00"),  # before opening: starts at 08:00
        ("2026-03-02 11:00", 2, "2026-03-02 14:00"),  # lunch break not counted
        ("2026-03-02 12:30", 1, "2026-03-02 14:00"),  # received at lunch: starts at 13:00
        ("2026-03-02 09:00", 3, "2026-03-02 12:00"),  # ends at the close of the morning
        ("2026-03-05 18:00", 1, "2026-03-06 09:00"),  # after hours: next opening
        ("2026-02-13 16:00", 2, "2026-02-23 09:00"),  # across Tết
        ("2026-03-02 10:00", 0.5, "2026-03-02 10:30"),
    ],
)
def test_working_hours_count_office_time_only(
    hanoi_calendar: WorkCalendar, received: str, hours: float, due: str
) -> None:
    assert due_working_hours(hanoi_calendar, at(received), hours) == at(due)


@pytest.mark.parametrize(
    ("received", "due"),
    [
        ("2026-03-02 14:59", "2026-03-02 17:00"),
        ("2026-03-02 15:00", "2026-03-02 17:00"),  # at the cut-off: still the same day
        ("2026-03-02 15:01", "2026-03-03 17:00"),
        ("2026-03-07 09:00", "2026-03-09 17:00"),  # Saturday
        ("2026-02-13 16:00", "2026-02-23 17:00"),  # after the cut-off on the eve of Tết
        ("2026-03-02 07:30", "2026-03-02 17:00"),
    ],
)
def test_same_day_has_a_three_pm_cutoff(
    hanoi_calendar: WorkCalendar, received: str, due: str
) -> None:
    assert due_same_day(hanoi_calendar, at(received)) == at(due)


@pytest.mark.parametrize(
    ("received", "days", "due"),
    [
        ("2026-02-09 10:00", 7, "2026-02-23 17:00"),  # 16/2 is Tết: next working day
        ("2026-04-01 10:00", 3, "2026-04-06 17:00"),  # Saturday 4/4 → Monday
        ("2026-03-02 10:00", 10, "2026-03-12 17:00"),
        ("2025-04-23 10:00", 3, "2025-04-26 17:00"),  # lands on the make-up Saturday: worked
    ],
)
def test_calendar_days_move_to_the_next_working_day(
    hanoi_calendar: WorkCalendar, received: str, days: int, due: str
) -> None:
    assert due_calendar_days(hanoi_calendar, at(received), days, RULES) == at(due)


SUPPLEMENT = Pause(at("2026-03-03 09:00"), at("2026-03-04 09:00"), PauseKind.SUPPLEMENT)


def test_a_pause_moves_the_deadline_by_the_working_time_paused(
    hanoi_calendar: WorkCalendar,
) -> None:
    deadline = deadline_for(
        hanoi_calendar, at("2026-03-02 09:00"), Limit(5, LimitUnit.WORKING_DAY), pauses=[SUPPLEMENT]
    )
    assert deadline.due == deadline.due_if_paused == at("2026-03-10 17:00")


def test_restart_mode_counts_the_limit_again_from_the_complete_supplement(
    hanoi_calendar: WorkCalendar,
) -> None:
    deadline = deadline_for(
        hanoi_calendar,
        at("2026-03-02 09:00"),
        Limit(5, LimitUnit.WORKING_DAY),
        pauses=[SUPPLEMENT],
        rules=DeadlineRules(supplement_mode=SupplementMode.RESTART),
    )
    assert deadline.due == deadline.due_if_restarted == at("2026-03-11 17:00")
    assert deadline.due_if_paused == at("2026-03-10 17:00")  # both readings kept


def test_payment_pauses_shift_even_in_restart_mode(hanoi_calendar: WorkCalendar) -> None:
    payment = Pause(at("2026-03-05 09:00"), at("2026-03-05 11:00"), PauseKind.PAYMENT)
    deadline = deadline_for(
        hanoi_calendar,
        at("2026-03-02 09:00"),
        Limit(5, LimitUnit.WORKING_DAY),
        pauses=[SUPPLEMENT, payment],
        rules=DeadlineRules(supplement_mode=SupplementMode.RESTART),
    )
    assert deadline.due_if_restarted == at("2026-03-12 10:00")


def test_overlapping_pauses_count_once(hanoi_calendar: WorkCalendar) -> None:
    pauses = [
        Pause(at("2026-03-02 09:00"), at("2026-03-02 12:00")),
        Pause(at("2026-03-02 10:00"), at("2026-03-02 14:00")),
    ]
    deadline = deadline_for(
        hanoi_calendar, at("2026-03-02 08:00"), Limit(8, LimitUnit.WORKING_HOUR), pauses=pauses
    )
    assert deadline.due == at("2026-03-03 12:00")  # 8 h + 4 h paused (09:00–14:00 less lunch)


def test_a_pause_that_begins_after_the_deadline_changes_nothing(
    hanoi_calendar: WorkCalendar,
) -> None:
    late = Pause(at("2026-03-20 09:00"), at("2026-03-23 09:00"))
    deadline = deadline_for(
        hanoi_calendar, at("2026-03-02 09:00"), Limit(5, LimitUnit.WORKING_DAY), pauses=[late]
    )
    assert deadline.due == at("2026-03-09 17:00")


def test_elapsed_working_time_skips_nights_weekends_and_tet(hanoi_calendar: WorkCalendar) -> None:
    assert (
        elapsed_working_seconds(hanoi_calendar, at("2026-03-06 16:00"), at("2026-03-09 09:00"))
        == 7200
    )
    assert (
        elapsed_working_seconds(hanoi_calendar, at("2026-02-13 16:00"), at("2026-02-23 09:00"))
        == 7200
    )
    assert (
        elapsed_working_seconds(
            hanoi_calendar, at("2026-03-02 08:00"), at("2026-03-02 17:00"), [SUPPLEMENT]
        )
        == 8 * 3600
    )


def test_adding_nothing_to_an_instant_after_hours_gives_the_next_opening(
    hanoi_calendar: WorkCalendar,
) -> None:
    assert add_working_time(hanoi_calendar, at("2026-03-06 18:00"), 0) == at("2026-03-09 08:00")
    assert add_working_time(hanoi_calendar, at("2026-03-06 10:00"), 0) == at("2026-03-06 10:00")


@pytest.mark.parametrize("quantity", [0, -1])
def test_a_limit_must_be_positive(quantity: int) -> None:
    with pytest.raises(ValueError, match="positive"):
        Limit(quantity, LimitUnit.WORKING_DAY)


def test_naive_instants_are_refused(hanoi_calendar: WorkCalendar) -> None:
    import datetime

    with pytest.raises(ValueError, match="timezone-aware"):
        due_same_day(hanoi_calendar, datetime.datetime(2026, 3, 2, 9))
