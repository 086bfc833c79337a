"""``import-events`` accounts for every line of any shape: one result each, never a traceback."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from motcua.dossiers.bulk.importer import events_import_fast
from motcua.dossiers.lines import KINDS
from motcua.dossiers.models import Dossier
from motcua.dossiers.replay import events_replay

from .conftest import POLICE, Staff

pytestmark = pytest.mark.django_db

BASE = {"dossier": "R-1", "procedure": "1.004222", "unit": POLICE, "channel": "counter"}


def submit(at: str = "2026-03-02T09:00:00+07:00", **extra: Any) -> dict[str, Any]:
    return {**BASE, "at": at, "action": "submit", "applicant": {"name": "Lê Văn A"}, **extra}


def run(tmp_path: Path, raw: bytes) -> tuple[int, list[str], str]:
    path = tmp_path / "events.jsonl"
    path.write_bytes(raw)
    out, err = StringIO(), StringIO()
    try:
        call_command("import_events", str(path), "--no-progress", stdout=out, stderr=err)
        code = 0
    except CommandError as error:
        code = error.returncode
    return code, out.getvalue().splitlines(), err.getvalue()


def jsonl(*lines: Any) -> bytes:
    return b"\n".join(
        line if isinstance(line, bytes) else json.dumps(line).encode() for line in lines
    )


def test_every_bad_line_is_one_rejection_and_the_run_goes_on(staff: Staff, tmp_path: Path) -> None:
    user = staff.reception.username
    receive = {
        "dossier": "R-1",
        "at": "2026-03-02T09:05:00+07:00",
        "action": "receive",
        "actor": user,
    }
    code, out, err = run(tmp_path, jsonl(
        {"applicant": "x"},                                              # 1 wrong type
        submit(applicant="x"),                                           # 2 wrong type
        b"not json",                                                     # 3
        [1, 2],                                                          # 4 not an object
        b"\xff\xfe{}",                                                   # 5 not UTF-8
        submit(procedure="9.999999"),                                    # 6 unknown procedure
        submit(unit="khong-co"),                                         # 7 unknown unit
        submit(actor=user),                                              # 8 accepted
        submit(actor=user),                                              # 9 duplicate submit
        receive,                                                         # 10 accepted
        {**receive, "action": "return_result"} | {"at": "2026-03-02T08:00:00+07:00"},  # 11 order
        {"dossier": "R-1", "at": "2026-03-03T09:00:00+07:00", "action": "pay",
         "amount_vnd": 10**40},                                          # 12 amount too big
        {"dossier": "R-1", "at": 5, "action": "receive"},                # 13 wrong type
        b"[" * 100_000,                                                  # 14 nesting too deep
    ))  # fmt: skip
    assert code == 1
    numbers = [int(line.split(":")[0]) for line in out]
    assert numbers == [1, 2, 3, 4, 5, 6, 7, 9, 11, 12, 13, 14]
    assert "'applicant'" in out[1]
    assert Dossier.objects.get(ref="R-1").status == "received"
    assert "applied 2, từ chối / rejected 12" in err
    for kind in ("format: 4", "type: 4", "unknown: 2", "duplicate: 1", "order: 1"):
        assert kind in err


def test_exit_statuses(staff: Staff, tmp_path: Path) -> None:
    assert run(tmp_path, jsonl(submit(actor=staff.reception.username)))[0] == 0
    assert run(tmp_path, b"")[0] == 0
    assert run(tmp_path, b"garbage\n\x00\x01\n")[0] == 2  # not a JSON-lines file at all
    with pytest.raises(CommandError) as caught:
        call_command("import_events", str(tmp_path / "none.jsonl"), "--no-progress")
    assert caught.value.returncode == 2
    assert "0 mọi dòng" in call_command_help()


def call_command_help() -> str:
    from motcua.dossiers.management.commands.import_events import Command

    return Command.help


def test_a_repeated_event_at_the_same_instant_is_a_duplicate(staff: Staff) -> None:
    user = staff.reception.username
    receive = {
        "dossier": "R-1",
        "at": "2026-03-02T09:05:00+07:00",
        "action": "receive",
        "actor": user,
    }
    results = list(events_replay([json.dumps(submit(actor=user)), json.dumps(receive)] * 2))
    kinds = [getattr(reason, "kind", None) for _n, _r, reason in results]
    assert kinds == [None, None, "duplicate", "duplicate"]


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)
FIELDS = ["actor", "procedure", "unit", "applicant", "items",
          "amount_vnd", "payment", "new_due", "to_unit", "assignee", "case", "reason"]  # fmt: skip
ACTIONS = ["submit", "receive", "pay", "request_payment", "forward", "assign", "approve",
           "complete", "apologize", "request_supplement", "withdraw"]  # fmt: skip
EVENT = st.fixed_dictionaries(
    {"dossier": st.sampled_from(["H-1", "H-2"]), "action": st.sampled_from(ACTIONS),
     "at": st.sampled_from(["2026-03-02T09:00:00+07:00", "2026-03-03T09:00:00+07:00"])},
    optional=dict.fromkeys(FIELDS, JSON),
)  # fmt: skip
LINE = (
    EVENT.map(json.dumps)
    | JSON.map(json.dumps)
    | st.text(max_size=20)
    | st.binary(max_size=12)
    | st.just(json.dumps(submit(dossier="H-1")))
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(lines=st.lists(LINE, max_size=6), fast=st.booleans())
def test_any_lines_are_each_accounted_for(
    staff: Staff, lines: list[str | bytes], fast: bool
) -> None:
    lines = [line.replace("\n", " ") if isinstance(line, str) else line.replace(b"\n", b" ")
             for line in lines]  # fmt: skip
    replay = events_import_fast(lines, batch_size=3) if fast else events_replay(lines)
    results = list(replay)
    expected = [n for n, line in enumerate(lines, start=1) if line.strip()]
    assert [number for number, _ref, _reason in results] == expected
    for _n, _ref, reason in results:
        assert reason is None or (reason and getattr(reason, "kind", None) in KINDS)
        assert getattr(reason, "kind", None) != "unexpected", reason


@pytest.mark.parametrize("fast", [False, True])
def test_a_time_beyond_the_working_calendar_is_refused_as_such(staff: Staff, fast: bool) -> None:
    """Its deadline cannot be worked out: a refusal that says so, not an unexpected error (and
    in a batch, not a batch replayed line by line)."""
    from motcua.dossiers.bulk.importer import BulkReport

    user = staff.reception.username
    lines = [
        submit(actor=user, at="1990-01-02T09:00:00+07:00"),
        {"dossier": "R-1", "at": "1990-01-02T09:05:00+07:00", "action": "receive", "actor": user},
        {"dossier": "R-1", "at": "2026-03-02T09:05:00+07:00", "action": "receive", "actor": user},
    ]
    report = BulkReport()
    texts = [json.dumps(line) for line in lines]
    results = list(events_import_fast(texts, report=report) if fast else events_replay(texts))
    refused = [(n, reason) for n, _ref, reason in results if reason is not None]
    assert [(n, reason.kind) for n, reason in refused] == [(2, "type")]
    assert "2015–2060" in refused[0][1]
    assert Dossier.objects.get(ref="R-1").status == "received"
    assert report.replayed == 0


@pytest.mark.parametrize("flag", [1.0, 2.0, True, "1", 3])
def test_a_payment_flag_is_the_integer_1_or_2(flag: Any) -> None:
    """1.0 or true were taken: the event said online, the payment row (integers only) cash."""
    from motcua.dossiers.lines import LineError
    from motcua.dossiers.replay import payment_of

    with pytest.raises(LineError):
        payment_of({"payment": {"flag": flag}})
    assert payment_of({"payment": {"flag": 2}}) == {"method": "online", "flag": 2}
