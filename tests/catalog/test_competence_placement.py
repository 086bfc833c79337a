"""Issue 13: the competence rules place the whole Hà Nội set (decision 0024). Every rule added for
it places at least one procedure, none changes what an earlier, more specific rule decided, and a
record that belongs to a central agency leaves the set with the rule that says so."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from motcua.catalog.competence import (
    CENTRAL_BY_RULE,
    FACILITY_BY_RULE,
    Competence,
    Rule,
    competence_of,
    seed_rules,
)
from motcua.catalog.competence_rules import competence_apply
from motcua.catalog.constants import CommuneBody, CompetenceLevel
from motcua.catalog.models import CompetenceRule, Procedure
from motcua.catalog.selectors import PLACED, catalog_gaps, receiving_units_of
from motcua.organizations.constants import COMMUNE_LEVEL_KINDS

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 12, 1)
FIRST_NEW_RULE = "central-border-guard-military"  # the first rule of issue 13 in the seed file


def new_rule_keys() -> set[str]:
    document = yaml.safe_load(Path(settings.MOTCUA_COMPETENCE_RULES_FILE).read_text("utf-8"))
    keys = [str(item["key"]) for item in document["rules"]]
    return set(keys[keys.index(FIRST_NEW_RULE) :])


def placement(procedure: Procedure, rules: list[Rule]) -> Competence:
    return competence_of(
        procedure.executing_bodies, name=procedure.name,
        promulgating_body=procedure.promulgating_body, code=procedure.code,
        field_name=procedure.field.name if procedure.field else "", rules=rules, day=DAY,
    )  # fmt: skip


def where(found: Competence) -> tuple[object, ...]:
    """Where a procedure is decided and received (not which rule said so)."""
    return (found.level, found.commune_body, found.deciding_unit, found.receiving_units,
            found.receive_at_branches)  # fmt: skip


def every_procedure() -> list[Procedure]:
    return list(Procedure.objects.select_related("field").order_by("pk"))


def test_each_new_rule_places_at_least_one_procedure() -> None:
    rules = list(seed_rules())
    used = {placement(procedure, rules).rule for procedure in every_procedure()}
    new = new_rule_keys()
    assert len(new) > 100
    assert not new - used, sorted(new - used)


def test_no_new_rule_changes_what_an_earlier_rule_decided() -> None:
    """Whatever the rules before issue 13 placed is placed the same way with all of them."""
    everything = list(seed_rules())
    new = new_rule_keys()  # once: it parses the rules file
    earlier = [rule for rule in everything if rule.key not in new]
    compared = 0
    for procedure in every_procedure():
        before = placement(procedure, earlier)
        if before.level == CompetenceLevel.UNKNOWN:
            continue
        compared += 1
        assert where(placement(procedure, everything)) == where(before), procedure.code
    assert compared > 3000


def test_the_specific_rules_still_decide_residence_death_and_marriage() -> None:
    residence = Procedure.objects.get(code="1.004222", in_hanoi_set=True)
    assert (residence.level, residence.commune_body) == (
        CompetenceLevel.COMMUNE, CommuneBody.POLICE,
    )  # fmt: skip
    for code in ("1.000656", "1.000894"):
        procedure = Procedure.objects.get(code=code, in_hanoi_set=True)
        units = list(receiving_units_of(procedure, DAY))
        assert len(units) == 126, code
        assert {unit.kind for unit in units} <= COMMUNE_LEVEL_KINDS


def test_the_whole_set_is_placed() -> None:
    unplaced = Procedure.objects.filter(in_hanoi_set=True).exclude(level__in=PLACED)
    assert list(unplaced.values_list("code", flat=True)) == []
    assert sum(catalog_gaps().gaps.values()) == 0


@pytest.mark.parametrize("code", ["1.014193", "1.014128", "1.003734"])
def test_a_facilitys_own_service_leaves_the_set_with_its_rule(code: str) -> None:
    """Insured treatment and a medical-record summary are done by the hospital, IT-skills test
    registration by the test centre: no one-stop counter receives them."""
    procedure = Procedure.objects.get(code=code)
    assert procedure.level == CompetenceLevel.FACILITY
    assert not procedure.in_hanoi_set
    assert f"{FACILITY_BY_RULE} facility-health-and-test-centres" in procedure.gaps
    assert catalog_gaps().facility_by_rule["facility-health-and-test-centres"] == 3


def test_a_facility_named_beside_an_agency_leaves_the_procedure_with_the_agency() -> None:
    """ "Bảo hiểm xã hội tỉnh; Cơ sở khám bệnh, chữa bệnh": the agency's one-stop receives it."""
    found = competence_of(["Bảo hiểm xã hội tỉnh", "Cơ sở khám bệnh, chữa bệnh"], day=DAY)
    assert found.level == CompetenceLevel.CENTRAL_LOCAL
    assert found.deciding_unit == "hn-bhxh"


