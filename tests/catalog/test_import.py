"""The import of the national records: complete, idempotent, versioned, tolerant of bad lines."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.conf import settings

from motcua.catalog.importer import catalog_import
from motcua.catalog.models import Procedure, ProcedureVersion, Requirement, RequirementGroup

pytestmark = pytest.mark.django_db
FOLDER = Path(settings.MOTCUA_PROCEDURES_DIR)


def test_all_5670_records_are_in_the_catalog() -> None:
    lines = sum(1 for line in FOLDER.joinpath("catalog.jsonl").open() if line.strip())
    assert lines == 5670
    assert Procedure.objects.count() == 5670
    assert Procedure.objects.filter(has_details=True).count() == 502


def test_the_two_records_sharing_a_code_are_both_kept() -> None:
    assert Procedure.objects.filter(code="1.014325").count() == 2


def test_reimporting_changes_nothing() -> None:
    report = catalog_import(catalog=FOLDER / "catalog.jsonl", details=FOLDER / "details.jsonl")
    assert (report.created, report.updated, report.unchanged) == (0, 0, 5670)


def test_the_report_lists_what_was_incomplete() -> None:
    report = catalog_import(catalog=FOLDER / "catalog.jsonl", details=FOLDER / "details.jsonl")
    assert report.gaps["no detailed record"] == 5670 - 502
    assert report.gaps["executing body not recognised"] > 0  # hospitals, test centres (issue 13)
    assert report.gaps["central agency, no Hà Nội counter"] > 300  # with the rule that says so
    assert report.incomplete > 0
    assert all(report.examples[reason] for reason in report.gaps)


def small_files(tmp_path: Path, catalog_lines: list[str]) -> tuple[Path, Path]:
    catalog, details = tmp_path / "catalog.jsonl", tmp_path / "details.jsonl"
    catalog.write_text("\n".join(catalog_lines) + "\n", encoding="utf-8")
    details.write_text("", encoding="utf-8")
    return catalog, details


def test_bad_lines_are_skipped_and_reported(tmp_path: Path) -> None:
    good = json.dumps(
        {
            "id": "test-1",
            "code": "9.000001",
            "name": "Thủ tục thử",
            "type": "STANDARD",
            "departments": ["Sở Tư pháp"],
        }
    )
    catalog, details = small_files(
        tmp_path,
        [good, "{not json", "[1, 2]", json.dumps({"id": "test-2", "code": "", "name": "x"})],
    )
    report = catalog_import(catalog=catalog, details=details)
    assert report.created == 1
    assert sorted((s.line, s.reason.split(" (")[0]) for s in report.skipped) == [
        (2, "invalid JSON"), (3, "not a JSON object"), (4, "no code or no name"),
    ]  # fmt: skip
    assert Procedure.objects.get(code="9.000001").deciding_unit.code == "hn-so-tu-phap"


def test_a_changed_record_gets_a_new_version_with_a_snapshot(tmp_path: Path) -> None:
    record = {"id": "test-v", "code": "9.000002", "name": "Thủ tục A", "type": "STANDARD"}
    catalog, details = small_files(tmp_path, [json.dumps(record)])
    catalog_import(catalog=catalog, details=details)
    record["name"] = "Thủ tục A (sửa đổi)"
    catalog, details = small_files(tmp_path, [json.dumps(record)])
    report = catalog_import(catalog=catalog, details=details)
    procedure = Procedure.objects.get(source_id="test-v")
    assert report.updated == 1
    assert procedure.version == 2
    assert (
        ProcedureVersion.objects.get(procedure=procedure, version=2).snapshot["name"]
        == "Thủ tục A (sửa đổi)"
    )
    assert (
        ProcedureVersion.objects.get(procedure=procedure, version=1).snapshot["name"] == "Thủ tục A"
    )


def test_same_named_document_groups_stay_apart() -> None:
    """1.004222 names its vehicle group like its owner group; merged, a home owner was asked for
    vehicle papers. Apart, the owner's group holds the owner's documents only."""
    groups = RequirementGroup.objects.filter(procedure__code="1.004222").prefetch_related("items")
    owner = "Đăng ký thường trú vào chỗ ở hợp pháp thuộc quyền sở hữu của mình"
    named = [g for g in groups if g.name.startswith(owner)]
    assert len(named) == 2
    vehicle = [any("phương tiện" in item.name for item in g.items.all()) for g in named]
    assert vehicle.count(True) == 1
    owners = next(g for g, has_vehicle in zip(named, vehicle, strict=True) if not has_vehicle)
    assert any("CT01" in item.name for item in owners.items.all())
    # Each name says which case it is: by its first document, not by a rank.
    vehicles = next(g for g, has_vehicle in zip(named, vehicle, strict=True) if has_vehicle)
    assert "phương tiện" in vehicles.name
    assert "phương tiện" not in owners.name
    assert len({g.name for g in groups}) == len(groups)


def test_abolished_papers_are_flagged() -> None:
    """Sổ hộ khẩu / Sổ tạm trú: abolished from 01/01/2023 (Law on Residence 2020, art. 38)."""
    flagged = Requirement.objects.filter(group__procedure__code="2.000986").exclude(
        abolished_note=""
    )
    assert flagged.exists()
    assert all("2023" in item.abolished_note for item in flagged)
    assert (
        not Requirement.objects.filter(
            group__procedure__code="1.004222", name__icontains="sổ hộ khẩu"
        )
        .exclude(abolished_note="")
        .exists()
    )


def test_executing_bodies_are_listed_once() -> None:
    procedure = Procedure.objects.get(code="1.004222", in_hanoi_set=True)
    assert procedure.executing_bodies == ["Công an cấp Xã"]
