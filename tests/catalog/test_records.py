"""Mapping one national record to the catalog: competence, cases, documents, gaps, e-forms."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import pytest
from django.conf import settings
from jsonschema import Draft202012Validator

from motcua.catalog.competence import competence_of
from motcua.catalog.eforms import HAND_WRITTEN, eform_for
from motcua.catalog.records import procedure_record, record_data, with_eform

FOLDER = Path(settings.MOTCUA_PROCEDURES_DIR)


def raw(code: str) -> tuple[dict, dict | None]:
    catalog = next(
        json.loads(line) for line in FOLDER.joinpath("catalog.jsonl").open() if f'"{code}"' in line
    )
    details = next(
        (
            json.loads(line)
            for line in FOLDER.joinpath("details.jsonl").open()
            if f'"code": "{code}"' in line or f'"code":"{code}"' in line
        ),
        None,
    )
    return catalog, details


@pytest.mark.parametrize(
    ("bodies", "level", "unit"),
    [
        (["Ủy ban nhân dân cấp xã"], "commune", None),
        (["Công an cấp Xã"], "commune", None),
        (["Sở Tư pháp"], "department", "hn-so-tu-phap"),
        (["Sở Lao động - Thương binh và Xã hội"], "department", "hn-so-noi-vu"),  # merged 2025
        (["Sở Kế hoạch và Đầu tư"], "department", "hn-so-tai-chinh"),
        (["Chủ tịch ủy ban nhân dân cấp tỉnh"], "city", "hn-ct-ubnd"),
        (["Bảo hiểm xã hội tỉnh"], "central_local", "hn-bhxh"),
        (["Bộ Công an"], "ministry", None),
        (["Sở Tư pháp", "Ủy ban nhân dân cấp xã"], "commune", None),  # the closest door wins
        ([""], "unknown", None),
        (["Sở Ngoại vụ Thành phố Hồ Chí Minh - Bộ Ngoại giao"], "unknown", None),
        (["Văn phòng đăng ký đất đai Bắc Ninh"], "unknown", None),
    ],
)
def test_executing_bodies_map_to_hanoi_units(
    bodies: list[str], level: str, unit: str | None
) -> None:
    competence = competence_of(bodies)
    assert competence.level == level
    assert competence.deciding_unit == unit


def test_a_record_without_body_uses_the_level_named_in_its_name() -> None:
    competence = competence_of(
        [""], name="Cấp hộ chiếu (thực hiện tại cấp tỉnh)", promulgating_body="Bộ Công an"
    )
    assert (competence.level, competence.deciding_unit) == ("central_local", "hn-cong-an")


def test_permanent_residence_keeps_its_seven_groups_apart() -> None:
    """Six situations, and a seventh the record names like the owner's (its vehicle papers):
    kept apart, each told apart by its first document."""
    record = procedure_record(*raw("1.004222"))
    named = [group.name for group in record.groups if group.name]
    assert len(named) == 7
    assert len(set(named)) == 7
    owner = "Đăng ký thường trú vào chỗ ở hợp pháp thuộc quyền sở hữu của mình — "
    assert named[0].startswith(owner)
    assert "phương tiện" in named[0]
    assert named[-1].startswith(owner + "Thông tin chứng minh về chỗ ở hợp pháp")
    assert record.level == "commune"
    assert record.commune_body == "police"
    assert record.online_level == "full"
    assert [(c.code, c.time_quantity, c.time_unit) for c in record.cases] == [
        ("1.004222.01", 7, "working_day")
    ]


def test_fees_per_channel_keep_amounts_and_exemption_text() -> None:
    record = procedure_record(*raw("1.004222"))
    fees = {c.method: [f.amount_vnd for f in c.fees] for c in record.channels}
    assert fees["online"] == [10000]
    assert fees["direct"] == [20000]


def test_a_catalog_only_record_is_imported_with_its_gap_noted() -> None:
    record = procedure_record(*raw("1.001612"))
    assert not record.has_details
    assert "no detailed record (documents, fees, time limit)" in record.gaps
    assert record.online_level == "unknown"
    assert record.in_hanoi_set


def test_ministry_procedures_are_not_in_the_hanoi_set() -> None:
    catalog, details = raw("2.002352")  # diplomatic passports, Ministry of Foreign Affairs
    assert not procedure_record(catalog, details).in_hanoi_set


def test_another_provinces_specific_procedure_is_not_in_the_hanoi_set() -> None:
    catalog, details = raw("3.000616")  # Huế
    assert not procedure_record(catalog, details).in_hanoi_set


@pytest.mark.parametrize("code", sorted(HAND_WRITTEN))
def test_hand_written_eforms_are_valid_json_schemas(code: str) -> None:
    Draft202012Validator.check_schema(HAND_WRITTEN[code])


def test_generic_eform_offers_the_cases_to_choose_from() -> None:
    schema = eform_for("9.999999", "Thủ tục thử", ["Trường hợp A", "Trường hợp B", ""])
    Draft202012Validator.check_schema(schema)
    assert schema["properties"]["truong_hop"]["enum"] == ["Trường hợp A", "Trường hợp B"]
    answer = {
        "nguoi_yeu_cau": {"ho_ten": "Lê Văn Cường", "so_dinh_danh": "001090012345"},
        "noi_dung_yeu_cau": "x",
        "truong_hop": "Trường hợp A",
    }
    assert not list(Draft202012Validator(schema).iter_errors(answer))
    bad = {**answer, "nguoi_yeu_cau": {"ho_ten": "A", "so_dinh_danh": "123"}}
    assert list(Draft202012Validator(schema).iter_errors(bad))


def test_record_data_is_what_asdict_gives_so_stored_hashes_stay_valid() -> None:
    """Each catalog row keeps the hash of its record; a re-import compares it. The importer's
    faster ``record_data`` must give exactly what ``dataclasses.asdict`` gave, for records with
    details (cases, channels, requirement groups, e-forms) and without."""
    details = {}
    for line in FOLDER.joinpath("details.jsonl").open():
        detail = json.loads(line)
        details[detail["code"]] = detail
    catalog = [json.loads(line) for line in FOLDER.joinpath("catalog.jsonl").open()]
    chosen = [raw for raw in catalog if raw["code"] in details][:300] + catalog[:300]
    for raw in chosen:
        record = with_eform(procedure_record(raw, details.get(raw["code"])))
        assert record_data(record) == asdict(record), raw["code"]
        assert type(record_data(record)["cases"]) is type(asdict(record)["cases"])
