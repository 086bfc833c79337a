"""`export-dossiers` and `audit verify` stream lean rows in id ranges, in one process or more,
and say the same as reading dossier by dossier (docs/decisions/0016)."""

from __future__ import annotations

import datetime
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from motcua.common.clock import clock_set_to
from motcua.common.parallel import id_ranges
from motcua.dossiers import audit_stream
from motcua.dossiers import services as s
from motcua.dossiers.audit_roots import audit_publish, audit_scan
from motcua.dossiers.bulk import export
from motcua.dossiers.bulk.export import dossiers_export
from motcua.dossiers.models import AuditRoot, Dossier, DossierEvent, IssuedDocument
from motcua.dossiers.replay import dossier_export_row

from .conftest import Staff, at, received

pytestmark = pytest.mark.django_db


def decided(staff: Staff, when: str) -> Dossier:
    dossier = s.dossier_forward(dossier=received(staff, when), actor=staff.specialist, at=at(when))
    return s.dossier_approve(dossier=dossier, actor=staff.leader, at=at(when), note="Đồng ý")


def histories(staff: Staff) -> list[Dossier]:
    return [
        decided(staff, "2026-03-02 09:00"),
        received(staff, "2026-03-03 09:00"),
        decided(staff, "2026-03-04 09:00"),
        received(staff, "2026-03-05 09:00"),
    ]


def test_export_streams_the_agreed_row_of_every_dossier(staff: Staff) -> None:
    histories(staff)
    moment = at("2026-03-20 09:00")
    with clock_set_to(moment):
        out = StringIO()
        call_command("export_dossiers", "--no-progress", stdout=out)
    # The data store adds its reuse counts and the 766 flags (decision 0030); these counter
    # dossiers reused nothing, scanned nothing, have no account and no electronic result.
    reuse = {"reused_components": 0, "from_store": 0} | {
        "digitised": False, "electronic_result": False, "identity_verified": False,
        "population_data": False,
    }  # fmt: skip
    expected = [
        dossier_export_row(d, moment) | reuse
        for d in Dossier.objects.select_related(
            "procedure", "receiving_unit", "deciding_unit"
        ).order_by("pk")
    ]
    assert [json.loads(line) for line in out.getvalue().splitlines()] == expected
    assert expected[1]["on_time"] is False  # received, never decided, past its due date


def test_export_range_by_range_is_the_export_in_one_pass(
    staff: Staff, monkeypatch: pytest.MonkeyPatch
) -> None:
    histories(staff)
    moment = at("2026-03-20 09:00")
    whole, ranged = StringIO(), StringIO()
    assert dossiers_export(whole, at=moment) == 4
    monkeypatch.setattr(export, "RANGE", 1)
    assert dossiers_export(ranged, at=moment) == 4
    assert ranged.getvalue() == whole.getvalue()


def export_queries(moment: datetime.datetime) -> int:
    with CaptureQueriesContext(connection) as done:
        dossiers_export(StringIO(), at=moment)
    return len(done.captured_queries)


def test_the_export_costs_the_same_queries_for_two_dossiers_or_twenty(staff: Staff) -> None:
    """The added columns are read per range of ids, never per dossier."""
    moment = at("2026-03-20 09:00")
    for day in ("2026-03-02 09:00", "2026-03-03 09:00"):
        decided(staff, day)
    few = export_queries(moment)
    for _ in range(18):
        decided(staff, "2026-03-04 09:00")
    assert Dossier.objects.count() == 20
    assert export_queries(moment) == few


def deleted(dossier: Dossier) -> None:
    IssuedDocument.objects.filter(dossier=dossier).delete()
    DossierEvent.objects.filter(dossier=dossier).delete()
    Dossier.objects.filter(pk=dossier.pk).delete()


def test_verify_over_many_ranges_finds_what_one_range_finds(
    staff: Staff, monkeypatch: pytest.MonkeyPatch
) -> None:
    dossiers = histories(staff)
    audit_publish(at=at("2026-03-06 09:00"))
    DossierEvent.objects.filter(dossier=dossiers[2], seq=2).update(reason="sửa lén")
    deleted(dossiers[1])
    whole = audit_scan()
    monkeypatch.setattr(audit_stream, "RANGE", 1)  # one dossier per range
    ranged = audit_scan()
    assert ranged.problems == whole.problems
    assert (ranged.dossiers, ranged.events) == (whole.dossiers, whole.events)
    assert ranged.dossiers == 3
    assert {p.problem for p in ranged.problems} == {
        "event content changed after it was written",
        "dossier deleted since the published root",
    }


def test_tails_written_range_by_range_are_those_of_one_pass(
    staff: Staff, monkeypatch: pytest.MonkeyPatch
) -> None:
    histories(staff)
    first, _ = audit_publish(at=at("2026-03-06 09:00"))
    monkeypatch.setattr(audit_stream, "RANGE", 1)
    second, _ = audit_publish(at=at("2026-03-06 10:00"))
    assert second.root == first.root
    assert second.dossiers == first.dossiers == 4


@pytest.mark.django_db(transaction=True)
def test_several_processes_report_and_export_what_one_process_does(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("other processes see committed rows of a server database only")
    staff = Staff()
    dossiers = histories(staff)
    DossierEvent.objects.filter(dossier=dossiers[0], seq=3).update(actor_name="ai-do")
    monkeypatch.setattr(audit_stream, "RANGE", 1)
    alone = audit_scan(against_root=False, workers=1)
    together = audit_scan(against_root=False, workers=2)
    assert together.problems == alone.problems
    assert (together.dossiers, together.events) == (alone.dossiers, alone.events)
    assert [p.problem for p in together.problems] == ["event content changed after it was written"]
    monkeypatch.setattr(export, "RANGE", 1)
    alone_out, together_out = StringIO(), StringIO()
    moment = at("2026-03-20 09:00")
    assert dossiers_export(alone_out, at=moment, workers=1) == 4
    assert dossiers_export(together_out, at=moment, workers=2) == 4
    assert together_out.getvalue() == alone_out.getvalue()


def test_id_ranges_hold_every_row_and_skip_the_gaps() -> None:
    """Export and verify cut their work into ranges of ids that hold rows: ids far apart (a
    database whose sequences ran on, a jump) cost one query per range, not a task per gap."""
    for number, pk in enumerate((5, 7, 150, 10**10 + 3), start=1):
        AuditRoot.objects.create(
            pk=pk, number=number, published_at=at("2026-03-02 09:00"), reason="test", dossiers=0,
            events=0, root="", key_fingerprint="", document="{}",
        )  # fmt: skip
    ranges = list(id_ranges(AuditRoot.objects.all(), 100))
    assert ranges == [(0, 105), (105, 250), (250, 10**10 + 103)]
