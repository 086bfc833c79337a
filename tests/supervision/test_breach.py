"""Breach prediction: the score, its words, the queue of stored dossiers, and its precision on
replayed histories (bench/breach_replay.py, smaller)."""

from __future__ import annotations

import datetime
import importlib.util
import sys
from pathlib import Path

import pytest

from motcua.dossiers import services as s
from motcua.supervision.at_risk import at_risk_queue
from motcua.supervision.breach import Risk, pace_of, risk_of
from motcua.supervision.timeline import Segment, StepInfo
from tests.dossiers.conftest import Staff, at, received

HOUR = 3600
START = datetime.datetime(2026, 3, 2, tzinfo=datetime.UTC)
STEPS = {2: StepInfo(2, "Thẩm định", "specialist", "deciding", 16 * HOUR),
         3: StepInfo(3, "Ký", "leader", "deciding", 8 * HOUR)}  # fmt: skip


class Axis:
    def to_axis(self, instant: datetime.datetime) -> int:
        return int((instant - START).total_seconds())


def score(*, used: int, due_in: int, pace: float, samples: int = 10) -> Risk:
    now = START + datetime.timedelta(seconds=used)
    segment = Segment("u", "Thẩm định", "cv", START, None, used, 0, False, 2, 16 * HOUR, 1)
    return risk_of(segments=[segment], steps=STEPS, due=now + datetime.timedelta(seconds=due_in),
                   now=now, calendar=Axis(), pace=pace, samples=samples)  # fmt: skip


def test_a_slow_unit_makes_the_same_dossier_riskier_and_says_why() -> None:
    # 10 h used of the 16 h step: 6 + 8 = 14 h budgeted; 16 h left before the due date.
    usual = score(used=10 * HOUR, due_in=16 * HOUR, pace=1.0)
    slow = score(used=10 * HOUR, due_in=16 * HOUR, pace=1.6)
    assert usual.remaining_seconds == 14 * HOUR
    assert usual.probability < 0.5 < slow.probability
    assert "1,60 lần định mức" in slow.reasons  # the Vietnamese decimal comma
    assert "22,4 giờ" in slow.reasons
    assert "22.4 hours" in slow.reasons_en
    assert "Thẩm định" in slow.reasons


def test_past_due_is_certain_and_too_little_history_takes_the_budget() -> None:
    late = score(used=20 * HOUR, due_in=-2 * HOUR, pace=1.0)
    assert late.probability == 1.0
    assert "quá hạn 2,0 giờ" in late.reasons
    assert pace_of([(10, 5)] * 4) == (1.0, 4)
    assert pace_of([(10, 5)] * 5) == (2.0, 5)


@pytest.mark.parametrize(
    ("late", "vi", "en"),
    [
        (0, "Vừa đến hạn", "Just reached its due date"),
        (40, "Vừa quá hạn", "Just past due"),
        (150, "Đã quá hạn 2 phút làm việc", "Already 2 working minutes past due"),
        (59 * 60, "Đã quá hạn 59 phút làm việc", "Already 59 working minutes past due"),
        (HOUR + 30 * 60, "Đã quá hạn 1,5 giờ làm việc", "Already 1.5 working hours past due"),
    ],
)
def test_just_past_due_reads_in_minutes_not_zero_hours(late: int, vi: str, en: str) -> None:
    """QA: "Đã quá hạn 0,0 giờ" at 100 % risk; under an hour late says minutes, or "just"."""
    risk = score(used=20 * HOUR, due_in=-late, pace=1.0)
    assert risk.probability == 1.0
    assert vi in risk.reasons
    assert en in risk.reasons_en
    assert "0,0" not in risk.reasons
    assert "0.0" not in risk.reasons_en


def test_replayed_histories_are_flagged_better_than_chance() -> None:
    path = Path(__file__).resolve().parents[2] / "bench" / "breach_replay.py"
    spec = importlib.util.spec_from_file_location("breach_replay", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    found = module.replay(dossiers=1500, seed=5)
    base_rate = found["late"] / found["open"]
    assert found["open"] > 30
    assert found["precision"] > base_rate + 0.05
    assert found["recall"] >= 0.7
    assert module.replay(dossiers=1500, seed=5, use_pace=False)["recall"] < found["recall"]


@pytest.mark.django_db
def test_the_queue_ranks_a_late_dossier_first_and_leaves_out_the_citizens_wait(
    staff: Staff,
) -> None:
    late = received(staff, "2026-03-02 09:00")
    fresh = received(staff, "2026-03-12 09:00")
    waiting = received(staff, "2026-03-02 09:00")
    s.dossier_request_supplement(
        dossier=waiting, actor=staff.specialist, at=at("2026-03-03 09:00"), reason="Thiếu"
    )
    queue = at_risk_queue(now=at("2026-03-12 10:00"))
    assert [row.dossier.pk for row in queue] == [late.pk, fresh.pk]
    assert queue[0].risk.probability == 1.0
    assert queue[1].risk.probability < 0.5
    assert "giờ làm việc đến hạn" in queue[1].risk.reasons
