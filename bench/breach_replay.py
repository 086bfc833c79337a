"""Measure the at-risk queue's precision and recall on replayed histories (issue 17).

    .venv/bin/python bench/breach_replay.py [--dossiers 4000] [--seed 17]

Histories are generated on the working-time axis (one second = one working second): units with
their own pace (0.5–1.4 × the budgets), a four-step process (4 + 28 + 12 + 8 working hours, the
appointment at 52 hours from reception plus the citizen's supplement wait), step times drawn
around budget × pace, 15 % of dossiers with a supplement wait. At a cut-off instant every
dossier's events up to the cut-off are folded into its timeline (``supervision.timeline``), each
unit's pace is taken from the stays closed in the 90 days before (``breach.pace_of``), and every
dossier open at the cut-off that the unit holds is scored (``breach.risk_of``) as the queue
does. A dossier flagged at p ≥ 0.5 is a true positive if it then finished after its appointment.
The same is computed without the unit's pace (every unit at 1.0) for comparison.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")

from motcua.dossiers.constants import Action, Status  # noqa: E402
from motcua.supervision.breach import AT_RISK, pace_of, risk_of, stay_samples  # noqa: E402
from motcua.supervision.timeline import StepInfo, timeline_fold  # noqa: E402

HOUR = 3600
EPOCH = datetime.datetime(2026, 1, 5, tzinfo=datetime.UTC)
STEPS = {
    1: StepInfo(1, "Tiếp nhận", "reception", "receiving", 4 * HOUR),
    2: StepInfo(2, "Thẩm định", "specialist", "deciding", 28 * HOUR),
    3: StepInfo(3, "Trình duyệt", "division_head", "deciding", 12 * HOUR),
    4: StepInfo(4, "Ký", "leader", "deciding", 8 * HOUR),
}
LIMIT = sum(step.budget_seconds for step in STEPS.values())
DAY = 8 * HOUR  # a working day on the axis
PACE_WINDOW = 90 * DAY


class WorkAxis:
    """The histories are generated in working seconds already."""

    def to_axis(self, instant: datetime.datetime) -> int:
        return int((instant - EPOCH).total_seconds())


def instant(seconds: float) -> datetime.datetime:
    return EPOCH + datetime.timedelta(seconds=int(seconds))


@dataclass
class Event:
    action: str
    at: datetime.datetime
    to_status: str
    from_step: int | None
    to_step: int | None
    actor_name: str
    payload: Any


@dataclass
class History:
    unit: str
    received: int
    due: int
    finished: int
    events: list[Event]


def history(rng: random.Random, unit: str, pace: float, received: int) -> History:
    at = float(received)
    events = [Event(Action.RECEIVE, instant(at), Status.RECEIVED, None, 1, "tiepnhan", {})]
    waited = 0
    for order, step in STEPS.items():
        spent = step.budget_seconds * pace * rng.lognormvariate(0, 0.45)
        if order == 2 and rng.random() < 0.15:  # a supplement asked midway through appraisal
            at += spent / 2
            events.append(Event(Action.REQUEST_SUPPLEMENT, instant(at),
                                Status.SUPPLEMENT_REQUESTED, 2, 2, "chuyenvien", {}))  # fmt: skip
            wait = rng.uniform(2, 40) * HOUR
            at += wait
            waited += int(wait)
            events.append(Event(Action.SUBMIT_SUPPLEMENT, instant(at), Status.RECEIVED, 2, 2,
                                "congdan", {}))  # fmt: skip
            spent /= 2
        at += spent
        following = order + 1 if order + 1 in STEPS else None
        if following is None:
            events.append(Event(Action.COMPLETE, instant(at), Status.RETURNED, order, None,
                                "lanhdao", {}))  # fmt: skip
        else:
            events.append(Event(Action.FORWARD, instant(at), Status.PROCESSING, order, following,
                                "canbo", {}))  # fmt: skip
    return History(unit, received, received + LIMIT + waited, int(at), events)


def histories(rng: random.Random, dossiers: int, days: int) -> list[History]:
    units = {f"unit-{n}": rng.uniform(0.5, 1.4) for n in range(8)}
    names = list(units)
    found = []
    for _ in range(dossiers):
        unit = rng.choice(names)
        found.append(history(rng, unit, units[unit], int(rng.uniform(0, days * DAY))))
    return found


def fold(h: History, axis: WorkAxis, now: datetime.datetime) -> list[Any]:
    return timeline_fold(
        h.events, receiving=h.unit, deciding=h.unit, steps=STEPS, calendar=axis, now=now
    )


def replay(*, dossiers: int = 4000, seed: int = 17, days: int = 120, cutoff_day: int = 100,
           use_pace: bool = True) -> dict[str, Any]:  # fmt: skip
    rng = random.Random(seed)
    axis = WorkAxis()
    cutoff = cutoff_day * DAY
    now = instant(cutoff)
    folded = [
        (h, fold(h, axis, now)) for h in histories(rng, dossiers, days) if h.received <= cutoff
    ]
    samples: dict[str, list[tuple[int, int]]] = {}
    for _h, segments in folded:
        for used, budget, ended, unit in stay_samples(segments):
            if cutoff - PACE_WINDOW <= axis.to_axis(ended) <= cutoff:
                samples.setdefault(unit, []).append((used, budget))
    tp = fp = fn = tn = 0
    for h, segments in folded:
        if h.finished <= cutoff or not segments or segments[-1].citizen:
            continue  # finished already, or the citizen's wait: not in the queue
        pace, n = pace_of(samples.get(h.unit, [])) if use_pace else (1.0, 0)
        risk = risk_of(segments=segments, steps=STEPS, due=instant(h.due), now=now,
                       calendar=axis, pace=pace, samples=n)  # fmt: skip
        flagged, late = risk.probability >= AT_RISK, h.finished > h.due
        tp, fp = tp + (flagged and late), fp + (flagged and not late)
        fn, tn = fn + (not flagged and late), tn + (not flagged and not late)
    return {
        "open": tp + fp + fn + tn,
        "late": tp + fn,
        "flagged": tp + fp,
        "precision": round(tp / (tp + fp), 3) if tp + fp else None,
        "recall": round(tp / (tp + fn), 3) if tp + fn else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dossiers", type=int, default=4000)
    parser.add_argument("--seed", type=int, default=17)
    options = parser.parse_args()
    for use_pace in (True, False):
        found = replay(dossiers=options.dossiers, seed=options.seed, use_pace=use_pace)
        label = "with the unit's pace" if use_pace else "budgets only (pace 1.0)"
        print(f"{label}: {found}")


if __name__ == "__main__":
    main()
