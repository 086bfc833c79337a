"""Realistic dossier histories for ``motcua demo-data``, as lines of the legacy import format.

The generator only proposes: every line goes through the importer's rules (``import-events
--fast``), which decide codes, deadlines, steps and seals. To propose lines the rules accept,
it plans times with the same working-time engine and deadlines the kernel uses.

Shares (per dossier, documented in docs/decisions/0016): online submission 60 % where the
procedure is offered online (through the national portal from 1/7/2025, the city portal
before), else at the counter (97 %) or by post; refused at reception 2 % at the counter, 6 %
online or by post; withdrawn 1.5 %; a supplement request 12 % (a tenth of them never answered,
then withdrawn); decided late 6 %, apologised before the due date and decided by the new date
3 %; rejected 7 % of decisions; every other dossier decided within its time limit and returned.
A history is cut at ``until`` (dossiers still open then stay open).
"""

from __future__ import annotations

import bisect
import datetime
import itertools
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from motcua.worktime.engine import VIETNAM_OFFSET, Pause, PauseKind, WorkCalendar
from motcua.worktime.services import calendar_in_force, deadline_compute

from ..constants import Channel
from .plan import Office, Plan, ProcedurePlan
from .texts import (
    APOLOGY_REASONS,
    FAMILY,
    GIVEN,
    MIDDLE,
    REFUSAL_REASONS,
    REJECTION_REASONS,
    SUPPLEMENT_ITEMS,
)

NATIONAL_PORTAL_FROM = datetime.datetime(2025, 7, 1, tzinfo=VIETNAM_OFFSET)
HOUR = 3600


@dataclass
class Clock:
    """Working time of the unit that handles a dossier."""

    calendar: WorkCalendar

    def axis(self, instant: datetime.datetime) -> int:
        return self.calendar.to_axis(instant)

    def at(self, value: float) -> datetime.datetime:
        return self.calendar.from_axis(int(value), end=False)

    def later(self, instant: datetime.datetime, hours: float) -> datetime.datetime:
        return self.at(self.axis(instant) + hours * HOUR)


@dataclass
class Story:
    """The lines of one dossier, built in time order."""

    ref: str
    until: datetime.datetime
    lines: list[tuple[datetime.datetime, dict[str, Any]]] = field(default_factory=list)

    def add(self, action: str, at: datetime.datetime, actor: str = "", **extra: Any) -> None:
        line = {"dossier": self.ref, "at": at.astimezone(VIETNAM_OFFSET).isoformat(),
                "action": action, "actor": actor, **extra}  # fmt: skip
        self.lines.append((at, line))

    def events(self) -> list[dict[str, Any]]:
        ordered = sorted(self.lines, key=lambda item: item[0])  # stable: same instant, same order
        return [line for at, line in ordered if at <= self.until]


