"""The organisation data file: the real one, and what a broken one is told."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import yaml
from django.conf import settings

from motcua.organizations.unit_data import UnitDataError, plan_from_document, plan_from_file


def minimal_document(**extra_units: dict) -> dict:
    units = [
        {"code": "hn", "name": "Thành phố Hà Nội", "kind": "city_committee", "parent": None},
        {"code": "hn-cong-an", "name": "Công an thành phố Hà Nội", "kind": "central_agency",
         "parent": None},
        {"code": "hn-phuong-a", "name": "Phường A", "kind": "ward", "parent": "hn",
         "official_code": "00001"},
    ]  # fmt: skip
    units.extend(extra_units.values())
    return {"units": units}


def problems_of(document: dict) -> list[str]:
    with pytest.raises(UnitDataError) as caught:
        plan_from_document(document)
    return caught.value.problems


def test_real_file_has_162_units_with_51_wards_and_75_communes() -> None:
    plan = plan_from_file(Path(settings.MOTCUA_UNITS_FILE))
    kinds = Counter(record.kind for record in plan.file_units)
    assert len(plan.file_units) == 162
    assert kinds["ward"] == 51
    assert kinds["commune"] == 75


def test_each_commune_level_unit_gets_its_own_police_unit() -> None:
    plan = plan_from_file(Path(settings.MOTCUA_UNITS_FILE))
    police = [r for r in plan.derived_units if r.kind == "commune_police"]
    assert len(police) == 126
    assert len({r.area_code for r in police}) == 126
    hoan_kiem = next(r for r in police if r.area_code == "hn-phuong-hoan-kiem")
    assert hoan_kiem.name == "Công an phường Hoàn Kiếm"
    assert hoan_kiem.parent_code == "hn-cong-an"


def test_every_merge_of_2025_is_recorded_as_a_succession() -> None:
    document = yaml.safe_load(Path(settings.MOTCUA_UNITS_FILE).read_text(encoding="utf-8"))
    listed = sum(len(u.get("predecessors") or []) for u in document["units"])
    plan = plan_from_document(document)
    assert len(plan.successions) == listed
    assert {s.effective_on.isoformat() for s in plan.successions} == {"2025-07-01"}


def test_unknown_parent_code_is_reported_in_vietnamese_and_english() -> None:
    document = minimal_document(
        bad={"code": "hn-so-x", "name": "Sở X", "kind": "department", "parent": "hn-khong-co"}
    )
    problems = problems_of(document)
    assert len(problems) == 1
    assert "hn-so-x" in problems[0]
    assert "không có trong tệp" in problems[0]
    assert "unknown parent unit code 'hn-khong-co'" in problems[0]


def test_duplicate_code_is_reported() -> None:
    document = minimal_document(
        dup={"code": "hn-phuong-a", "name": "Phường B", "kind": "ward", "parent": "hn",
             "official_code": "00002"}
    )  # fmt: skip
    assert any("duplicate unit code" in p for p in problems_of(document))


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("kind", "quan", "unknown kind"),
        ("official_code", "12", "must be 5 digits"),
        ("code", "Hn Phuong", "malformed code"),
        ("name", "", "missing name"),
        ("valid_from", "31/02/2025", "invalid date"),
    ],
)
def test_malformed_unit_fields_are_reported(field: str, value: str, expected: str) -> None:
    document = minimal_document()
    document["units"][2][field] = value
    assert any(expected in p for p in problems_of(document))


def test_cycle_in_the_tree_is_reported() -> None:
    document = minimal_document(
        a={"code": "hn-a", "name": "A", "kind": "department", "parent": "hn-b"},
        b={"code": "hn-b", "name": "B", "kind": "department", "parent": "hn-a"},
    )
    assert any("cycle" in p for p in problems_of(document))


def test_every_problem_is_reported_at_once() -> None:
    document = minimal_document(
        a={"code": "hn-a", "name": "A", "kind": "nope", "parent": None},
        b={"code": "hn-b", "name": "B", "kind": "department", "parent": "hn-zzz"},
    )
    assert len(problems_of(document)) == 2


def test_unknown_merge_wording_is_kept_as_partial_with_a_warning() -> None:
    document = minimal_document()
    document["former_district_names"] = {"001": "Quận Một"}
    document["units"][2]["predecessors"] = [
        {"old_code": "00009", "name": "Phường Cũ", "district": "001", "merge": "Nhập kiểu lạ"}
    ]
    plan = plan_from_document(document)
    assert plan.successions[0].kind == "part"
    assert any("Nhập kiểu lạ" in w for w in plan.warnings)


def test_unparseable_yaml_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "units.yaml"
    path.write_text("units: [ {code: hn", encoding="utf-8")
    with pytest.raises(UnitDataError) as caught:
        plan_from_file(path)
    assert "YAML không hợp lệ" in caught.value.problems[0]


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(UnitDataError) as caught:
        plan_from_file(tmp_path / "none.yaml")
    assert "data file not found" in caught.value.problems[0]
