"""`motcua demo-data`: histories of every ward's procedures, which the real rules accept."""

from __future__ import annotations

import datetime
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django_tasks_db.models import DBTaskResult

from motcua.bundles.constants import BundleStatus
from motcua.bundles.demo import bundles_share, stages_by
from motcua.bundles.models import Bundle
from motcua.catalog.constants import CompetenceLevel
from motcua.dossiers.audit import audit_verify
from motcua.dossiers.constants import Decision, Status
from motcua.dossiers.demo.plan import offices_of, procedures_chosen
from motcua.dossiers.models import Dossier
from motcua.worktime.engine import VIETNAM_OFFSET

pytestmark = pytest.mark.django_db


def demo(*args: str) -> str:
    err = StringIO()
    call_command(
        "demo_data", "--seed", "3", "--from", "01/09/2026", "--to", "30/09/2026", "--no-progress",
        *args, stdout=StringIO(), stderr=err,
    )  # fmt: skip
    return err.getvalue()


def test_every_ward_and_its_police_and_fifty_procedures_are_covered() -> None:
    wards, police = offices_of()
    assert len(wards) == 126
    assert set(police) == {ward.pk for ward in wards}
    chosen = procedures_chosen()
    assert len(chosen) == len({p.code for p in chosen}) == 50
    assert all(p.level == CompetenceLevel.COMMUNE and p.in_hanoi_set for p in chosen)
    rated = [p.popularity for p in chosen if p.popularity]
    assert rated == sorted(rated, reverse=True)
    assert chosen[0].code == "1.001193"  # khai sinh: the seed's most common procedure


def test_generated_histories_pass_the_rules_and_the_audit() -> None:
    summary = demo("--dossiers", "40", "--wards", "3")
    assert "40 hồ sơ / dossiers" in summary
    dossiers = Dossier.objects.filter(ref__startswith="DL3-")
    assert dossiers.count() == 40
    assert dossiers.filter(status=Status.RETURNED).exists()
    assert dossiers.exclude(code=None).count() >= 30  # most are received
    assert len({d.receiving_unit_id for d in dossiers}) > 1
    assert audit_verify()[1] == []


def test_the_same_seed_gives_the_same_lines_which_import_events_accepts(tmp_path: Path) -> None:
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    demo("--dossiers", "15", "--wards", "2", "--output", str(first))
    demo("--dossiers", "15", "--wards", "2", "--output", str(second))
    assert first.read_bytes() == second.read_bytes()
    out = StringIO()
    call_command(
        "import_events", str(first), "--fast", "--no-progress", stdout=out, stderr=StringIO()
    )
    assert out.getvalue() == ""  # no line refused
    assert Dossier.objects.filter(ref__startswith="DL3-").count() == 15


def test_linked_bundles_go_through_every_agency_and_the_saga() -> None:
    summary = demo("--dossiers", "10", "--wards", "3", "--bundles", "4")
    assert "4 hồ sơ liên thông / linked bundles" in summary
    bundles = list(Bundle.objects.prefetch_related("members__dossier"))
    assert len(bundles) == 4
    for bundle in bundles:
        assert bundle.status == BundleStatus.DONE, (bundle.ref, bundle.status)
        members = list(bundle.members.all())
        assert len(members) == 3
        for member in members:
            assert member.dossier is not None
            assert member.dossier.decision == Decision.APPROVED
            assert member.dossier.receiving_unit_id == member.unit_id
        assert len({member.unit_id for member in members}) == 3  # ward, police, insurance
    # Their receipts render on first download, as an import's do; no saga task is left.
    assert (
        not DBTaskResult.objects.filter(status="READY")
        .exclude(task_path__endswith="notification_deliver")
        .exists()
    )
    assert audit_verify()[1] == []


def test_bundles_default_to_the_city_share_and_stop_at_the_last_moment() -> None:
    assert bundles_share(4_500_000) == 134_784 + 1_017
    assert bundles_share(100) == 3
    at = datetime.datetime(2026, 9, 30, 9, 0, tzinfo=VIETNAM_OFFSET)
    until = at + datetime.timedelta(hours=2, minutes=30)
    assert [moment.hour for moment in stages_by(at, until)] == [10, 11]
    assert len(list(stages_by(at, at + datetime.timedelta(days=1)))) == 4


@pytest.mark.parametrize("given", ["-1", "ba"])
def test_a_bad_number_of_bundles_is_refused_before_anything_is_written(given: str) -> None:
    with pytest.raises(CommandError, match="--bundles: phải là số nguyên ≥ 0 / must be a whole"):
        demo("--dossiers", "5", "--wards", "2", "--bundles", given)
    assert not Dossier.objects.exists()
