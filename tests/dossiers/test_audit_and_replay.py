"""Tampering is detected; events replay from JSON lines; dossiers export; concurrency is safe."""

from __future__ import annotations

import json
import threading
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from motcua.common.errors import DomainError
from motcua.dossiers import services as s
from motcua.dossiers.audit import audit_verify
from motcua.dossiers.constants import FINAL
from motcua.dossiers.models import Dossier, DossierEvent, IssuedDocument
from motcua.dossiers.replay import events_replay

from .conftest import Staff, at, received

pytestmark = pytest.mark.django_db


def full_history(staff: Staff) -> Dossier:
    dossier = s.dossier_forward(
        dossier=received(staff), actor=staff.specialist, at=at("2026-03-02 10:00")
    )
    return s.dossier_approve(
        dossier=dossier, actor=staff.leader, at=at("2026-03-03 10:00"), note="Đồng ý"
    )


def test_an_intact_history_verifies(staff: Staff) -> None:
    full_history(staff)
    out = StringIO()
    call_command("audit", "verify", stdout=out)
    assert "intact" in out.getvalue()


def test_an_edited_event_is_detected(staff: Staff) -> None:
    dossier = full_history(staff)
    DossierEvent.objects.filter(dossier=dossier, seq=2).update(reason="sửa lén")
    problems = audit_verify()[1]
    assert [(p.seq, p.problem) for p in problems] == [
        (2, "event content changed after it was written")
    ]


def test_a_deleted_event_is_detected(staff: Staff) -> None:
    dossier = full_history(staff)
    # seq 3 is the hand-over to the signing step (the receipt, seq 2, protects its event)
    DossierEvent.objects.filter(dossier=dossier, seq=3).delete()
    assert {p.problem for p in audit_verify()[1]} >= {"event missing (deleted?)"}


def test_a_deleted_last_event_is_detected(staff: Staff) -> None:
    dossier = full_history(staff)
    last = DossierEvent.objects.filter(dossier=dossier, seq=dossier.version)
    IssuedDocument.objects.filter(event__in=last).delete()  # the decision notice it issued
    last.delete()
    assert "latest events missing (deleted?)" in {p.problem for p in audit_verify()[1]}


def test_a_dossier_row_changed_behind_the_history_is_detected(staff: Staff) -> None:
    dossier = full_history(staff)
    Dossier.objects.filter(pk=dossier.pk).update(status="returned")
    assert "dossier status differs from its history" in {p.problem for p in audit_verify()[1]}


def test_audit_command_exits_1_on_tampering(staff: Staff) -> None:
    dossier = full_history(staff)
    DossierEvent.objects.filter(dossier=dossier, seq=1).update(actor_name="ai-do")
    with pytest.raises(CommandError) as caught:
        call_command("audit", "verify", stdout=StringIO())
    assert caught.value.returncode == 1


def write_events(tmp_path: Path, events: list[dict | str]) -> Path:
    path = tmp_path / "events.jsonl"
    path.write_text(
        "\n".join(e if isinstance(e, str) else json.dumps(e, ensure_ascii=False) for e in events),
        encoding="utf-8",
    )
    return path


def legacy_events(staff: Staff) -> list[dict | str]:
    base = {"dossier": "LEGACY-1"}
    return [
        {**base, "at": "2026-03-02T09:00:00+07:00", "action": "submit", "actor": staff.reception.username,
         "procedure": "1.004222", "unit": "hn-cong-an-phuong-hoan-kiem", "channel": "counter",
         "applicant": {"name": "Lê Văn Cường", "id_number": "001090012345"}},
        {**base, "at": "2026-03-02T09:05:00+07:00", "action": "receive", "actor": staff.reception.username},
        {**base, "at": "2026-03-03T10:00:00+07:00", "action": "request_supplement", "actor": staff.specialist.username, "reason": "Thiếu"},
        {**base, "at": "2026-03-04T10:00:00+07:00", "action": "request_supplement", "actor": staff.specialist.username, "reason": "Lần hai"},
        {**base, "at": "2026-03-05T09:00:00+07:00", "action": "submit_supplement", "actor": staff.reception.username},
        {**base, "at": "2026-03-09T09:00:00+07:00", "action": "approve", "actor": staff.leader.username},
        {**base, "at": "2026-03-09T10:00:00+07:00", "action": "complete", "actor": staff.specialist.username},
        {**base, "at": "2026-03-10T10:00:00+07:00", "action": "return_result", "actor": staff.reception.username},
        {"dossier": "GHOST", "at": "2026-03-02T09:00:00+07:00", "action": "receive"},
        "not json",
    ]  # fmt: skip


