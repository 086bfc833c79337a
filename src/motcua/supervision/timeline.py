"""Delay attribution: who held a dossier, when, for how long in working time (issue 17).

The timeline is folded from the dossier's events (pure: ``timeline_fold``), like the indicator
facts, so it is rebuilt from the log at will and needs no table of its own. A segment is one
stretch with the same holder: the unit, the step of the internal process, the officer, or the
citizen (waiting for a supplement or a payment: the clock is stopped and the time is the
citizen's, never the unit's). It starts at reception, the instant the legal clock starts, and
ends at the first final status (returned, stopped) or, for an open dossier, now.

Working seconds come from one working calendar per dossier (the deciding unit's, in force on
the day of reception): on one axis the segments' seconds add up exactly to the dossier's whole
working time, which a unit's own office hours on another axis would not guarantee.

Who "holds" a step: for the specialist's step the officer assigned (as the dossier page says);
for the other steps, the officer who moved the dossier on (the reception officer, the head, the
leader who signed); an open segment of such a step has no named holder yet. A dossier whose
procedure has no internal process (no steps) is held by its assignee, as a specialist's step.

Over budget: each stay at a step (entering the step, or a transfer to another unit, starts a
stay) has the budget that the procedure's internal process gives the step; the unit's working
seconds in the stay beyond it are over budget, attributed to the segment in which they fell.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from motcua.accounts.constants import OfficerRoleName as Role
from motcua.catalog.constants import StepScope
from motcua.dossiers.constants import FINAL, Action, Status

CITIZEN_STATUSES = frozenset({Status.SUPPLEMENT_REQUESTED, Status.AWAITING_PAYMENT})


class Axis(Protocol):
    """A working calendar: an instant's position on the axis of working seconds."""

    def to_axis(self, instant: datetime.datetime) -> int: ...


class EventLike(Protocol):
    action: str
    at: datetime.datetime
    to_status: str
    from_step: int | None
    to_step: int | None
    actor_name: str
    payload: Any


@dataclass(frozen=True)
class StepInfo:
    order: int
    name: str
    role: str
    scope: str
    budget_seconds: int


@dataclass
class Segment:
    unit: str
    step: str
    holder: str
    start: datetime.datetime
    end: datetime.datetime | None  # None: still open (counted up to now)
    working_seconds: int = 0
    over_budget_seconds: int = 0
    citizen: bool = False
    step_order: int | None = None
    budget_seconds: int | None = None
    stay: int = 0
    waiting: bool = False  # sent to another unit, not yet accepted (last: built by position)

    def as_json(self) -> dict[str, Any]:
        return {
            "unit": self.unit, "step": self.step, "holder": self.holder,
            "from": self.start.isoformat(), "to": self.end.isoformat() if self.end else None,
            "working_seconds": self.working_seconds,
            "over_budget_seconds": self.over_budget_seconds, "citizen": self.citizen,
        }  # fmt: skip


@dataclass
class Holding:
    """Where the dossier stands between two events."""

    deciding: str
    step: int | None = None
    pending: str | None = None
    citizen: bool = False
    assignee: str = ""
    stay: int = 0


@dataclass
class Fold:
    receiving: str
    steps: dict[int, StepInfo]
    holding: Holding
    segments: list[Segment] = field(default_factory=list)
    ended: bool = False


def initial_deciding(events: Sequence[EventLike], current: str) -> str:
    """The unit that decided the dossier at reception: the sender of its first accepted
    transfer, if any, else the one deciding it now."""
    for event in events:
        payload = event.payload if isinstance(event.payload, dict) else {}
        if event.action == Action.ACCEPT_TRANSFER and payload.get("from_unit"):
            return str(payload["from_unit"])
    return current


def timeline_fold(
    events: Iterable[EventLike], *, receiving: str, deciding: str, steps: dict[int, StepInfo],
    calendar: Axis, now: datetime.datetime,
) -> list[Segment]:  # fmt: skip
    """The dossier's segments from its events in order (seq), with working and over-budget
    seconds; events after ``now`` are not read (the timeline as it stood at ``now``)."""
    fold = Fold(receiving, steps, Holding(deciding))
    for event in events:
        if event.at > now:
            break
        if fold.ended:
            break
        event_apply(fold, event)
    seconds_fill(fold.segments, calendar, now)
    return fold.segments


def event_apply(fold: Fold, event: EventLike) -> None:
    payload = event.payload if isinstance(event.payload, dict) else {}
    if not fold.segments:
        if event.action != Action.RECEIVE:
            return  # before reception the legal clock has not started
        holding_move(fold.holding, event, payload)
        fold.segments.append(segment_open(fold, event.at))
        return
    before = segment_key(fold)
    holding_move(fold.holding, event, payload)
    if event.to_status in FINAL:
        segment_close(fold, event)
        fold.ended = True
        return
    if segment_key(fold) != before:
        segment_close(fold, event)
        fold.segments.append(segment_open(fold, event.at))