class Generator:
    def __init__(self, plan: Plan, *, seed: int, until: datetime.datetime) -> None:
        self.plan, self.seed, self.until = plan, seed, until
        self.procedure_weights = list(itertools.accumulate(p.weight for p in plan.procedures))
        self.ward_weights = list(itertools.accumulate(plan.ward_weights))
        self.clocks: dict[int, Clock] = {}

    def clock(self, office: Office, day: datetime.date) -> Clock:
        clock = self.clocks.get(office.unit.pk)
        if clock is None:
            calendar, _rules = calendar_in_force(unit=office.unit, on=day)
            clock = self.clocks[office.unit.pk] = Clock(calendar)
        return clock

    def pick(self, rng: random.Random, cumulative: list[float]) -> int:
        return bisect.bisect(cumulative, rng.random() * cumulative[-1])

    def history(
        self, number: int, ref: str, day: datetime.date, share: float,
        keep: Callable[[Office], bool] = lambda office: True,
    ) -> list[dict[str, Any]] | None:  # fmt: skip
        """The lines of dossier ``number`` (None when ``keep`` leaves its office to another
        process: a dossier is the same whichever process makes it)."""
        rng = random.Random(self.seed * 1_000_003 + number)  # noqa: S311 (reproducible, no secret)
        procedure = self.plan.procedures[self.pick(rng, self.procedure_weights)]
        ward = self.plan.wards[self.pick(rng, self.ward_weights)]
        office = self.plan.police.get(ward.unit.pk, ward) if procedure.police else ward
        if not keep(office):
            return None
        clock = self.clock(office, day)
        start = clock.axis(datetime.datetime(day.year, day.month, day.day, tzinfo=VIETNAM_OFFSET))
        submitted = clock.at(start + share * 8 * HOUR)
        online = procedure.online and rng.random() < 0.6
        if online and rng.random() < 0.3:  # after office hours
            submitted = clock.calendar.close_of(day) + datetime.timedelta(hours=0.5 + 5 * share)
        channel = (
            (Channel.NATIONAL_PORTAL if submitted >= NATIONAL_PORTAL_FROM else Channel.ONLINE)
            if online
            else (Channel.COUNTER if rng.random() < 0.97 else Channel.POST)
        )
        story = Story(ref, self.until)
        Lifecycle(story, rng, clock, procedure, office, channel).run(submitted)
        return story.events()


class Lifecycle:
    """One dossier from submission to return, along the shares of the module docstring."""

    def __init__(
        self, story: Story, rng: random.Random, clock: Clock, procedure: ProcedurePlan,
        office: Office, channel: str,
    ) -> None:  # fmt: skip
        self.story, self.rng, self.clock = story, rng, clock
        self.procedure, self.office, self.channel = procedure, office, channel
        self.who = office.officers

    def run(self, submitted: datetime.datetime) -> None:
        rng, who = self.rng, self.who
        counter = self.channel == Channel.COUNTER
        self.story.add(
            "submit", submitted, who["reception"] if counter else "",
            procedure=self.procedure.procedure.code, unit=self.office.unit.code,
            channel=self.channel, applicant=applicant(rng),
        )  # fmt: skip
        received = (
            submitted + datetime.timedelta(minutes=rng.uniform(2, 15))
            if counter
            else self.clock.later(submitted, rng.uniform(0.2, 6))
        )
        if rng.random() < (0.02 if counter else 0.06):
            reason = rng.choice(REFUSAL_REASONS)
            self.story.add("refuse_reception", received, who["reception"], reason=reason)
            return
        self.story.add("receive", received, who["reception"])
        if rng.random() < 0.015:
            when = self.clock.later(received, rng.uniform(1, 16))
            self.story.add("withdraw", when, who["reception"], reason="Người nộp đề nghị rút hồ sơ")
            return
        assigned = self.clock.later(received, rng.uniform(0.2, 3))
        self.story.add("assign", assigned, who["division_head"], assignee=who["specialist"])
        last, pauses = assigned, []
        if rng.random() < 0.12:
            # within the supplement window (3 working days from reception): 14 hours at most
            asked = min(
                self.clock.later(assigned, rng.uniform(0.5, 8)), self.clock.later(received, 14)
            )
            items = rng.sample(SUPPLEMENT_ITEMS, rng.randint(1, 3))
            self.story.add("request_supplement", asked, who["specialist"], items=items)
            if rng.random() < 0.1:
                gone = asked + datetime.timedelta(days=rng.uniform(10, 30))
                self.story.add(
                    "withdraw", gone, who["reception"], reason="Người nộp không bổ sung hồ sơ"
                )
                return
            answered = self.clock.later(asked + datetime.timedelta(days=rng.uniform(1, 10)), 0.1)
            self.story.add("submit_supplement", answered, who["reception"])
            last, pauses = answered, [Pause(asked, answered, PauseKind.SUPPLEMENT)]
        self.decide(received, last, pauses)

    def due(self, received: datetime.datetime, pauses: list[Pause]) -> datetime.datetime | None:
        if self.procedure.limit is None:
            return None
        return deadline_compute(
            received=received, limit=self.procedure.limit, unit=self.office.unit, pauses=pauses
        ).due

    def decide(self, received: datetime.datetime, last: datetime.datetime, pauses: list[Pause]) -> None:  # fmt: skip
        rng, clock, who = self.rng, self.clock, self.who
        due = self.due(received, pauses)
        fate = rng.random()
        if due is None:
            decided = clock.later(last, rng.uniform(2, 40))
        else:
            start, end = clock.axis(last), clock.axis(due)
            if fate < 0.06 or end - start < HOUR:  # late
                decided = clock.later(max(last, due), rng.uniform(2, 40))
            elif fate < 0.09:  # apologised before the due date, decided by the new one
                apology = clock.at(start + rng.uniform(0.5, 0.9) * (end - start))
                day = due.astimezone(VIETNAM_OFFSET).date().toordinal()
                new_due = clock.calendar.close_of_nth_working_day_after(day, rng.randint(2, 5))
                self.story.add(
                    "apologize", apology, who["leader"], reason=rng.choice(APOLOGY_REASONS),
                    new_due=new_due.isoformat(),
                )  # fmt: skip
                decided = clock.at(end + rng.uniform(0.2, 0.9) * (clock.axis(new_due) - end))
            else:
                decided = clock.at(start + rng.uniform(0.3, 0.95) * (end - start))
        first, stop = clock.axis(last), clock.axis(decided)
        roles = self.procedure.forwards
        for index, role in enumerate(roles, start=1):
            moment = clock.at(first + index * (stop - first) / (len(roles) + 1))
            self.story.add("forward", moment, who[role])
        if rng.random() < 0.07:
            self.story.add("reject", decided, who["leader"], reason=rng.choice(REJECTION_REASONS))
        else:
            self.story.add("approve", decided, who["leader"], reason="Đồng ý")
            if self.channel == Channel.ONLINE and self.procedure.full_online:
                return  # its electronic result cannot travel in this format: left to download
        self.story.add(
            "return_result", clock.later(decided, rng.uniform(0.3, 16)), who["reception"]
        )


