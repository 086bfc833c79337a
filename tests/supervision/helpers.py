"""Dossier histories for the indicator tests, replayed through the kernel (``import-events``)."""

from __future__ import annotations

import datetime
from typing import Any

from motcua.dossiers.replay import Replayer
from motcua.supervision.compute import Period, Scope, report
from motcua.supervision.models import SUMMED_KEYS
from motcua.supervision.rollup import catch_up
from motcua.worktime.engine import VIETNAM_OFFSET
from tests.dossiers.conftest import POLICE

PROCEDURE = "1.004222"  # residence at the ward police: 7 working days


def hanoi(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text).replace(tzinfo=VIETNAM_OFFSET)


def iso(text: str) -> str:
    return hanoi(text).isoformat()


def submit(ref: str, at: str, channel: str = "counter") -> dict[str, Any]:
    return {
        "dossier": ref, "at": iso(at), "action": "submit", "procedure": PROCEDURE,
        "unit": POLICE, "channel": channel,
        "applicant": {"name": "Nguyễn Thị Lan", "id_number": "001190012345"},
    }  # fmt: skip


def act(ref: str, at: str, action: str, **extra: Any) -> dict[str, Any]:
    return {"dossier": ref, "at": iso(at), "action": action, "reason": "kiểm thử", **extra}


def replay(lines: list[dict[str, Any]]) -> None:
    replayer = Replayer(trust_actors=True)
    for line in lines:
        replayer.apply(line)


def indicators(
    start: str, end: str, *, now: str = "2026-12-31 12:00", **scope: Any
) -> dict[str, Any]:
    catch_up()
    period = Period(datetime.date.fromisoformat(start), datetime.date.fromisoformat(end))
    return report(period, Scope(**scope), at=hanoi(now))


def value(answer: dict[str, Any], code: str) -> tuple[Any, Any, Any]:
    row = answer["indicators"][code]
    return row["num"], row["den"], row["value"]


def summed_rows(model: Any, fixed: tuple[str, ...] = ()) -> list[tuple]:
    """The rows of buckets or snapshots (``model``) that hold anything, sorted: taking a fact
    off may leave a row of zeros, which reads as nothing."""
    keys = (*fixed, *SUMMED_KEYS)
    counted = [f.name for f in model._meta.fields if f.name not in ("id", *keys)]
    rows = model.objects.values_list(*keys, *counted)
    return sorted(row for row in rows if any(row[len(keys) :]))
