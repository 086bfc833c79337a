"""The calendar agrees with the days announced for 2024–2026 (data/vn_calendar.yaml)."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
import yaml
from django.conf import settings

from motcua.worktime.engine import WorkCalendar

FACTS = yaml.safe_load(Path(settings.MOTCUA_CALENDAR_FILE).read_text(encoding="utf-8"))
YEARS = sorted(FACTS["years"])


@pytest.mark.parametrize("year", YEARS)
def test_every_announced_day_off_is_off(hanoi_calendar: WorkCalendar, year: int) -> None:
    for day in FACTS["years"][year]["days_off"]:
        assert not hanoi_calendar.is_working_day(day), day


@pytest.mark.parametrize("year", YEARS)
def test_every_make_up_saturday_is_worked(hanoi_calendar: WorkCalendar, year: int) -> None:
    for day in FACTS["years"][year]["make_up_working_days"]:
        assert day.weekday() == 5
        assert hanoi_calendar.is_working_day(day), day


@pytest.mark.parametrize("year", YEARS)
def test_working_days_are_weekdays_less_days_off_plus_make_up_days(
    hanoi_calendar: WorkCalendar, year: int
) -> None:
    weekdays = sum(1 for day, _ in hanoi_calendar.days_in_year(year) if day.weekday() < 5)
    facts = FACTS["years"][year]
    off_on_weekdays = sum(1 for day in facts["days_off"] if day.weekday() < 5)
    unverified_off = sum(
        1 for day in facts.get("unverified", []) if not hanoi_calendar.is_working_day(day)
    )
    expected = weekdays - off_on_weekdays - unverified_off + len(facts["make_up_working_days"])
    assert (
        hanoi_calendar.working_days_between(datetime.date(year, 1, 1), datetime.date(year, 12, 31))
        == expected
    )


def test_hung_kings_day_on_a_sunday_gives_the_monday_off(hanoi_calendar: WorkCalendar) -> None:
    assert datetime.date(2026, 4, 26).weekday() == 6
    assert not hanoi_calendar.is_working_day(datetime.date(2026, 4, 27))


def test_lunar_new_year_2027_comes_from_the_lunar_calendar(hanoi_calendar: WorkCalendar) -> None:
    # Not in the announced facts: the package computes Tết (6/2/2027) from the lunar calendar.
    assert not hanoi_calendar.is_working_day(datetime.date(2027, 2, 8))
    assert not hanoi_calendar.is_working_day(datetime.date(2027, 2, 9))
