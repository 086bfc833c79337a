from __future__ import annotations

import calendar as month_calendar
import datetime
from dataclasses import dataclass

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from motcua.common.clock import today

from .engine import WorkCalendar
from .services import FIRST_YEAR, LAST_YEAR, calendar_in_force, year_notes
from .sources import DayNote


@dataclass(frozen=True)
class DayCell:
    day: datetime.date
    working: bool
    note: DayNote | None
    is_today: bool


def month_weeks(
    calendar: WorkCalendar, year: int, month: int, notes: dict[datetime.date, DayNote]
) -> list[list[DayCell | None]]:
    weeks: list[list[DayCell | None]] = []
    current = today()
    for week in month_calendar.Calendar(firstweekday=0).monthdatescalendar(year, month):
        weeks.append(
            [
                DayCell(day, calendar.is_working_day(day), notes.get(day), day == current)
                if day.month == month
                else None
                for day in week
            ]
        )
    return weeks


def year_calendar(request: HttpRequest, year: int) -> HttpResponse:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise Http404
    calendar, _rules = calendar_in_force(on=datetime.date(year, 1, 1))
    notes = year_notes(year)
    months = [(month, month_weeks(calendar, year, month, notes)) for month in range(1, 13)]
    special = [
        note
        for day, note in sorted(notes.items())
        if note.working or day.weekday() < 5 or note.origin == "override"
    ]
    return render(
        request,
        "worktime/year.html",
        {
            "year": year,
            "months": months,
            "special": special,
            "working_days": sum(1 for _day, working in calendar.days_in_year(year) if working),
            "previous": year - 1 if year > FIRST_YEAR else None,
            "next": year + 1 if year < LAST_YEAR else None,
        },
    )


def this_year(request: HttpRequest) -> HttpResponse:
    return year_calendar(request, today().year)
