"""`import-events --fast`: the same rules and the same rows as the line-by-line path, written in
batches; a batch that cannot be written is replayed line by line (docs/decisions/0016)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import F

from motcua.dossiers import replay
from motcua.dossiers import services as s
from motcua.dossiers.audit import audit_verify
from motcua.dossiers.bulk import state
from motcua.dossiers.bulk.importer import BulkReport, events_import_fast
from motcua.dossiers.models import (
    DailySequence,
    DocumentSequence,
    Dossier,
    DossierEvent,
    DossierPause,
    DossierStep,
    IssuedDocument,
)
from motcua.dossiers.replay import events_replay
from motcua.dossiers.store import DATABASE, store_installed
from motcua.payments.models import ReceiptSequence

from .conftest import POLICE, Staff, at

pytestmark = pytest.mark.django_db
WARD = "hn-phuong-hoan-kiem"


def line(ref: str, when: str, action: str, actor: str = "", **extra: Any) -> dict[str, Any]:
    return {"dossier": ref, "at": f"{when}:00+07:00", "action": action, "actor": actor, **extra}


def histories(
    staff: Staff, unit: str = POLICE, prefix: str = "", to_unit: str = WARD
) -> list[list[dict[str, Any]]]:
    """One dossier per path: supplement, rejection, refusal, withdrawal, apology, fees,
    transfer (to ``to_unit``); with lines the rules refuse in the middle of them. Dossiers
    are received at ``unit`` by ``staff`` and named ``prefix`` + A to G."""
    r, sp, h, ld = (
        u.username for u in (staff.reception, staff.specialist, staff.head, staff.leader)
    )

    def start(ref: str, day: str) -> list[dict[str, Any]]:
        applicant = {"name": f"Người nộp {ref}", "id_number": "001090012345"}
        return [
            line(ref, f"{day} 09:00", "submit", r, procedure="1.004222", unit=unit,
                 channel="counter", applicant=applicant),
            line(ref, f"{day} 09:05", "receive", r),
        ]  # fmt: skip

    return [[{**event, "dossier": prefix + event["dossier"]} for event in story] for story in [
        [*start("A", "2026-03-02"), line("A", "2026-03-02 10:00", "assign", h, assignee=sp),
         line("A", "2026-03-03 10:00", "request_supplement", sp, items=["Sổ hộ khẩu", "Ảnh"]),
         line("A", "2026-03-04 10:00", "request_supplement", sp, reason="lần hai"),
         line("A", "2026-03-05 09:00", "submit_supplement", r),
         line("A", "2026-03-06 09:00", "forward", sp), line("A", "2026-03-06 10:00", "forward", sp),
         line("A", "2026-03-09 09:00", "approve", ld), line("A", "2026-03-09 10:00", "complete", sp),
         line("A", "2026-03-10 10:00", "return_result", r)],
        [*start("B", "2026-03-02"), line("B", "2026-03-02 11:00", "assign", h, assignee=sp),
         line("B", "2026-03-03 09:00", "forward", sp),
         line("B", "2026-03-04 09:00", "reject", ld, reason="Không đủ điều kiện"),
         line("B", "2026-03-05 09:00", "return_result", r)],
        [line("C", "2026-03-02 09:30", "submit", r, procedure="1.004222", unit=unit,
              channel="online", applicant={"name": "Người nộp C"}),
         line("C", "2026-03-02 14:00", "refuse_reception", r, reason="Sai thẩm quyền")],
        [*start("D", "2026-03-03"), line("D", "2026-03-04 09:00", "withdraw", r, reason="Rút")],
        [*start("E", "2026-03-02"), line("E", "2026-03-02 15:00", "assign", h, assignee=sp),
         line("E", "2026-03-10 10:00", "apologize", ld, reason="Chờ xác minh",
              new_due="2026-03-13T17:00:00+07:00"),
         line("E", "2026-03-11 10:00", "apologize", ld, reason="lần hai",
              new_due="2026-03-16T17:00:00+07:00"),
         line("E", "2026-03-12 09:00", "approve", ld), line("E", "2026-03-12 10:00", "complete", sp),
         line("E", "2026-03-13 10:00", "return_result", r)],
        [*start("F", "2026-03-03"), line("F", "2026-03-03 10:00", "assign", h, assignee=sp),
         line("F", "2026-03-03 11:00", "request_payment", sp, amount_vnd=20000),
         line("F", "2026-03-04 11:00", "pay", r, amount_vnd=20000),
         line("F", "2026-03-05 11:00", "approve", ld)],
        [*start("G", "2026-03-03"), line("G", "2026-03-03 10:00", "forward", r, to_unit=to_unit),
         line("G", "2026-03-04 10:00", "approve", ld)],
    ]]  # fmt: skip


def interleaved(staff: Staff, stories: list[list[dict[str, Any]]] | None = None) -> list[str]:
    """The histories one line from each in turn (a legacy file in time order mixes dossiers),
    with lines that are not events at all."""
    stories = histories(staff) if stories is None else stories
    lines = [
        json.dumps(story[k], ensure_ascii=False)
        for k in range(max(map(len, stories)))
        for story in stories
        if k < len(story)
    ]
    lines[5:5] = ["not json", "[1, 2]", json.dumps(line("GHOST", "2026-03-02 09:00", "receive"))]
    lines.append(json.dumps(line("A", "2026-03-10 11:00", "teleport")))
    lines.append(json.dumps({"dossier": "B", "at": "2026-03-10T11:00", "action": "withdraw"}))
    return lines


def rows_of(model: type, refs: dict[int, str], drop: tuple[str, ...] = ()) -> list[Any]:
    """Every row, with database keys replaced by what they stand for, in creation order."""
    rows = []
    for row in model.objects.order_by("pk").values():
        key = (refs[row["dossier_id"]] if "dossier_id" in row else row["ref"], row["id"])
        clean = {k: v for k, v in row.items() if k not in {"id", "dossier_id", *drop}}
        rows.append((key, clean))
    by_dossier: dict[str, list[Any]] = {}
    for (ref, _pk), clean in sorted(rows, key=lambda item: (item[0][0], item[0][1])):
        by_dossier.setdefault(ref, []).append(clean)
    return sorted(by_dossier.items())


def issued(row: dict[str, Any]) -> tuple[Any, ...]:
    return (row["issued_at"], row["event_id"] or 0, row["kind"], row["seq"])


def snapshot() -> dict[str, Any]:
    refs = dict(Dossier.objects.values_list("pk", "ref"))
    seqs = dict(DossierEvent.objects.values_list("pk", "seq"))
    # In issue order, not insertion order: on PostgreSQL the fast import writes the kernel's
    # forms by COPY at the end of a batch, after the fee receipts the payments app wrote in it.
    documents = [
        (ref, sorted(({**row, "event_id": seqs.get(row["event_id"])} for row in rows), key=issued))
        for ref, rows in rows_of(IssuedDocument, refs)
    ]
    return {
        "dossiers": rows_of(Dossier, refs, ("created_at", "updated_at")),
        "events": rows_of(DossierEvent, refs),
        "steps": rows_of(DossierStep, refs),
        "pauses": rows_of(DossierPause, refs),
        "documents": documents,
        "codes": sorted(DailySequence.objects.values_list("unit_id", "day", "last")),
        "numbers": sorted(DocumentSequence.objects.values_list("unit_id", "year", "kind", "last")),
    }


def wipe() -> None:
    IssuedDocument.objects.all().delete()
    DossierEvent.objects.all().delete()
    Dossier.objects.all().delete()
    DailySequence.objects.all().delete()
    DocumentSequence.objects.all().delete()
    ReceiptSequence.objects.all().delete()  # the fee receipts' numbers start again too


def test_fast_import_writes_exactly_what_the_line_by_line_import_writes(staff: Staff) -> None:
    lines = interleaved(staff)
    wipe()
    slow = list(events_replay(lines))
    expected = snapshot()
    wipe()
    report = BulkReport()
    fast = list(events_import_fast(lines, batch_size=4, report=report))
    assert fast == slow
    got = snapshot()
    for table in expected:
        assert got[table] == expected[table], table
    assert report.replayed == 0
    assert report.batches == -(-len(lines) // 4)
    assert audit_verify()[1] == []
    refused = {(ref, reason.split(" ")[0]) for _n, ref, reason in fast if reason}
    assert {ref for ref, _ in refused} == {"", "GHOST", "A", "E", "G", "B"}
    assert Dossier.objects.get(ref="A").supplement_requests == 1  # the second was refused
    assert Dossier.objects.get(ref="E").apologies == 1


def test_a_history_spread_over_many_batches_is_read_back_and_updated(staff: Staff) -> None:
    lines = interleaved(staff)
    wipe()
    slow = list(events_replay(lines))
    expected = snapshot()
    wipe()
    assert list(events_import_fast(lines, batch_size=1)) == slow
    assert snapshot()["dossiers"] == expected["dossiers"]
    assert snapshot()["events"] == expected["events"]


def test_dossiers_read_back_from_the_database_give_the_same_rows(
    staff: Staff, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(state, "KEEP_OPEN", 0)  # every open dossier leaves memory after a batch
    lines = interleaved(staff)
    wipe()
    slow = list(events_replay(lines))
    expected = snapshot()
    wipe()
    assert list(events_import_fast(lines, batch_size=3)) == slow
    got = snapshot()
    for table in expected:
        assert got[table] == expected[table], table


def steered(lines: list[str], after: int, change: Any) -> Iterator[str]:
    """The lines, with ``change`` made in the database (as the web would, meanwhile) once
    ``after`` lines have been read."""
    for number, text in enumerate(lines):
        if number == after:
            with store_installed(DATABASE):
                change()
        yield text


def reception_lines(staff: Staff, refs: list[str]) -> list[str]:
    r = staff.reception.username
    out = []
    for ref in refs:
        out.append(line(ref, "2026-03-02 09:00", "submit", r, procedure="1.004222", unit=POLICE,
                        channel="counter", applicant={"name": "Lê Văn Cường"}))  # fmt: skip
        out.append(line(ref, "2026-03-02 09:05", "receive", r))
    return [json.dumps(item, ensure_ascii=False) for item in out]


def test_a_code_given_meanwhile_sends_the_batch_line_by_line_without_a_duplicate(
    staff: Staff,
) -> None:
    wipe()
    lines = reception_lines(staff, ["X1", "X2", "X3"])

    def web_reception() -> None:  # another officer took the day's next number meanwhile
        DailySequence.objects.update(last=F("last") + 1)

    report = BulkReport()
    results = list(
        events_import_fast(steered(lines, 3, web_reception), batch_size=2, report=report)
    )
    assert all(reason is None for _n, _ref, reason in results)
    assert report.replayed == 1
    codes = [Dossier.objects.get(ref=ref).code[-4:] for ref in ("X1", "X2", "X3")]
    assert codes == ["0001", "0003", "0004"]
    assert audit_verify()[1] == []


def test_a_dossier_changed_meanwhile_is_not_overwritten(staff: Staff) -> None:
    wipe()
    lines = [*reception_lines(staff, ["Y1"]),
             json.dumps(line("Y1", "2026-03-02 11:00", "withdraw", staff.reception.username))]  # fmt: skip

    def web_assign() -> None:
        dossier = Dossier.objects.get(ref="Y1")
        s.dossier_assign(dossier=dossier, actor=staff.head, at=at("2026-03-02 10:00"),
                         assignee=staff.specialist)  # fmt: skip

    report = BulkReport()
    results = list(events_import_fast(steered(lines, 2, web_assign), batch_size=2, report=report))
    assert [reason for _n, _ref, reason in results] == [None, None, None]
    assert report.replayed == 1
    actions = list(Dossier.objects.get(ref="Y1").events.values_list("action", flat=True))
    assert actions == ["submit", "receive", "assign", "withdraw"]
    assert audit_verify()[1] == []


def test_import_events_fast_command_reports_refused_lines_and_a_summary(
    staff: Staff, tmp_path: Path
) -> None:
    wipe()
    path = tmp_path / "events.jsonl"
    path.write_text("\n".join(interleaved(staff)) + "\n", encoding="utf-8")
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("import_events", str(path), "--fast", "--no-progress", stdout=out, stderr=err)
    assert caught.value.returncode == 1
    assert "6: -: JSON không hợp lệ" in out.getvalue()
    assert "Traceback" not in out.getvalue() + err.getvalue()
    assert "lines/s" in err.getvalue()
    out = StringIO()
    call_command("audit", "verify", stdout=out)
    assert "intact" in out.getvalue()


@pytest.mark.parametrize("fast", [False, True], ids=["line by line", "fast"])
def test_a_file_imported_again_after_a_stop_writes_what_one_import_writes(
    staff: Staff, fast: bool
) -> None:
    """An import stopped part-way and run again from the top: the lines already in the
    database are refused (earlier than the dossier's latest event, or the same action at that
    very time), the rest applied, and the rows are those of one import of the whole file."""
    lines = interleaved(staff)

    def run(part: list[str]) -> list[Any]:
        if fast:
            return list(events_import_fast(part, batch_size=4))
        return list(events_replay(part))

    wipe()
    whole = run(lines)
    expected = snapshot()
    for stop in (9, 23):
        wipe()
        run(lines[:stop])
        again = run(lines)
        assert snapshot() == expected, stop
        applied_first = {n for n, _ref, reason in whole if reason is None}
        applied_again = {n for n, _ref, reason in again if reason is None}
        assert applied_again == {n for n in applied_first if n > stop}, stop
    assert [reason for _n, _r, reason in run(lines) if reason is None] == []
    assert audit_verify()[1] == []


def test_a_fast_run_again_reads_what_the_database_holds_once_per_batch(
    staff: Staff, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The batch's dossiers are read together; asking one dossier at a time is the line-by-line
    path's way only (a file run again after a stop asked once per dossier)."""
    lines = interleaved(staff)
    wipe()
    whole = list(events_import_fast(lines, batch_size=4))
    expected = snapshot()
    wipe()
    list(events_import_fast(lines[:23], batch_size=4))

    def one_at_a_time(dossier_id: int) -> Any:
        raise AssertionError(f"dossier {dossier_id} asked by itself")

    monkeypatch.setattr(replay, "events_latest", one_at_a_time)
    report = BulkReport()
    again = list(events_import_fast(lines, batch_size=4, report=report))
    assert report.replayed == 0
    assert {n for n, _r, reason in again if reason is None} == {
        n for n, _r, reason in whole if reason is None and n > 23
    }
    assert snapshot() == expected