def applicant(rng: random.Random) -> dict[str, str]:
    woman = rng.random() < 0.52
    middle = rng.choice(MIDDLE[woman])
    year = rng.randint(1950, 2007)
    century = (0 if year < 2000 else 2) + woman
    return {
        "name": f"{rng.choice(FAMILY)} {middle} {rng.choice(GIVEN[woman])}",
        "id_number": f"001{century}{year % 100:02d}{rng.randrange(10**6):06d}",
        "kind": "person",
    }


def working_days(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    calendar = calendar_in_force(on=first)[0]
    return [
        first + datetime.timedelta(days=n)
        for n in range((last - first).days + 1)
        if calendar.is_working_day(first + datetime.timedelta(days=n))
    ]


def histories(
    plan: Plan, *, count: int, seed: int, first: datetime.date, last: datetime.date,
    until: datetime.datetime, start_number: int = 0,
    progress: Callable[[int], object] = lambda n: None,
    keep: Callable[[Office], bool] = lambda office: True,
) -> Iterator[dict[str, Any]]:  # fmt: skip
    """The lines of ``count`` dossiers submitted on working days between ``first`` and
    ``last``, in order of submission (those of the offices ``keep`` accepts)."""
    import numpy

    generator = Generator(plan, seed=seed, until=until)
    days = working_days(first, last)
    if not days or not plan.procedures or not plan.wards:
        return
    draws = numpy.random.default_rng(seed)
    keys = numpy.sort(draws.integers(0, len(days), count) + draws.random(count))
    for offset, key in enumerate(keys.tolist()):
        number = start_number + offset
        index, share = int(key), key - int(key)
        lines = generator.history(number, f"DL{seed}-{number:08d}", days[index], share, keep)
        if lines is not None:
            yield from lines
            progress(1)
