"""`import-events --fast --workers W`: a file shared over processes by receiving unit writes what
one process writes, reports the same lines in the same order, and never gives a number twice
(docs/decisions/0016, "Import in several processes")."""

from __future__ import annotations

import json
import os
from collections import defaultdict
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from motcua.accounts.constants import OfficerRoleName as Role
from motcua.common.parallel import in_parts
from motcua.dossiers.audit import audit_verify
from motcua.dossiers.bulk.routed import Router, share_of
from motcua.dossiers.models import Dossier, IssuedDocument
from motcua.dossiers.replay import events_replay
from tests import factories

from .conftest import POLICE, Staff
from .test_bulk_import import histories, interleaved, line, snapshot, wipe

OTHER_POLICE = "hn-cong-an-phuong-cua-nam"  # a process other than Hoàn Kiếm's police, of two
OTHER_WARD = "hn-phuong-cua-nam"


class StaffAt(Staff):
    def __init__(self, unit: str) -> None:
        self.reception = factories.officer(unit, Role.RECEPTION)
        self.specialist = factories.officer(unit, Role.SPECIALIST)
        self.head = factories.officer(unit, Role.DIVISION_HEAD)
        self.leader = factories.officer(unit, Role.LEADER)


def server_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("other processes see committed rows of a server database only")


def two_units(to_unit: str = OTHER_WARD) -> list[str]:
    """Both police units' histories in one file, time order, with lines that are not events."""
    here, there = Staff(), StaffAt(OTHER_POLICE)
    assert share_of(POLICE, 2) != share_of(OTHER_POLICE, 2)  # the test needs both processes
    return interleaved(here, histories(here) + histories(there, OTHER_POLICE, "Z", to_unit))


def command(path: Path, *extra: str) -> tuple[str, int]:
    out, err = StringIO(), StringIO()
    try:
        call_command("import_events", str(path), "--fast", "--no-progress", *extra,
                     stdout=out, stderr=err)  # fmt: skip
    except CommandError as error:
        return out.getvalue(), error.returncode
    return out.getvalue(), 0


@pytest.mark.django_db(transaction=True)
def test_two_processes_write_and_report_what_one_process_does(tmp_path: Path) -> None:
    server_only()
    lines = two_units()
    path = tmp_path / "events.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    wipe()
    slow = list(events_replay(lines))
    expected = snapshot()
    wipe()
    alone = command(path, "--batch-size", "3")
    assert snapshot() == expected
    wipe()
    together = command(path, "--batch-size", "3", "--workers", "2")
    got = snapshot()
    for table in expected:
        assert got[table] == expected[table], table
    assert together == alone
    refused = [f"{n}: {ref or '-'}:" for n, ref, reason in slow if reason is not None]
    assert [row.split(" ")[:2] for row in together[0].splitlines()] == [
        row.split(" ")[:2] for row in refused
    ]
    assert together[1] == 1  # some lines refused, the others applied
    assert {"ZA", "ZG", "A", "G"} <= set(Dossier.objects.values_list("ref", flat=True))
    assert audit_verify()[1] == []


@pytest.mark.django_db(transaction=True)
def test_a_unit_both_processes_number_from_gives_each_number_once(tmp_path: Path) -> None:
    """Both units transfer a dossier to the same ward, whose decision numbers both processes
    then give: whichever batch commits second finds the counter changed and goes line by
    line. Every line is applied as one process applies it; no number twice, none skipped."""
    server_only()
    lines = two_units(to_unit="hn-phuong-hoan-kiem")
    path = tmp_path / "events.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    wipe()
    alone = command(path, "--batch-size", "2")
    wipe()
    assert command(path, "--batch-size", "2", "--workers", "2") == alone
    numbers: dict[tuple[Any, ...], list[int]] = defaultdict(list)
    for unit, year, kind, seq in IssuedDocument.objects.values_list(
        "unit_id", "year", "kind", "seq"
    ):
        numbers[unit, year, kind].append(seq)
    assert numbers
    for key, seqs in numbers.items():
        assert sorted(seqs) == list(range(1, len(seqs) + 1)), key
    codes = list(Dossier.objects.filter(code__gt="").values_list("code", flat=True))
    assert len(codes) == len(set(codes)) == 12  # C and ZC were refused before a code
    assert audit_verify()[1] == []


def test_a_dossier_goes_where_its_submission_went() -> None:
    router = Router(2)

    def owner(event: dict[str, Any] | str) -> int:
        return router.owner(event if isinstance(event, str) else json.dumps(event).encode())

    early = owner(line("Q", "2026-03-02 08:00", "receive"))  # before its submission: by ref
    assert early == share_of("Q", 2)
    submit = line("Q", "2026-03-02 09:00", "submit", unit=OTHER_POLICE)
    assert owner(submit) == share_of(OTHER_POLICE, 2)
    assert owner(line(" Q ", "2026-03-02 10:00", "receive")) == share_of(OTHER_POLICE, 2)
    assert owner({**submit, "unit": POLICE}) == share_of(OTHER_POLICE, 2)  # a second submit
    assert owner("not json") == owner("[1, 2]") == 0
    big = json.dumps({"dossier": "R", "action": "submit", "unit": POLICE, "n": 2**70})
    assert owner(big) == share_of(POLICE, 2)


def died(index: int, workers: int, tick: Any) -> int:
    if index == 1:
        os._exit(3)
    return index


@pytest.mark.postgres
def test_a_process_that_dies_stops_the_run_with_an_error() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("one process only on SQLite")
    with pytest.raises(RuntimeError, match="ended without an answer"):
        in_parts(2, died, progress=lambda n: None)
    assert in_parts(2, lambda index, workers, tick: (index, workers), progress=lambda n: None) == [
        (0, 2),
        (1, 2),
    ]


def test_workers_below_one_are_refused_in_both_languages(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    path.write_text("{}\n", encoding="utf-8")
    with pytest.raises(CommandError, match="--workers phải ≥ 1 / must be at least 1"):
        call_command("import_events", str(path), "--fast", "--workers", "0", "--no-progress")
