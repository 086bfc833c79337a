"""`import-events --fast --workers W`: a file shared over processes by receiving unit writes what
one process writes, reports the same lines in the same order, and never gives a number twice
(docs/decisions/0016, "Import in several processes")."""

from __future__ import annotations

import io
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
from motcua.dossiers.lines import Reason
from motcua.dossiers.management.commands import import_events
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


@pytest.mark.django_db
def test_every_line_of_a_dossier_goes_where_its_submission_went(staff: Staff) -> None:
    """Decided before any line is applied: a line before its dossier's submission goes with
    it (and is refused there, as by one process); a submission refused for a unit or a
    procedure that does not exist, or for its time, does not decide; a dossier submitted
    before the file goes with its receiving unit; a line that is no object goes to the first
    process."""

    def encoded(event: dict[str, Any]) -> bytes:
        return json.dumps(event).encode()

    earlier = next(iter(histories(staff)))[:2]  # "A", received at Hoàn Kiếm's police before
    list(events_replay([json.dumps(event) for event in earlier]))
    big = json.dumps({"dossier": "R", "action": "submit", "unit": OTHER_POLICE, "n": 2**70})
    lines: list[Any] = [
        encoded(line("Q", "2026-03-02 08:00", "receive")),  # before its submission
        encoded(line("Q", "2026-03-02 09:00", "submit", unit="nope", procedure="1.004222")),
        encoded(line("Q", "2026-03-02 09:01", "submit", unit=POLICE, procedure="9.999999")),
        encoded({**line("Q", "", "submit", unit=POLICE, procedure="1.004222"), "at": "09:02"}),
        encoded(line("Q", "2026-03-02 09:05", "submit", unit=OTHER_POLICE, procedure="1.004222")),
        encoded(line(" Q ", "2026-03-02 10:00", "receive")),
        encoded(line("Q", "2026-03-02 10:05", "submit", unit=POLICE)),  # a second submission
        encoded(line("A", "2026-03-03 10:00", "assign")),  # submitted before this file
        encoded(line("NEVER", "2026-03-03 10:00", "assign")),
        b"not json",
        b"[1, 2]",
        big.encode(),
        encoded(line("Z\ud800", "2026-03-03 10:00", "receive")),  # cannot be a stored ref
        encoded(line("Z\x00", "2026-03-03 10:00", "receive")),
    ]
    router = Router(2)
    router.read(lines)
    owners = [router.owner(item) for item in lines]
    there, here = share_of(OTHER_POLICE, 2), share_of(POLICE, 2)
    assert owners[:7] == [there] * 7
    assert owners[7] == here
    assert owners[8] == share_of("NEVER", 2)
    assert owners[9:12] == [0, 0, there]
    assert owners[12:] == [share_of("Z\ud800", 2), share_of("Z\x00", 2)]


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


@pytest.mark.django_db
def test_hostile_text_and_a_windows_file_are_told_apart_without_a_traceback(
    staff: Staff, tmp_path: Path
) -> None:
    """A lone surrogate (``"\\ud800"`` in JSON) cannot be stored: the line is refused and
    printed escaped; a reference too long says so; a byte-order mark does not spoil line 1."""
    first = histories(staff)[3]  # "D": submitted, received, withdrawn
    lines = [json.dumps(event, ensure_ascii=False) for event in first]
    lines.append(json.dumps(line("SUR\ud800", "2026-03-05 09:00", "submit", unit=POLICE)))
    lines.append(json.dumps(line("X" * 41, "2026-03-05 09:00", "submit", unit=POLICE)))
    path = tmp_path / "events.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + "\n".join(lines).encode("utf-8") + b"\n")
    wipe()
    out, code = command(path)
    assert code == 1
    assert out.splitlines()[0].startswith("4: -: trường 'dossier' sai kiểu")
    assert "dài quá 40 ký tự" in out.splitlines()[1]
    assert len(out.splitlines()) == 2
    assert Dossier.objects.get(ref="D").status == "stopped"  # line 1 was read past its mark
    terminal = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    import_events.Command(stdout=terminal).refusals_show([(7, "S\ud800", Reason("sai"))])
    terminal.flush()
    assert terminal.buffer.getvalue() == b"7: S\\ud800: sai\n"  # type: ignore[attr-defined]


def test_workers_without_fast_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    path.write_text("{}\n", encoding="utf-8")
    with pytest.raises(CommandError, match="--workers cần --fast / needs --fast"):
        call_command("import_events", str(path), "--workers", "2", "--no-progress")


@pytest.mark.django_db
def test_an_import_stopped_part_way_says_what_stays_and_what_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(*args: Any, **kwargs: Any) -> Any:
        yield 1, "A", None
        raise KeyboardInterrupt

    monkeypatch.setattr(import_events, "events_import_fast", interrupted)
    path = tmp_path / "events.jsonl"
    path.write_text("{}\n{}\n", encoding="utf-8")
    with pytest.raises(CommandError) as caught:
        call_command("import_events", str(path), "--fast", "--no-progress")
    assert caught.value.returncode == 3
    assert "Ctrl-C" in str(caught.value)
    assert "run the same file again" in str(caught.value)
