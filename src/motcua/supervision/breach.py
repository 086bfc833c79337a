"""Breach prediction: open dossiers ranked by the chance of missing their due date (issue 17).

For a dossier the unit still holds (not the citizen's wait: the clock is stopped), three numbers:
*available*, the working time left until the appointment; *remaining*, what the internal process
still budgets (the rest of the current step's budget, then every later step's); and the unit's
*pace*, how its recent step stays compared with their budgets (1.3: 30 % over). The expected
need is remaining × pace; the chance of missing is a logistic curve of the margin between the
two, with a spread that grows with the need (a long road is less certain than a short one):

    p = 1 / (1 + exp((available − expected) / spread)),  spread = max(35 % of expected, 2 h)

Already past the appointment: p = 1. Each score comes with its reasons in words (vi, en).
The precision of the queue on replayed histories is measured by ``bench/breach_replay.py``
(figure in docs/performance.md).
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .timeline import Axis, Segment, StepInfo

SPREAD_SHARE = 0.35
MIN_SPREAD = 2 * 3600
MIN_SAMPLES = 5  # fewer closed stays than this: the unit's pace is taken as the budget's (1.0)
PACE_BOUNDS = (0.25, 4.0)
AT_RISK = 0.5  # the queue's threshold: more likely late than not


@dataclass(frozen=True)
class Risk:
    probability: float
    available_seconds: int
    remaining_seconds: int
    expected_seconds: int
    pace: float
    samples: int
    step: str
    reasons: str
    reasons_en: str


def pace_of(samples: Iterable[tuple[int, int]]) -> tuple[float, int]:
    """The unit's pace from closed stays (used, budget), in working seconds: their time over their
    budgets, weighted by budget; the budget's (1.0) when there are too few."""
    rows = [(used, budget) for used, budget in samples if budget > 0]
    if len(rows) < MIN_SAMPLES:
        return 1.0, len(rows)
    ratio = sum(used for used, _ in rows) / sum(budget for _, budget in rows)
    low, high = PACE_BOUNDS
    return min(high, max(low, ratio)), len(rows)


def stay_samples(segments: Sequence[Segment]) -> list[tuple[int, int, datetime.datetime, str]]:
    """Each closed stay at a budgeted step: (unit's working seconds, budget, when it ended,
    unit). The citizen's time inside a stay is not the unit's."""
    stays: dict[int, list[Segment]] = {}
    for segment in segments:
        if segment.budget_seconds is not None:
            stays.setdefault(segment.stay, []).append(segment)
    found = []
    for parts in stays.values():
        last = parts[-1]
        if last.end is None:
            continue
        used = sum(p.working_seconds for p in parts if not p.citizen)
        found.append((used, int(last.budget_seconds or 0), last.end, last.unit))
    return found


def remaining_budget(segments: Sequence[Segment], steps: dict[int, StepInfo]) -> tuple[int, str]:
    """What the process still budgets: the current step's budget less what its stay has used,
    plus every later step's budget; and the current step's name."""
    known = [s for s in segments if s.step_order is not None]
    if not known:
        return sum(step.budget_seconds for step in steps.values()), ""
    current = known[-1]
    order = current.step_order or 0
    used = sum(s.working_seconds for s in segments if s.stay == current.stay and not s.citizen)
    left = max(0, (current.budget_seconds or 0) - used)
    if segments[-1].stay != current.stay:  # a transfer waits: the step starts again over there
        left = current.budget_seconds or 0
    later = sum(step.budget_seconds for o, step in steps.items() if o > order)
    return left + later, current.step


def risk_of(
    *, segments: Sequence[Segment], steps: dict[int, StepInfo], due: datetime.datetime,
    now: datetime.datetime, calendar: Axis, pace: float, samples: int,
) -> Risk:  # fmt: skip
    available = calendar.to_axis(due) - calendar.to_axis(now)
    remaining, step = remaining_budget(segments, steps)
    expected = int(remaining * pace)
    if available <= 0:
        probability = 1.0
    else:
        spread = max(SPREAD_SHARE * expected, MIN_SPREAD)
        probability = 1 / (1 + math.exp(min(50.0, (available - expected) / spread)))
    vi, en = explain(available, remaining, expected, pace, samples, step)
    return Risk(round(probability, 3), available, remaining, expected, round(pace, 2), samples,
                step, vi, en)  # fmt: skip


def hours(seconds: int) -> str:
    return f"{seconds / 3600:.1f}"


def vi_number(text: str) -> str:
    """Vietnamese writes a decimal comma ("2,5 giờ"), as the other supervision pages show."""
    return text.replace(".", ",")


def late_words(late: int) -> tuple[str, str]:
    """How long past due, readable when it is just past (QA: "quá hạn 0,0 giờ" at 100 %): under
    a minute "just", under an hour in minutes, else in hours."""
    if late == 0:
        return (
            "Vừa đến hạn, không còn giờ làm việc nào.",
            "Just reached its due date: no working time left.",
        )
    if late < 60:
        return "Vừa quá hạn.", "Just past due."
    if late < 3600:
        minutes = late // 60
        unit_en = "minute" if minutes == 1 else "minutes"
        return (f"Đã quá hạn {minutes} phút làm việc.",
                f"Already {minutes} working {unit_en} past due.")  # fmt: skip
    return (f"Đã quá hạn {vi_number(hours(late))} giờ làm việc.",
            f"Already {hours(late)} working hours past due.")  # fmt: skip


def explain(
    available: int, remaining: int, expected: int, pace: float, samples: int, step: str
) -> tuple[str, str]:
    if available <= 0:
        return late_words(-available)
    at = f" (đang ở bước “{step}”)" if step else ""
    at_en = f" (now at “{step}”)" if step else ""
    vi = [f"Còn {vi_number(hours(available))} giờ làm việc đến hạn; các bước còn lại cần "
          f"{vi_number(hours(remaining))} giờ theo định mức{at}."]  # fmt: skip
    en = [f"{hours(available)} working hours left before the due date; the remaining steps are "
          f"budgeted {hours(remaining)} hours{at_en}."]  # fmt: skip
    if samples >= MIN_SAMPLES:
        vi.append(f"Đơn vị gần đây xử lý bằng {vi_number(f'{pace:.2f}')} lần định mức ({samples} lượt "
                  f"bước) → dự kiến cần {vi_number(hours(expected))} giờ.")  # fmt: skip
        en.append(f"The unit's recent steps took {pace:.2f}× their budget ({samples} stays) → "
                  f"about {hours(expected)} hours needed.")  # fmt: skip
    else:
        vi.append("Chưa đủ dữ liệu về nhịp xử lý của đơn vị: tính theo định mức.")
        en.append("Too little recent history of the unit: the budgets are taken as they are.")
    return " ".join(vi), " ".join(en)