def test_import_events_replays_and_reports_rejected_lines(staff: Staff, tmp_path: Path) -> None:
    out = StringIO()
    with pytest.raises(CommandError) as caught:
        call_command(
            "import_events",
            str(write_events(tmp_path, legacy_events(staff))),
            "--no-progress",
            stdout=out,
            stderr=StringIO(),
        )
    assert caught.value.returncode == 1
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("4: LEGACY-1: ")  # the second supplement request
    assert "một lần" in lines[0]
    assert lines[1].startswith("9: GHOST: ")
    assert lines[2].startswith("10: -: ")
    dossier = Dossier.objects.get(ref="LEGACY-1")
    assert dossier.status == "returned"
    forwards = dossier.events.filter(action="forward")
    assert forwards.exists()
    assert all("importer" in e.reason for e in forwards)  # the importer says it advanced steps
    assert audit_verify()[1] == []


def test_export_dossiers_prints_the_agreed_fields(staff: Staff, tmp_path: Path) -> None:
    with pytest.raises(CommandError):
        call_command(
            "import_events",
            str(write_events(tmp_path, legacy_events(staff))),
            "--no-progress",
            stdout=StringIO(),
            stderr=StringIO(),
        )
    out = StringIO()
    call_command("export_dossiers", stdout=out)
    row = json.loads(out.getvalue().splitlines()[0])
    assert row["ref"] == "LEGACY-1"
    assert row["national_status"] == 10
    assert row["received_at"] == "2026-03-02T09:05:00+07:00"
    # 7 working days (11/3 17:00) + 15 working hours paused (3/3 10:00 → 5/3 09:00)
    assert row["due_at"] == "2026-03-13T16:00:00+07:00"
    assert row["on_time"] is True
    assert (row["supplement_requests"], row["apologies"]) == (1, 0)
    assert set(row) >= {
        "ref",
        "code",
        "procedure",
        "status",
        "national_status",
        "received_at",
        "due_at",
        "finished_at",
        "on_time",
        "supplement_requests",
        "apologies",
    }


@pytest.mark.django_db(transaction=True)
def test_two_officers_acting_at_once_one_wins(tmp_path: Path) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks between threads are a PostgreSQL test; SQLite serialises writers")
    staff = Staff()
    dossier = received(staff)
    version = dossier.version
    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def forward() -> None:
        barrier.wait()
        try:
            s.dossier_forward(
                dossier=dossier,
                actor=staff.specialist,
                at=at("2026-03-02 10:00"),
                expected_version=version,
            )
            outcomes.append("won")
        except DomainError as error:
            outcomes.append(type(error).__name__)
        finally:
            connection.close()

    threads = [threading.Thread(target=forward) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["StaleDossier", "won"]
    assert Dossier.objects.get(pk=dossier.pk).version == version + 1


@pytest.mark.django_db(transaction=True)
def test_codes_stay_unique_when_two_threads_receive_at_once() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("concurrent allocation is a PostgreSQL test")
    staff = Staff()
    from .conftest import submitted

    dossiers = [submitted(staff) for _ in range(6)]
    codes: list[str] = []

    def receive(dossier: Dossier) -> None:
        try:
            codes.append(
                s.dossier_receive(
                    dossier=dossier, actor=staff.reception, at=at("2026-03-02 09:00")
                ).code
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=receive, args=(d,)) for d in dossiers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(codes) == len(set(codes)) == 6


STEPS = [
    "forward",
    "supplement",
    "resupply",
    "payment",
    "pay",
    "reject",
    "approve",
    "complete",
    "return",
    "withdraw",
    "apologize",
]


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.sampled_from(STEPS), max_size=8))
def test_random_action_sequences_keep_the_invariants(staff: Staff, steps: list[str]) -> None:
    dossier = received(staff)
    when = at("2026-03-02 10:00")
    for number, name in enumerate(steps):
        moment = when.replace(minute=number)
        before = Dossier.objects.get(pk=dossier.pk)
        try:
            dossier = run_step(name, dossier, staff, moment)
        except DomainError:
            after = Dossier.objects.get(pk=dossier.pk)
            assert (after.version, after.status) == (
                before.version,
                before.status,
            )  # refusals change nothing
            continue
        assert before.status not in FINAL  # a finished dossier never changes
        assert dossier.supplement_requests <= 1
        assert dossier.apologies <= 1
        assert DossierEvent.objects.filter(dossier=dossier).count() == dossier.version
    assert not list(audit_verify(Dossier.objects.filter(pk=dossier.pk))[1])