def holding_move(holding: Holding, event: EventLike, payload: dict[str, Any]) -> None:
    """What the event changes in who holds the dossier."""
    if event.to_step != holding.step and (event.to_step is not None or event.from_step is not None):
        holding.step = event.to_step  # None: the dossier has left its process (result issued)
        holding.stay += 1
    if event.action == Action.ASSIGN:
        holding.assignee = str(payload.get("assignee") or event.actor_name)
    elif event.action == Action.TRANSFER:
        holding.pending = str(payload.get("to_unit") or "") or None
    elif event.action in (Action.ACCEPT_TRANSFER, Action.RETURN_TRANSFER):
        if event.action == Action.RETURN_TRANSFER and payload.get("declined_by"):
            holding.pending = None  # declined before acceptance: back where it was
        else:
            holding.deciding = str(payload.get("to_unit") or holding.deciding)
            holding.pending, holding.assignee = None, ""
        holding.stay += 1
    holding.citizen = event.to_status in CITIZEN_STATUSES


def step_of(fold: Fold) -> StepInfo | None:
    return fold.steps.get(fold.holding.step) if fold.holding.step is not None else None


def unit_of(fold: Fold) -> str:
    if fold.holding.pending:
        return fold.holding.pending
    step = step_of(fold)
    if step is not None and step.scope == StepScope.RECEIVING:
        return fold.receiving
    return fold.holding.deciding


def assignee_holds(fold: Fold) -> bool:
    """The specialist's step is held by the officer assigned; so is a dossier without internal
    process steps (nothing else says who has it), unless it waits for another unit."""
    step = step_of(fold)
    if step is None:
        return not fold.steps and not fold.holding.pending
    return step.role == Role.SPECIALIST


def segment_key(fold: Fold) -> tuple[object, ...]:
    named = fold.holding.assignee if assignee_holds(fold) else ""
    return (unit_of(fold), fold.holding.step, fold.holding.pending, fold.holding.citizen,
            named, fold.holding.stay)  # fmt: skip


def segment_open(fold: Fold, at: datetime.datetime) -> Segment:
    step = step_of(fold)
    waiting = bool(fold.holding.pending)
    named = fold.holding.assignee if assignee_holds(fold) else ""
    return Segment(
        unit=unit_of(fold), step="" if waiting or step is None else step.name,
        holder="" if fold.holding.citizen else named,
        start=at, end=None, citizen=fold.holding.citizen, waiting=waiting,
        step_order=None if waiting or step is None else step.order,
        budget_seconds=None if waiting or step is None else step.budget_seconds,
        stay=fold.holding.stay,
    )  # fmt: skip


def segment_close(fold: Fold, event: EventLike) -> None:
    """The open segment ends at the event; an unnamed officer's step is held by whoever moved
    it on (not the citizen answering a supplement, not the system)."""
    current = fold.segments[-1]
    current.end = event.at
    officer_action = event.action not in (Action.SUBMIT_SUPPLEMENT, Action.PAY, Action.WITHDRAW)
    if not current.holder and not current.citizen and officer_action:
        current.holder = "" if event.actor_name == "system" else event.actor_name


def seconds_fill(segments: list[Segment], calendar: Axis, now: datetime.datetime) -> None:
    """Working seconds of each segment, and the part of each stay beyond its step's budget."""
    used: dict[int, int] = {}
    for segment in segments:
        end = segment.end or now
        segment.working_seconds = max(0, calendar.to_axis(end) - calendar.to_axis(segment.start))
        if segment.citizen or segment.budget_seconds is None:
            continue
        before = used.get(segment.stay, 0)
        after = before + segment.working_seconds
        used[segment.stay] = after
        budget = segment.budget_seconds
        segment.over_budget_seconds = max(0, after - budget) - max(0, before - budget)


def total_working_seconds(
    segments: Sequence[Segment], calendar: Axis, now: datetime.datetime
) -> int:
    """The dossier's whole working time from reception to its end (or now)."""
    if not segments:
        return 0
    end = segments[-1].end or now
    return max(0, calendar.to_axis(end) - calendar.to_axis(segments[0].start))


def stay_used(segments: Sequence[Segment]) -> int:
    """Working seconds the unit has spent so far in the last segment's stay (citizen time off)."""
    if not segments:
        return 0
    stay = segments[-1].stay
    return sum(s.working_seconds for s in segments if s.stay == stay and not s.citizen)