def test_lines_at_one_instant_count_once_each_when_a_file_is_imported_again(
    staff: Staff,
) -> None:
    """Two assignments in the same minute (legacy exports keep minutes): a run stopped after
    the first and run again refuses the first, as being there, and applies the second."""
    lines = same_minute(staff, staff.head.username)[:4]
    wipe()
    assert all(reason is None for _n, _r, reason in events_replay(lines))
    expected = snapshot()
    for fast in (False, True):
        wipe()
        list(events_replay(lines[:3]))
        again = events_import_fast(lines, batch_size=2) if fast else events_replay(lines)
        assert [reason is None for _n, _r, reason in again] == [False, False, False, True]
        assert snapshot() == expected, fast


def test_spaces_around_a_reference_do_not_open_a_way_round_the_order_check(
    staff: Staff,
) -> None:
    sp, h = staff.specialist.username, staff.head.username
    stories = histories(staff)[:2]
    for story in stories:
        for event in story:
            event["dossier"] += " "
    spaced = [json.dumps(event, ensure_ascii=False) for story in stories for event in story]
    spaced.insert(4, json.dumps(line("A ", "2026-03-02 08:00", "assign", h, assignee=sp)))
    wipe()
    slow = list(events_replay(spaced))
    wipe()
    fast = list(events_import_fast(spaced, batch_size=50))
    assert fast == slow
    reason = slow[4][2]
    assert reason is not None
    assert reason.kind == "order"


