"""Random dossier histories, replayed through the kernel: the rollup, kept up to date piece by
piece as the events come, gives the same counts as a naive recomputation over the raw events,
for any period, unit and channel; and rebuilding it from the events gives the same rows."""

from __future__ import annotations

import contextlib
import datetime
from typing import Any

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from motcua.common.errors import DomainError
from motcua.dossiers.replay import LineError, Replayer
from motcua.organizations.models import Unit
from motcua.supervision.buckets import buckets_rebuild
from motcua.supervision.compute import Period, Scope, counts
from motcua.supervision.models import DossierFact, IndicatorBucket
from motcua.supervision.rollup import catch_up, rebuild
from tests.dossiers.conftest import POLICE

from .helpers import PROCEDURE, hanoi, summed_rows
from .naive import naive_counts

pytestmark = pytest.mark.django_db

START = hanoi("2026-03-02 08:00")
ACTIONS = [
    "receive", "receive", "refuse_reception", "request_supplement", "submit_supplement",
    "complete", "complete", "reject", "return_result", "withdraw",
]  # fmt: skip
CHANNELS = ["counter", "online", "national_portal"]

minutes = st.integers(min_value=1, max_value=60 * 24 * 9)
short = st.integers(min_value=1, max_value=60 * 24 * 2)
maybe = st.one_of(st.none(), st.integers(min_value=1, max_value=60 * 24 * 12))


@st.composite
def steps(draw: st.DrawFn) -> list[tuple[str, int]]:
    """A plausible life (reception, perhaps a supplement, perhaps an end and a return) with a
    few random actions mixed in, most of which the kernel will refuse."""
    life: list[tuple[str, int]] = []
    life.append((draw(st.sampled_from(["receive"] * 5 + ["refuse_reception"])), draw(short)))
    if draw(st.booleans()):
        life.append(("request_supplement", draw(short)))
        answered = draw(maybe)
        if answered:
            life.append(("submit_supplement", answered))
    ending = draw(maybe)
    if ending:
        life.append((draw(st.sampled_from(["complete", "complete", "reject", "withdraw"])), ending))
        returned = draw(maybe)
        if returned:
            life.append(("return_result", returned))
    extra = draw(st.lists(st.tuples(st.sampled_from(ACTIONS), minutes), max_size=3))
    for action, gap in extra:
        life.insert(draw(st.integers(0, len(life))), (action, gap))
    return life


history = st.tuples(
    st.sampled_from(CHANNELS), st.integers(min_value=0, max_value=60 * 24 * 40), steps()
)
periods = st.tuples(
    st.dates(datetime.date(2026, 2, 25), datetime.date(2026, 6, 30)),
    st.integers(min_value=0, max_value=75),
    st.one_of(st.none(), st.integers(min_value=0, max_value=60 * 24 * 120)),
)


def lines_of(index: int, channel: str, offset: int, steps: list[tuple[str, int]]) -> list[dict]:
    ref = f"P{index}"
    at = START + datetime.timedelta(minutes=offset)
    lines: list[dict[str, Any]] = [{
        "dossier": ref, "at": at.isoformat(), "action": "submit", "procedure": PROCEDURE,
        "unit": POLICE, "channel": channel, "applicant": {"name": "Trần Văn Bình"},
    }]  # fmt: skip
    for action, gap in steps:
        at += datetime.timedelta(minutes=gap)
        lines.append({"dossier": ref, "at": at.isoformat(), "action": action,
                      "reason": "ngẫu nhiên", "items": ["Giấy tờ"]})  # fmt: skip
    return lines


def replay_interleaved(histories: list[tuple[str, int, list]], catch_up_every: int) -> None:
    """All lines in time order (dossiers interleave), the rollup caught up now and then."""
    lines = [line for i, h in enumerate(histories) for line in lines_of(i, *h)]
    lines.sort(key=lambda line: line["at"])
    replayer = Replayer(trust_actors=True)
    for number, line in enumerate(lines, start=1):
        # Refused in the state the random history reached: the kernel said no.
        with contextlib.suppress(LineError, DomainError):
            replayer.apply(line)
        if number % catch_up_every == 0:
            catch_up()
    catch_up()


def no_fallback(*args: Any) -> int:
    raise AssertionError("every answered supplement records its appointment here")


def fact_rows() -> list[tuple]:
    return sorted(DossierFact.objects.values_list())


def bucket_rows() -> list[tuple]:
    return summed_rows(IndicatorBucket)


@settings(
    max_examples=40, deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)  # fmt: skip
@given(
    histories=st.lists(history, min_size=1, max_size=4),
    catch_up_every=st.integers(min_value=1, max_value=9),
    asked=st.lists(periods, min_size=1, max_size=4),
    scope_kind=st.sampled_from(["all", "police", "other", "online", "counter"]),
)
def test_rollup_equals_naive_recomputation(
    histories: list, catch_up_every: int, asked: list, scope_kind: str
) -> None:
    with transaction.atomic():
        replay_interleaved(histories, catch_up_every)
        police = Unit.objects.get(code=POLICE).pk
        scope = {
            "all": Scope(), "police": Scope(unit_ids=frozenset({police})),
            "other": Scope(unit_ids=frozenset({police + 100_000})),
            "online": Scope(channel="online"), "counter": Scope(channel="counter"),
        }[scope_kind]  # fmt: skip
        for first, days, now_after in asked:
            period = Period(first, first + datetime.timedelta(days=days))
            now = (
                START + datetime.timedelta(minutes=now_after)
                if now_after
                else hanoi("2027-01-01 00:00")
            )
            start, until = period.bounds(now)
            if until <= start:
                continue
            assert counts(scope, start, until) == naive_counts(scope, start, until, no_fallback)
        incremental, buckets = fact_rows(), bucket_rows()
        rebuild()
        assert fact_rows() == incremental
        assert bucket_rows() == buckets
        buckets_rebuild()  # the whole table at once, as the bench builds it
        assert bucket_rows() == buckets
        transaction.set_rollback(True)
