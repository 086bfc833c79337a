"""The timeline fold over random histories: segments follow each other without gap or overlap,
and their working seconds add up to the dossier's whole working time."""

from __future__ import annotations

import datetime
import itertools
from dataclasses import dataclass
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from motcua.dossiers.constants import Action, Status
from motcua.supervision.timeline import StepInfo, timeline_fold, total_working_seconds

START = datetime.datetime(2026, 3, 2, 2, 0, tzinfo=datetime.UTC)
STEPS = {
    1: StepInfo(1, "Tiếp nhận", "reception", "receiving", 4 * 3600),
    2: StepInfo(2, "Thẩm định", "specialist", "deciding", 16 * 3600),
    3: StepInfo(3, "Ký", "leader", "deciding", 4 * 3600),
    4: StepInfo(4, "Trả kết quả", "reception", "receiving", 2 * 3600),
}


class OfficeAxis:
    """A stand-in working calendar: the first half of every hour is working time."""

    def to_axis(self, instant: datetime.datetime) -> int:
        seconds = int(instant.timestamp())
        return seconds // 3600 * 1800 + min(seconds % 3600, 1800)


@dataclass
class Event:
    action: str
    at: datetime.datetime
    to_status: str
    from_step: int | None
    to_step: int | None
    actor_name: str
    payload: Any


MOVES = st.sampled_from([
    (Action.ASSIGN, Status.PROCESSING, None, {"assignee": "chuyenvien"}),
    (Action.FORWARD, Status.PROCESSING, "next", {}),
    (Action.RETURN_STEP, Status.PROCESSING, "back", {}),
    (Action.REQUEST_SUPPLEMENT, Status.SUPPLEMENT_REQUESTED, None, {}),
    (Action.SUBMIT_SUPPLEMENT, Status.RECEIVED, None, {}),
    (Action.REQUEST_PAYMENT, Status.AWAITING_PAYMENT, None, {}),
    (Action.TRANSFER, Status.PROCESSING, None, {"to_unit": "b"}),
    (Action.ACCEPT_TRANSFER, Status.RECEIVED, None, {"from_unit": "a", "to_unit": "b"}),
    (Action.CONSULT, Status.PROCESSING, None, {}),
    (Action.COMPLETE, Status.PROCESSED, "leave", {}),
    (Action.RETURN_RESULT, Status.RETURNED, "leave", {}),
])  # fmt: skip


@st.composite
def histories(draw: st.DrawFn) -> list[Event]:
    at = START
    step: int | None = 2
    events = [Event(Action.RECEIVE, at, Status.RECEIVED, None, 2, "tiepnhan", {})]
    for action, status, move, payload in draw(st.lists(MOVES, max_size=25)):
        at += datetime.timedelta(seconds=draw(st.integers(0, 5 * 24 * 3600)))
        before = step
        if move == "next" and step is not None:
            step = min(step + 1, 4)
        elif move == "back" and step is not None:
            step = max(step - 1, 2)
        elif move == "leave":
            step = None
        actor = draw(st.sampled_from(["chuyenvien", "lanhdao", "system"]))
        events.append(Event(action, at, status, before, step, actor, payload))
    return events


@settings(max_examples=300, deadline=None)
@given(histories(), st.integers(0, 60 * 24 * 3600))
def test_segments_are_contiguous_and_add_up(events: list[Event], later: int) -> None:
    axis = OfficeAxis()
    now = events[-1].at + datetime.timedelta(seconds=later)
    segments = timeline_fold(
        events, receiving="a", deciding="a", steps=STEPS, calendar=axis, now=now
    )
    assert segments[0].start == START
    for earlier, following in itertools.pairwise(segments):
        assert earlier.end == following.start
    assert all(x.end is not None for x in segments[:-1])
    whole = total_working_seconds(segments, axis, now)
    assert sum(x.working_seconds for x in segments) == whole
    end = segments[-1].end or now
    assert whole == axis.to_axis(end) - axis.to_axis(START)
    for segment in segments:
        assert 0 <= segment.over_budget_seconds <= segment.working_seconds
        if segment.citizen:
            assert (segment.over_budget_seconds, segment.holder) == (0, "")


def test_without_an_internal_process_the_assignee_holds_the_dossier() -> None:
    """Most procedures have no internal process (no steps): after "Phân công" the assignee holds
    the dossier (QA, demo data), and the step is not mistaken for a transfer's wait."""
    hour = datetime.timedelta(hours=1)
    events = [
        Event(Action.RECEIVE, START, Status.RECEIVED, None, None, "tiepnhan", {}),
        Event(Action.ASSIGN, START + hour, Status.PROCESSING, None, None, "truongphong",
              {"assignee": "chuyenvien"}),
    ]  # fmt: skip
    segments = timeline_fold(
        events, receiving="a", deciding="a", steps={}, calendar=OfficeAxis(), now=START + 3 * hour
    )
    assert [(s.holder, s.end, s.waiting) for s in segments] == [
        ("truongphong", START + hour, False),  # waiting to be assigned, ended by who assigned
        ("chuyenvien", None, False),
    ]
