"""Loading the unit tree into the database: counts, idempotence, atomicity, history."""

from __future__ import annotations

import datetime
from io import StringIO
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from motcua.organizations.models import Unit, UnitSuccession
from motcua.organizations.selectors import unit_descendant_ids, unit_list
from motcua.organizations.services import unit_tree_load
from motcua.organizations.unit_data import UnitDataError

pytestmark = pytest.mark.django_db


def units_file_copy(tmp_path: Path, change: dict | None = None) -> Path:
    document = yaml.safe_load(Path(settings.MOTCUA_UNITS_FILE).read_text(encoding="utf-8"))
    for unit in document["units"]:
        if change and unit["code"] == change["code"]:
            unit.update(change)
    path = tmp_path / "units.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    return path


def test_current_tree_has_the_162_units_of_the_file() -> None:
    assert Unit.objects.filter(origin="data_file").count() == 162
    assert unit_list(kind="ward").count() == 51
    assert unit_list(kind="commune").count() == 75
    assert unit_list(kind="commune_police").count() == 126


def test_reloading_changes_nothing() -> None:
    before = Unit.objects.count()
    report = unit_tree_load(path=Path(settings.MOTCUA_UNITS_FILE))
    assert (report.created, report.updated) == (0, 0)
    assert report.unchanged == before
    assert Unit.objects.count() == before


def test_reloading_an_edited_file_updates_only_that_unit(tmp_path: Path) -> None:
    path = units_file_copy(tmp_path, {"code": "hn-so-tu-phap", "address": "1B Trần Phú"})
    report = unit_tree_load(path=path)
    assert (report.created, report.updated) == (0, 1)
    assert Unit.objects.get(code="hn-so-tu-phap").address == "1B Trần Phú"


def test_a_bad_file_writes_nothing(tmp_path: Path) -> None:
    path = units_file_copy(
        tmp_path, {"code": "hn-so-tu-phap", "address": "changed", "parent": "hn-khong-ton-tai"}
    )
    with pytest.raises(UnitDataError):
        unit_tree_load(path=path)
    assert Unit.objects.get(code="hn-so-tu-phap").address == ""


def test_former_units_end_on_30_june_2025_and_hand_over_to_new_wards() -> None:
    hoan_kiem = Unit.objects.get(code="hn-phuong-hoan-kiem")
    predecessors = UnitSuccession.objects.filter(successor=hoan_kiem).select_related("predecessor")
    names = {s.predecessor.name for s in predecessors}
    assert "Phường Hàng Bạc" in names
    for succession in predecessors:
        assert succession.predecessor.valid_until == datetime.date(2025, 6, 30)
        assert succession.predecessor.kind == "former_commune"


def test_the_tree_on_a_date_before_the_merger_has_no_new_wards() -> None:
    before = datetime.date(2025, 6, 30)
    assert unit_list(kind="ward", on=before).count() == 0
    assert unit_list(kind="former_commune", on=before).count() == 526
    assert unit_list(kind="former_commune").count() == 0


def test_descendants_of_the_service_center_are_its_twelve_branches() -> None:
    center = Unit.objects.get(code="hn-pvhcc")
    branches = unit_descendant_ids([center.pk]) - {center.pk}
    assert set(Unit.objects.filter(pk__in=branches).values_list("kind", flat=True)) == {
        "service_center_branch"
    }
    assert len(branches) == 12


def test_units_command_lists_the_51_wards() -> None:
    out = StringIO()
    call_command("units", kind="ward", stdout=out)
    lines = out.getvalue().strip().splitlines()
    assert len(lines) == 52
    assert lines[-1] == "Tổng / total: 51"
    assert any("Phường Hoàn Kiếm" in line and "00070" in line for line in lines)


def test_units_command_refuses_an_unknown_kind_with_exit_status_2() -> None:
    with pytest.raises(CommandError) as caught:
        call_command("units", kind="quan")
    assert caught.value.returncode == 2
    assert "unknown kind" in str(caught.value)


def test_units_command_refuses_a_bad_date() -> None:
    with pytest.raises(CommandError) as caught:
        call_command("units", on="31/02/2025")
    assert "Ngày không hợp lệ" in str(caught.value)


def test_load_units_command_reports_every_problem_and_exits_2(tmp_path: Path) -> None:
    path = units_file_copy(tmp_path, {"code": "hn-so-tu-phap", "parent": "hn-khong-ton-tai"})
    err = StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("load_units", str(path), stderr=err)
    assert caught.value.returncode == 2
    assert "hn-khong-ton-tai" in err.getvalue()
    assert "nothing was written" in str(caught.value)
