"""Bundle definitions as data: the shipped file, the choices it allows, the limits it gives, the
facts it asks for, and a broken or overlapping file refused with every problem named."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.conf import settings

from motcua.bundles.definitions import (
    DefinitionFile,
    definition_in_force,
    definitions,
    definitions_read,
    subject_check,
)
from motcua.bundles.errors import BundleInputError, DefinitionError

DAY = datetime.date(2026, 3, 2)
BIRTH_SUBJECT = {
    "child_name": "Nguyễn Minh Khang", "birth_date": "20/02/2026", "sex": "nam",
    "birth_place": "Bệnh viện Phụ sản Hà Nội", "mother_name": "Trần Thị Bình",
}  # fmt: skip


def raw_file() -> dict[str, Any]:
    return yaml.safe_load(Path(settings.MOTCUA_BUNDLES_FILE).read_text(encoding="utf-8"))


def write(tmp_path: Path, data: dict[str, Any]) -> Path:
    path = tmp_path / "bundles.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_the_shipped_file_declares_the_birth_and_death_bundles_of_decree_63() -> None:
    birth = definition_in_force("birth", DAY)
    death = definition_in_force("death", DAY)
    assert [m.service for m in birth.members] == [
        "birth_registration", "permanent_residence", "health_insurance_card",
    ]  # fmt: skip
    assert [m.service for m in death.members] == [
        "death_registration", "residence_removal", "funeral_allowance", "survivor_allowance",
    ]  # fmt: skip
    assert birth.root.service == "birth_registration"
    assert {m.after for m in birth.members[1:]} == {"birth_registration"}
    assert birth.after_cutoff_next_working_day
    assert death.after_cutoff_next_working_day
    assert birth.member("birth_registration").procedure == "1.001193"
    assert birth.member("permanent_residence").agency == "ward_police"


@pytest.mark.parametrize(
    "services",
    [
        ["birth_registration", "permanent_residence"],
        ["birth_registration", "health_insurance_card"],
        ["health_insurance_card", "birth_registration", "permanent_residence"],
    ],
)
def test_a_birth_bundle_is_two_or_three_services_in_the_definitions_order(
    services: list[str],
) -> None:
    selection = definition_in_force("birth", DAY).select(services, BIRTH_SUBJECT)
    assert selection.services[0] == "birth_registration"
    assert sorted(selection.services) == sorted(services)
    assert (selection.limit.limit.quantity, selection.limit.limit.unit) == (3, "working_day")
    assert selection.limit.with_verification is not None
    assert selection.limit.with_verification.quantity == 5


@pytest.mark.parametrize(
    ("services", "says"),
    [
        (["birth_registration"], "ít nhất một trong"),
        (["permanent_residence", "health_insurance_card"], "luôn gồm"),
        (["birth_registration", "residence_removal"], "không thuộc nhóm"),
        (["birth_registration", "permanent_residence", "permanent_residence"], "một lần"),
        ([], "không thuộc nhóm"),
    ],
)
def test_a_birth_bundle_refuses_a_choice_the_law_does_not_offer(
    services: list[str], says: str
) -> None:
    with pytest.raises(BundleInputError) as refused:
        definition_in_force("birth", DAY).select(services, BIRTH_SUBJECT)
    assert says in str(refused.value.message)
    assert refused.value.message_en


@pytest.mark.parametrize(
    ("services", "payer", "days"),
    [
        (["death_registration", "residence_removal"], "", 2),
        (["death_registration", "residence_removal", "funeral_allowance"], "social_insurance", 9),
        (["death_registration", "residence_removal", "funeral_allowance"], "social_protection", 6),
        (
            ["death_registration", "residence_removal", "funeral_allowance", "survivor_allowance"],
            "social_insurance",
            9,
        ),
    ],
)
def test_a_death_bundle_is_two_three_or_four_procedures_with_the_limits_of_decision_296(
    services: list[str], payer: str, days: int
) -> None:
    selection = definition_in_force("death", DAY).select(services, {"funeral_payer": payer})
    assert selection.limit.limit.quantity == days
    funeral = next((m for m in selection.members if m.service == "funeral_allowance"), None)
    if funeral is not None:
        assert funeral.variant == payer
        assert funeral.agency == (
            "unit:hn-bhxh" if payer == "social_insurance" else "receiving_ward"
        )
        assert funeral.limit.quantity == (8 if payer == "social_insurance" else 5)


def test_survivor_allowance_needs_the_social_insurance_funeral_allowance() -> None:
    death = definition_in_force("death", DAY)
    four = ["death_registration", "residence_removal", "funeral_allowance", "survivor_allowance"]
    with pytest.raises(BundleInputError, match="funeral_allowance:social_insurance"):
        death.select(four, {"funeral_payer": "social_protection"})
    with pytest.raises(BundleInputError, match="funeral_allowance:social_insurance"):
        death.select(["death_registration", "residence_removal", "survivor_allowance"], {})


def test_the_funeral_allowance_needs_to_know_who_pays_it() -> None:
    with pytest.raises(BundleInputError) as refused:
        definition_in_force("death", DAY).select(
            ["death_registration", "residence_removal", "funeral_allowance"], {}
        )
    assert "funeral_payer" in refused.value.message_en


def test_a_kind_is_refused_outside_its_dates_and_when_unknown() -> None:
    with pytest.raises(BundleInputError, match="30/06/2025"):
        definition_in_force("birth", datetime.date(2025, 6, 30))
    with pytest.raises(BundleInputError) as refused:
        definition_in_force("marriage", DAY)
    assert "birth, death" in refused.value.message_en


def test_each_day_finds_the_version_in_force(tmp_path: Path, settings: Any) -> None:
    data = raw_file()
    birth = next(b for b in data["bundles"] if b["kind"] == "birth")
    older = {**birth, "valid_until": datetime.date(2026, 12, 31)}
    newer = {**birth, "valid_from": datetime.date(2027, 1, 1)}
    newer["limits"] = [{"limit": {"quantity": 4, "unit": "working_day"}}]
    data["bundles"] = [older, newer]
    settings.MOTCUA_BUNDLES_FILE = write(tmp_path, data)
    assert definition_in_force("birth", datetime.date(2026, 12, 31)).version == "birth@2025-07-01"
    later = definition_in_force("birth", datetime.date(2027, 1, 4))
    assert later.version == "birth@2027-01-01"
    assert later.limits[0].limit.quantity == 4
    assert definitions().bundles == DefinitionFile.model_validate(data).bundles


def test_a_broken_file_is_refused_with_every_problem_named(tmp_path: Path) -> None:
    data = raw_file()
    birth = next(b for b in data["bundles"] if b["kind"] == "birth")
    members = birth["members"]
    members[1] = {**members[1], "after": "health_insurance_card"}  # not declared before
    members[2] = {**members[2], "agency": "the-hospital"}
    birth["choose"] = {"required": ["permanent_residence"], "one_of": ["nobody"]}
    birth["limits"] = [
        {"when": ["funeral_allowance"], "limit": {"quantity": 3, "unit": "working_day"}}
    ]
    with pytest.raises(DefinitionError) as refused:
        definitions_read(write(tmp_path, data))
    text = "\n".join(refused.value.problems)
    for expected in (
        "after 'health_insurance_card', not a member declared before",
        "unknown agency 'the-hospital'",
        "choose names 'nobody', not a member",
        "the root member must be required",
        "'funeral_allowance' names no member",
        "the last limit rule must have no `when`",
    ):
        assert expected in text, expected


def test_two_versions_of_a_kind_in_force_on_the_same_day_are_refused(tmp_path: Path) -> None:
    data = raw_file()
    birth = next(b for b in data["bundles"] if b["kind"] == "birth")
    data["bundles"].append({**birth, "valid_from": datetime.date(2026, 1, 1)})
    with pytest.raises(DefinitionError, match="in force on the same days"):
        definitions_read(write(tmp_path, data))


def test_a_limit_other_than_same_day_must_be_positive(tmp_path: Path) -> None:
    data = raw_file()
    data["bundles"][0]["members"][1]["limit"] = {"quantity": 0, "unit": "working_day"}
    with pytest.raises(DefinitionError, match="positive quantity"):
        definitions_read(write(tmp_path, data))


# --------------------------------------------------------------------------------- subject
def test_the_subject_is_cleaned_dates_as_iso_and_unknown_fields_refused() -> None:
    birth = definition_in_force("birth", DAY)
    selection = birth.select(["birth_registration", "health_insurance_card"], {})
    clean = subject_check(
        birth, selection, {**BIRTH_SUBJECT, "mother_id_number": "001195006789"}, DAY
    )
    assert clean["birth_date"] == "2026-02-20"
    assert clean["mother_id_number"] == "001195006789"
    with pytest.raises(BundleInputError, match="blood_type"):
        subject_check(birth, selection, {**BIRTH_SUBJECT, "blood_type": "O"}, DAY)


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ({"child_name": ""}, "subject.child_name"),
        ({"birth_date": "2026/02/20"}, "dd/mm/yyyy"),
        ({"sex": "khac"}, "nam, nu"),
        ({"mother_id_number": "12345"}, "12 chữ số"),
        ({"birth_place": "Hà\x00Nội"}, "không hợp lệ"),
        ({"birth_date": "01/01/2030"}, "không thể sau ngày nộp hồ sơ"),  # not born yet
    ],
)
def test_the_subject_says_what_to_fix(change: dict[str, str], says: str) -> None:
    birth = definition_in_force("birth", DAY)
    selection = birth.select(["birth_registration", "health_insurance_card"], {})
    with pytest.raises(BundleInputError) as refused:
        subject_check(birth, selection, {**BIRTH_SUBJECT, **change}, DAY)
    assert says in str(refused.value.message)


def test_a_field_required_for_one_service_is_required_only_when_it_is_chosen() -> None:
    birth = definition_in_force("birth", DAY)
    card = birth.select(["birth_registration", "health_insurance_card"], {})
    assert "residence_address" not in subject_check(birth, card, BIRTH_SUBJECT, DAY)
    residence = birth.select(["birth_registration", "permanent_residence"], {})
    with pytest.raises(BundleInputError, match="residence_address"):
        subject_check(birth, residence, BIRTH_SUBJECT, DAY)


def test_the_committed_reference_page_matches_the_definitions() -> None:
    from django.utils import translation

    from motcua.bundles.docs import definitions_markdown

    page = Path(settings.PROJECT_DIR, "docs", "bundles.md").read_text(encoding="utf-8")
    with translation.override("vi"):
        assert page == definitions_markdown(), "run: motcua bundles --write docs/bundles.md"


@pytest.mark.django_db
def test_every_procedure_and_unit_the_definitions_name_is_in_the_reference_data() -> None:
    from motcua.catalog.models import Procedure
    from motcua.organizations.models import Unit

    for definition in definitions().bundles:
        for member in definition.members:
            for row in [member.resolved(v) for v in member.variant_names()] or [member.resolved()]:
                assert Procedure.objects.filter(code=row.procedure).exists(), row.procedure
                if row.agency.startswith("unit:"):
                    assert Unit.objects.filter(code=row.agency.removeprefix("unit:")).exists()


@pytest.mark.parametrize(
    ("born", "refused"),
    [("02/03/2020", True), ("03/03/2020", False), ("29/02/2020", True), ("20/02/2026", False)],
)
def test_the_health_card_is_for_a_child_under_six_on_the_day_of_submission(
    born: str, refused: bool
) -> None:
    """DAY is 02/03/2026: a child born on 02/03/2020 is six that day; one born on 29/02/2020
    turned six on 01/03/2026."""
    birth = definition_in_force("birth", DAY)
    card = birth.select(["birth_registration", "health_insurance_card"], {})
    subject = {**BIRTH_SUBJECT, "birth_date": born}
    if not refused:
        assert subject_check(birth, card, subject, DAY)["birth_date"]
        return
    with pytest.raises(BundleInputError) as error:
        subject_check(birth, card, subject, DAY)
    assert "dưới 6 tuổi" in str(error.value.message)
    assert "under 6 on the day of submission" in error.value.message_en
    residence = birth.select(["birth_registration", "permanent_residence"], {})
    assert subject_check(birth, residence, {**subject, "residence_address": "Hà Nội"}, DAY)


def test_an_age_limit_names_a_date_of_the_subject(tmp_path: Path) -> None:
    data = raw_file()
    data["bundles"][0]["members"][2]["age"] = {"field": "child_name", "under_years": 6}
    with pytest.raises(DefinitionError, match="is no subject date"):
        definitions_read(write(tmp_path, data))
