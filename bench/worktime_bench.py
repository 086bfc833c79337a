"""Deadline computations per second: our engine against scalar ``numpy.busday_offset``.

    .venv/bin/python bench/worktime_bench.py [--n 200000]

Both sides get the same inputs and the same holidays, precomputed before timing (numpy through a
``busdaycalendar``). numpy cannot express make-up Saturdays, so its answers differ on those few
days; the benchmark reports how many answers agree. Results go to docs/performance.md by hand.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import random
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from motcua.worktime.engine import VIETNAM_OFFSET, WorkCalendar  # noqa: E402
from motcua.worktime.rules import (  # noqa: E402
    DeadlineRules,
    due_same_day,
    due_working_days,
    due_working_hours,
)
from motcua.worktime.sources import calendar_spec, read_facts  # noqa: E402


def build_calendar() -> WorkCalendar:
    facts = read_facts(ROOT / "data" / "vn_calendar.yaml")
    return WorkCalendar(calendar_spec(first_year=2015, last_year=2060, facts=facts, overrides=[]))


def inputs(n: int, seed: int = 2026) -> list[tuple[datetime.datetime, int]]:
    rng = random.Random(seed)
    start = datetime.datetime(2024, 1, 1, tzinfo=VIETNAM_OFFSET)
    return [
        (start + datetime.timedelta(minutes=rng.randrange(3 * 365 * 24 * 60)), rng.randint(1, 20))
        for _ in range(n)
    ]


def rate(label: str, count: int, seconds: float) -> float:
    per_second = count / seconds
    print(f"{label:48} {per_second:>12,.0f} /s   {seconds / count * 1e6:8.2f} µs each")
    return per_second


def time_ours(
    calendar: WorkCalendar, cases: list[tuple[datetime.datetime, int]]
) -> dict[str, float]:
    rules = DeadlineRules()
    results = {}
    began = time.perf_counter()
    for received, days in cases:
        due_working_days(calendar, received, days, rules)
    results["working_days"] = rate(
        "motcua due_working_days", len(cases), time.perf_counter() - began
    )
    began = time.perf_counter()
    for received, hours in cases:
        due_working_hours(calendar, received, hours)
    results["working_hours"] = rate(
        "motcua due_working_hours", len(cases), time.perf_counter() - began
    )
    began = time.perf_counter()
    for received, _ in cases:
        due_same_day(calendar, received)
    results["same_day"] = rate("motcua due_same_day", len(cases), time.perf_counter() - began)
    return results


def time_numpy(calendar: WorkCalendar, cases: list[tuple[datetime.datetime, int]]) -> float:
    holidays = sorted(d for d in calendar.spec.days_off if d.weekday() < 5)
    busdays = np.busdaycalendar(weekmask="1111100", holidays=holidays)
    dates = [np.datetime64(received.date(), "D") for received, _ in cases]
    began = time.perf_counter()
    for day, (_, days) in zip(dates, cases, strict=True):
        np.busday_offset(day, days, roll="forward", busdaycal=busdays)
    per_second = rate(
        "numpy.busday_offset (scalar, days only)", len(cases), time.perf_counter() - began
    )
    began = time.perf_counter()
    np.busday_offset(
        np.array(dates), np.array([d for _, d in cases]), roll="forward", busdaycal=busdays
    )
    rate("numpy.busday_offset (one vectorised call)", len(cases), time.perf_counter() - began)
    return per_second


def disagreements(
    calendar: WorkCalendar, cases: list[tuple[datetime.datetime, int]]
) -> tuple[int, int]:
    """(answers that differ from numpy's, of which not explained by a make-up Saturday)."""
    holidays = sorted(d for d in calendar.spec.days_off if d.weekday() < 5)
    busdays = np.busdaycalendar(weekmask="1111100", holidays=holidays)
    make_up = calendar.spec.extra_working_days
    differ = unexplained = 0
    for received, days in cases:
        ours = due_working_days(calendar, received, days, DeadlineRules()).date()
        # roll="backward" + n: counting starts after the reception day (Civil Code art. 147).
        theirs = np.busday_offset(
            np.datetime64(received.date(), "D"), days, roll="backward", busdaycal=busdays
        ).astype(datetime.date)
        if ours != theirs:
            differ += 1
            unexplained += not any(received.date() <= d <= theirs for d in make_up)
    return differ, unexplained


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=200_000)
    n = parser.parse_args().n
    print(
        f"Python {platform.python_version()}, numpy {np.__version__}, {platform.machine()}, "
        f"{os.cpu_count()} cores, n={n:,}"
    )
    began = time.perf_counter()
    calendar = build_calendar()
    print(
        f"calendar 2015–2060 built in {time.perf_counter() - began:.3f} s "
        f"({len(calendar.workdays):,} working days)"
    )
    cases = inputs(n)
    ours = time_ours(calendar, cases)
    theirs = time_numpy(calendar, cases)
    print(f"speed-up, working days vs scalar numpy: {ours['working_days'] / theirs:.1f}x")
    differ, unexplained = disagreements(calendar, cases[:20000])
    print(
        f"answers differing from numpy's: {differ} of 20,000, of which {unexplained} not "
        "explained by a make-up Saturday (numpy has no make-up working days)"
    )


if __name__ == "__main__":
    main()
