"""Where the days off come from: the holidays package, the announced facts, admin overrides.

Precedence, lowest to highest: weekly rest days; statutory holidays and substituted days off from
the ``holidays`` package (Vietnam, lunar dates included); the "substituted from" Saturdays, which
become working days; the yearly announced lists in ``data/vn_calendar.yaml``; the overrides table.
"""

from __future__ import annotations

import datetime
import json
import os
import re
import tempfile
from dataclasses import dataclass, field, replace
from importlib import metadata
from pathlib import Path
from typing import Any

from django.conf import settings

from .engine import CalendarSpec, parse_clock

# The package names a swapped day off "Ngày nghỉ (thay cho ngày DD/MM/YYYY)": that date is worked.
SUBSTITUTED_FROM = re.compile(r"thay cho ngày (\d{2})/(\d{2})/(\d{4})")


@dataclass(frozen=True)
class DayNote:
    day: datetime.date
    working: bool
    origin: str  # statutory / substituted / announced / override
    text: str
    unverified: bool = False
    confirmed_by: tuple[str, ...] = ()

    @property
    def sources(self) -> str:
        return ", ".join((self.origin, *self.confirmed_by))


@dataclass
class CalendarFacts:
    """The announced facts of ``vn_calendar.yaml``."""

    office_hours: tuple[tuple[int, int], ...] = ((28800, 43200), (46800, 61200))
    same_day_cutoff: int = 15 * 3600
    days_off: set[datetime.date] = field(default_factory=set)
    make_up_days: set[datetime.date] = field(default_factory=set)
    unverified: set[datetime.date] = field(default_factory=set)


def read_facts(path: Path) -> CalendarFacts:
    import yaml  # the calendar's facts are read once a process: not a module every worker keeps

    document: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    facts = CalendarFacts()
    if document.get("office_hours"):
        facts.office_hours = tuple(
            (parse_clock(start), parse_clock(end)) for start, end in document["office_hours"]
        )
    if document.get("same_day_cutoff"):
        facts.same_day_cutoff = parse_clock(str(document["same_day_cutoff"]))
    for year in (document.get("years") or {}).values():
        facts.days_off.update(as_dates(year.get("days_off")))
        facts.make_up_days.update(as_dates(year.get("make_up_working_days")))
        facts.unverified.update(as_dates(year.get("unverified")))
    return facts


def as_dates(values: Any) -> list[datetime.date]:
    return [
        v if isinstance(v, datetime.date) else datetime.date.fromisoformat(str(v))
        for v in values or []
    ]


def package_days(first_year: int, last_year: int) -> list[tuple[datetime.date, str]]:
    """(day, name) of Vietnam's holidays as the ``holidays`` package computes them."""
    import holidays  # here, not at the top: most processes read the days from the file below

    calendar = holidays.country_holidays(
        "VN", years=range(first_year, last_year + 1), language="vi"
    )
    return [(day, str(name)) for day, name in sorted(calendar.items())]


def package_days_file(first_year: int, last_year: int) -> Path | None:
    """Where ``package_days`` are kept once computed: named by the package's version, so an
    upgrade computes them again. (Importing the package and its lunar tables costs each process
    about 19 MB; every web worker computes deadlines.)"""
    folder = getattr(settings, "MOTCUA_CALENDAR_CACHE_DIR", "")
    if not folder:
        return None
    try:
        version = metadata.version("holidays")
    except metadata.PackageNotFoundError:
        return None
    return Path(folder) / f"vn-holidays-{version}-{first_year}-{last_year}.json"


def holiday_days(first_year: int, last_year: int) -> list[tuple[datetime.date, str]]:
    """``package_days``, from their file when it was written before (else computed, and the
    file written for the next process; a folder that cannot be written costs only the file)."""
    path = package_days_file(first_year, last_year)
    if path is not None:
        try:
            kept = json.loads(path.read_text(encoding="utf-8"))
            return [(datetime.date.fromisoformat(day), str(name)) for day, name in kept]
        except (OSError, ValueError, TypeError):
            pass  # not written yet, or unreadable: computed again below
    days = package_days(first_year, last_year)
    if path is not None:
        days_file_write(path, days)
    return days


def days_file_write(path: Path, days: list[tuple[datetime.date, str]]) -> None:
    """Whole or not at all (renamed into place), for a process reading it meanwhile."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
    except OSError:
        return
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump([(day.isoformat(), name) for day, name in days], out, ensure_ascii=False)
        os.replace(temporary, path)
    except OSError:
        Path(temporary).unlink(missing_ok=True)


def statutory_notes(first_year: int, last_year: int) -> list[DayNote]:
    """Holidays and substitutions as the ``holidays`` package knows them."""
    notes = []
    for day, name in holiday_days(first_year, last_year):
        for text in str(name).split("; "):  # one day may carry two names
            substituted = SUBSTITUTED_FROM.search(text)
            origin = "substituted" if substituted else "statutory"
            notes.append(DayNote(day, False, origin, text))
            if substituted:
                dom, month, year = (int(g) for g in substituted.groups())
                worked = datetime.date(year, month, dom)
                notes.append(
                    DayNote(worked, True, "substituted", f"Làm bù cho ngày {day:%d/%m/%Y}")
                )
    return notes


def announced_notes(facts: CalendarFacts) -> list[DayNote]:
    notes = [DayNote(d, False, "announced", "Nghỉ theo thông báo") for d in sorted(facts.days_off)]
    notes += [
        DayNote(d, True, "announced", "Làm bù theo thông báo") for d in sorted(facts.make_up_days)
    ]
    return notes


def override_notes(overrides: list[tuple[datetime.date, bool, str]]) -> list[DayNote]:
    return [DayNote(day, working, "override", text) for day, working, text in overrides]


def resolved_notes(
    first_year: int,
    last_year: int,
    facts: CalendarFacts,
    overrides: list[tuple[datetime.date, bool, str]],
) -> dict[datetime.date, DayNote]:
    """The deciding note for each special day; later sources override earlier ones."""
    decided: dict[datetime.date, DayNote] = {}
    layers = [
        statutory_notes(first_year, last_year),
        announced_notes(facts),
        override_notes(overrides),
    ]
    for layer in layers:
        for note in layer:
            if not first_year <= note.day.year <= last_year:
                continue
            earlier = decided.get(note.day)
            if (
                earlier is not None
                and earlier.working == note.working
                and note.origin != "override"
            ):
                # Agreement: keep the more descriptive earlier text, record the confirmation.
                note = replace(earlier, confirmed_by=(*earlier.confirmed_by, note.origin))
            unverified = note.day in facts.unverified and note.origin != "override"
            decided[note.day] = replace(note, unverified=unverified)
    return decided


def calendar_spec(
    *,
    first_year: int,
    last_year: int,
    facts: CalendarFacts,
    overrides: list[tuple[datetime.date, bool, str]],
    office_hours: tuple[tuple[int, int], ...] | None = None,
    same_day_cutoff: int | None = None,
) -> CalendarSpec:
    notes = resolved_notes(first_year, last_year, facts, overrides)
    return CalendarSpec(
        first_year=first_year,
        last_year=last_year,
        days_off=frozenset(day for day, note in notes.items() if not note.working),
        extra_working_days=frozenset(day for day, note in notes.items() if note.working),
        office_hours=office_hours or facts.office_hours,
        same_day_cutoff=facts.same_day_cutoff if same_day_cutoff is None else same_day_cutoff,
    )