def run_step(name: str, d: Dossier, st: Staff, t) -> Dossier:
    match name:
        case "forward":
            return s.dossier_forward(dossier=d, actor=st.specialist, at=t)
        case "supplement":
            return s.dossier_request_supplement(
                dossier=d, actor=st.specialist, at=t, reason="thiếu"
            )
        case "resupply":
            return s.dossier_submit_supplement(dossier=d, actor=st.reception, at=t)
        case "payment":
            return s.dossier_request_payment(dossier=d, actor=st.specialist, at=t, amount_vnd=1000)
        case "pay":
            return s.dossier_pay(dossier=d, actor=st.reception, at=t, amount_vnd=1000)
        case "reject":
            return s.dossier_reject(dossier=d, actor=st.leader, at=t, reason="không đủ")
        case "approve":
            return s.dossier_approve(dossier=d, actor=st.leader, at=t, note="đồng ý")
        case "complete":
            return s.dossier_complete(dossier=d, actor=st.specialist, at=t)
        case "return":
            return s.dossier_return_result(dossier=d, actor=st.reception, at=t)
        case "withdraw":
            return s.dossier_withdraw(dossier=d, actor=st.reception, at=t)
        case _:
            return s.dossier_apologize(
                dossier=d, actor=st.leader, at=t, reason="muộn", new_due=at("2026-04-29 17:00")
            )


def test_a_legacy_completion_without_an_approval_is_recorded_by_the_system(
    staff: Staff, tmp_path: Path
) -> None:
    base = {"dossier": "LEGACY-2"}
    lines = [
        {**base, "at": "2026-03-02T09:00:00+07:00", "action": "submit", "actor": staff.reception.username,
         "procedure": "1.004222", "unit": "hn-cong-an-phuong-hoan-kiem", "channel": "counter",
         "applicant": {"name": "Lê Văn Cường"}},
        {**base, "at": "2026-03-02T09:05:00+07:00", "action": "receive", "actor": staff.reception.username},
        {**base, "at": "2026-03-09T10:00:00+07:00", "action": "complete", "actor": staff.specialist.username},
        {**base, "at": "2026-03-10T10:00:00+07:00", "action": "return_result", "actor": staff.reception.username},
    ]  # fmt: skip
    refused = [
        r for r in events_replay(write_events(tmp_path, lines).read_text().splitlines()) if r[2]
    ]
    assert refused == []
    dossier = Dossier.objects.get(ref="LEGACY-2")
    assert (dossier.status, dossier.decision) == ("returned", "approved")
    completion = dossier.events.get(action="complete")
    assert completion.actor is None
    assert staff.specialist.username in completion.reason


def test_a_refused_line_changes_nothing_not_even_the_steps_it_implied(
    staff: Staff, tmp_path: Path
) -> None:
    base = {"dossier": "LEGACY-3"}
    lines = [
        {**base, "at": "2026-03-02T09:00:00+07:00", "action": "submit", "actor": staff.reception.username,
         "procedure": "1.004222", "unit": "hn-cong-an-phuong-hoan-kiem", "channel": "counter",
         "applicant": {"name": "Lê Văn Cường"}},
        {**base, "at": "2026-03-02T09:05:00+07:00", "action": "receive", "actor": staff.reception.username},
        # A specialist may not sign: refused, and the importer's move to the signing step with it.
        {**base, "at": "2026-03-09T10:00:00+07:00", "action": "approve", "actor": staff.specialist.username},
    ]  # fmt: skip
    results = list(events_replay(write_events(tmp_path, lines).read_text().splitlines()))
    assert [bool(reason) for _n, _ref, reason in results] == [False, False, True]
    dossier = Dossier.objects.get(ref="LEGACY-3")
    assert (dossier.status, dossier.version, dossier.decision) == ("received", 2, "")
    assert not dossier.events.filter(action="forward").exists()