def same_minute(staff: Staff, second: str) -> list[str]:
    """A dossier assigned twice in one minute (to the specialist, then to ``second``), then
    asked for a supplement."""
    r, sp, h = staff.reception.username, staff.specialist.username, staff.head.username
    applicant = {"name": "Người nộp M", "id_number": "001090012345"}
    return [
        json.dumps(item, ensure_ascii=False)
        for item in (
            line("M", "2026-03-02 09:00", "submit", r, procedure="1.004222", unit=POLICE,
                 channel="counter", applicant=applicant),
            line("M", "2026-03-02 09:05", "receive", r),
            line("M", "2026-03-02 10:00", "assign", h, assignee=sp),
            line("M", "2026-03-02 10:00", "assign", h, assignee=second),
            line("M", "2026-03-03 10:00", "request_supplement", sp, items=["Ảnh"]),
        )
    ]  # fmt: skip


def test_a_batch_rolled_back_forgets_only_its_own_lines(
    staff: Staff, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The batch after a committed one fails once and goes line by line: its same-minute
    assignment is a new line, as in one run, not a copy of the committed one."""
    lines = same_minute(staff, staff.head.username)
    wipe()
    list(events_replay(lines))
    expected = snapshot()
    wipe()
    flush = state.BatchStore.flush
    failed: list[int] = []

    def second_batch_fails_once(store: state.BatchStore) -> int:
        if store.events and store.events[0].action == "assign" and not failed:
            failed.append(1)
            raise state.StaleBatch()
        return flush(store)

    monkeypatch.setattr(state.BatchStore, "flush", second_batch_fails_once)
    report = BulkReport()
    results = list(events_import_fast(lines, batch_size=3, report=report))
    assert report.replayed == 1
    assert [reason for _n, _r, reason in results] == [None] * 5
    assert snapshot() == expected


def test_an_identical_line_is_refused_on_a_run_again_as_in_one_run(staff: Staff) -> None:
    lines = same_minute(staff, staff.specialist.username)  # the same assignment twice
    wipe()
    once = list(events_replay(lines))
    assert [reason is None for _n, _r, reason in once] == [True, True, True, False, True]
    expected = snapshot()
    for fast in (False, True):
        wipe()
        list(events_replay(lines[:3]))
        again = list(events_import_fast(lines, batch_size=2) if fast else events_replay(lines))
        assert [reason is None for _n, _r, reason in again] == [False] * 4 + [True]
        assert snapshot() == expected, fast


def test_the_accounts_a_batch_names_are_read_with_whether_they_are_citizens(
    staff: Staff,
) -> None:
    """The rules ask of every line's actor whether it is the applicant (``is_applicant``):
    for the accounts the batch read at once, that costs no query of its own."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from motcua.dossiers.services.kernel import is_applicant

    replayer = replay.Replayer()
    names = {staff.reception.username, staff.head.username}
    replayer.users_preload(names)
    dossier = Dossier(pk=10**9, ref="X", owner_id=None)
    with CaptureQueriesContext(connection) as done:
        answers = [is_applicant(dossier, replayer.users[name]) for name in sorted(names)]
        single = replayer.user(staff.leader.username)
        assert single is not None
        answers.append(is_applicant(dossier, single))
    assert answers == [False, False, False]
    assert len(done.captured_queries) == 1  # the one account asked by itself


def test_a_batch_reads_the_code_counters_of_its_reception_days_and_its_units_at_once(
    staff: Staff,
) -> None:
    """One query for the counters of every day the batch receives on, not one per day; the
    codes are those of the line-by-line path all the same."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    lines = interleaved(staff)
    wipe()
    list(events_replay(lines))
    expected = sorted(Dossier.objects.exclude(code=None).values_list("ref", "code"))
    days = {code.split("-")[-2] for _ref, code in expected}
    assert len(days) > 1
    wipe()
    with CaptureQueriesContext(connection) as done:
        list(events_import_fast(lines, batch_size=len(lines)))
    table = DailySequence._meta.db_table
    reads = [q["sql"] for q in done.captured_queries if q["sql"].startswith("SELECT") and table in q["sql"]]  # fmt: skip
    assert len(reads) == 1
    assert sorted(Dossier.objects.exclude(code=None).values_list("ref", "code")) == expected
    # The units the lines name (two: the receiving one, the one a transfer goes to) likewise.
    named = ('"organizations_unit"."code" IN', '"organizations_unit"."code" =')
    by_code = [q["sql"] for q in done.captured_queries if any(n in q["sql"] for n in named)]
    assert len(by_code) == 1