@pytest.mark.parametrize(
    ("code", "rule"),
    [("1.014963", "central-border-guard-military"),  # border guards at a sea port
     ("1.014560", "central-national-bodies"),  # the national S&T development fund
     ("1.003358", "name-central-level")],  # "… tại Cục Quản lý xuất nhập cảnh, Bộ Công an"
)  # fmt: skip
def test_a_central_agencys_procedure_leaves_the_set_with_its_rule(code: str, rule: str) -> None:
    procedure = Procedure.objects.filter(code=code).first()
    assert procedure is not None
    assert procedure.level == CompetenceLevel.MINISTRY
    assert not procedure.in_hanoi_set
    assert f"{CENTRAL_BY_RULE} {rule}" in procedure.gaps
    assert catalog_gaps().central_by_rule[rule] >= 1


@pytest.mark.parametrize(
    ("code", "level", "unit"),
    [("1.013978", "department", "hn-vpdkdd"),  # land registration, first certificate
     ("1.002153", "department", "hn-so-tu-phap"),  # a lawyer's individual practice
     ("3.000346", "central_local", "hn-cong-an"),  # driving licence (police since 3/2025)
     ("1.001613", "central_local", "hn-bhxh"),  # one-off social insurance
     ("2.002248", "department", "hn-so-khoa-hoc-cong-nghe")],  # "trừ … thẩm quyền của Bộ"
)  # fmt: skip
def test_records_naming_no_body_are_placed_by_name_and_field(
    code: str, level: str, unit: str
) -> None:
    procedure = Procedure.objects.select_related("deciding_unit").get(code=code, in_hanoi_set=True)
    assert procedure.level == level
    assert procedure.deciding_unit is not None
    assert procedure.deciding_unit.code == unit


FIELD_RULES = [rule for rule in seed_rules() if rule.key.startswith("dept-field-")]


@hsettings(max_examples=60, deadline=None)
@given(
    rule=st.sampled_from(FIELD_RULES),
    words=st.text(alphabet="deghklmnoqrsuvy ", min_size=3, max_size=40),  # no level words
    central=st.sampled_from(["", " (cấp trung ương)", " tại Cục Quản lý", " phạm vi liên tỉnh"]),
    commune=st.booleans(),
)
def test_a_field_rule_yields_to_the_level_the_name_states(
    rule: Rule, words: str, central: str, commune: bool
) -> None:
    """A field says which department owns a record only when its name states no level: a name
    that says central goes to the centre, one that says "cấp xã" to the commune."""
    name = f"Cấp giấy {words}" + (" cấp xã" if commune else central)
    found = competence_of([], name=name, field_name=rule.field_name, day=DAY)
    if commune:
        assert found.level == CompetenceLevel.COMMUNE
    elif central:
        assert found.level == CompetenceLevel.MINISTRY
        assert found.problem.startswith(CENTRAL_BY_RULE)
    else:
        assert found.rule == rule.key
        assert (found.deciding_unit, found.receive_at_branches) == (rule.deciding_unit, True)
        assert found.receiving_units == ("hn-pvhcc",)


def test_a_central_rule_an_administrator_adds_is_reported_after_applying() -> None:
    # A test, not law: an administrator says 2.000815 is decided centrally.
    rule = CompetenceRule.objects.create(
        key="test-central", match="code", pattern="2.000815", level=CompetenceLevel.MINISTRY,
        priority=1, seeded=False,
    )  # fmt: skip
    assert competence_apply(DAY) == 1
    procedure = Procedure.objects.get(code="2.000815")
    assert not procedure.in_hanoi_set
    assert procedure.gaps.count(f"{CENTRAL_BY_RULE} test-central") == 1
    assert catalog_gaps().central_by_rule["test-central"] == 1
    rule.delete()
    assert competence_apply(DAY) == 1
    procedure.refresh_from_db()
    assert procedure.in_hanoi_set
    assert not any(gap.startswith(CENTRAL_BY_RULE) for gap in procedure.gaps)
