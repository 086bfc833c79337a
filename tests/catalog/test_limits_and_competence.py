"""Issue 13: every procedure of the Hà Nội set is receivable with a deadline or says honestly why
not; competence rules place the records' executing bodies at Hà Nội's units (decision 0024)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from motcua.accounts.constants import OfficerRoleName as Role
from motcua.catalog.competence import Rule, competence_of
from motcua.catalog.competence_rules import competence_apply
from motcua.catalog.constants import CompetenceLevel, TimeUnit
from motcua.catalog.legal_limits import (
    LegalLimitInvalid,
    LimitInput,
    legal_limit_record,
    procedure_has_record_limit,
)
from motcua.catalog.models import CompetenceRule, LegalLimit, Procedure
from motcua.catalog.processes import default_processes_refresh
from motcua.catalog.selectors import PLACED, online_submission_open, receiving_units_of
from motcua.common import clock
from motcua.dossiers import deadlines
from motcua.dossiers.errors import LegalLimitNeeded
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import Applicant, dossier_create
from motcua.organizations.constants import COMMUNE_LEVEL_KINDS, UnitKind
from motcua.organizations.models import Unit
from tests import factories
from tests.counter import counter_post

pytestmark = pytest.mark.django_db

WARD = "hn-phuong-hoan-kiem"
DAY = datetime.date(2026, 12, 1)


def hanoi(code: str) -> Procedure:
    return Procedure.objects.get(code=code, in_hanoi_set=True)


def as_user(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def whole_set() -> list[Procedure]:
    return list(
        Procedure.objects.filter(in_hanoi_set=True).prefetch_related("cases").order_by("pk")
    )


def limit_at(procedure: Procedure, unit: Unit) -> object:
    dossier = Dossier(procedure=procedure, receiving_unit=unit, deciding_unit=unit)
    return deadlines.limit_of(dossier)


# ------------------------------------------------------------------------- the whole set
def test_every_procedure_of_the_set_is_receivable_with_a_deadline() -> None:
    """With the record's limit at once; without one, once the officer enters the legal limit
    (here city-wide, for all of them at once): then none is left without a deadline."""
    ward, center = Unit.objects.get(code=WARD), Unit.objects.get(code="hn-pvhcc")
    procedures = whole_set()
    assert len(procedures) > 2500
    assert all(procedure.level in PLACED for procedure in procedures)  # each has a counter
    asked = []
    for procedure in procedures:
        unit = ward if procedure.level == CompetenceLevel.COMMUNE else center
        if procedure_has_record_limit(procedure):
            assert limit_at(procedure, unit) is not None, procedure.code
        else:
            assert limit_at(procedure, unit) is None, procedure.code
            asked.append(procedure)
    assert asked  # the honest case exists: ~1,900 records give no limit
    officer = factories.officer(WARD, Role.RECEPTION)
    LegalLimit.objects.bulk_create(
        LegalLimit(procedure=p, unit=None, time_quantity=Decimal(5),
                   time_unit=TimeUnit.WORKING_DAY, legal_basis="Văn bản thử nghiệm, Điều 1",
                   entered_by=officer, entered_at=clock.now())
        for p in asked
    )  # fmt: skip
    for procedure in asked:
        unit = ward if procedure.level == CompetenceLevel.COMMUNE else center
        assert limit_at(procedure, unit) is not None, procedure.code


def test_what_is_not_placed_is_reported_by_cause() -> None:
    out = StringIO()
    call_command("catalog_check", stdout=out)
    text = out.getvalue()
    assert "receivable with a deadline" in text
    assert "the officer enters the legal limit at reception" in text
    assert "remaining gaps: 0" in text
    assert "central agency by a competence rule" in text  # out of the set, with the rule's key
    assert "central-national-bodies" in text
    assert "service facility by a competence rule: 3" in text
    assert "facility-health-and-test-centres" in text
    unplaced = Procedure.objects.filter(in_hanoi_set=True).exclude(level__in=PLACED)
    assert not any(online_submission_open(p) for p in unplaced)


# ------------------------------------------------------------------------- units
@pytest.mark.parametrize("code", ["1.000656", "1.000894"])
def test_death_and_marriage_registration_online_at_any_of_the_126_communes(code: str) -> None:
    procedure = hanoi(code)
    assert online_submission_open(procedure)
    units = list(receiving_units_of(procedure, DAY))
    assert len(units) == 126
    assert {u.kind for u in units} <= COMMUNE_LEVEL_KINDS


def test_every_procedure_open_online_lists_a_unit_and_place_bound_ones_only_theirs() -> None:
    center_kinds = {UnitKind.SERVICE_CENTER, UnitKind.SERVICE_CENTER_BRANCH}
    for procedure in Procedure.objects.filter(in_hanoi_set=True).select_related("deciding_unit"):
        if not online_submission_open(procedure):
            continue
        units = list(receiving_units_of(procedure, DAY))
        assert units, procedure.code
        if procedure.level == CompetenceLevel.DEPARTMENT:
            assert {u.kind for u in units} <= center_kinds, procedure.code
        if procedure.level == CompetenceLevel.CENTRAL_LOCAL:
            assert [u.pk for u in units] == [procedure.deciding_unit_id], procedure.code


def test_department_procedures_are_received_at_the_center_and_its_branches() -> None:
    procedure = Procedure.objects.filter(
        in_hanoi_set=True, level=CompetenceLevel.DEPARTMENT
    ).first()
    assert procedure is not None
    kinds = [u.kind for u in procedure.receiving_units.all()]
    assert kinds.count(UnitKind.SERVICE_CENTER) == 1
    assert kinds.count(UnitKind.SERVICE_CENTER_BRANCH) == 12


def test_permanent_residence_received_at_the_ward_is_decided_by_the_ward_police() -> None:
    procedure = hanoi("1.004222")
    assert (procedure.level, procedure.commune_body) == (CompetenceLevel.COMMUNE, "police")
    ward = Unit.objects.get(code=WARD)
    officer = factories.officer(WARD, Role.RECEPTION)
    dossier, _created = dossier_create(
        procedure=procedure, receiving_unit=ward, applicant=Applicant("Lê Văn Cường"),
        channel="counter", at=clock.now(), actor=officer,
    )  # fmt: skip
    assert dossier.deciding_unit.kind == UnitKind.COMMUNE_POLICE
    assert dossier.deciding_unit.area_id == ward.pk
    assert dossier.due_at is not None


# ------------------------------------------------------------------------- legal limits
def test_no_receipt_with_a_blank_date() -> None:
    procedure = hanoi("2.000815")  # chứng thực bản sao: no detailed record, no limit
    assert not procedure_has_record_limit(procedure)
    officer = factories.officer(WARD, Role.RECEPTION)
    before = Dossier.objects.count()
    with pytest.raises(LegalLimitNeeded):
        dossier_create(
            procedure=procedure, receiving_unit=Unit.objects.get(code=WARD),
            applicant=Applicant("Lê Văn Cường"), channel="counter", at=clock.now(), actor=officer,
        )  # fmt: skip
    assert Dossier.objects.count() == before


def test_the_counter_asks_for_the_legal_limit_then_reuses_it() -> None:
    officer = factories.officer(WARD, Role.RECEPTION)
    client = as_user(officer)
    url = reverse("dossiers:reception")
    page = client.get(url, {"procedure": "2.000815"}).content.decode()
    assert "không ghi thời hạn giải quyết" in page
    assert 'name="limit_basis"' in page
    refused = counter_post(client, {"procedure": "2.000815", "name": "Lê Văn Cường"})
    assert "Nhập thời hạn theo quy định" in refused.content.decode()
    assert not Dossier.objects.filter(applicant_name="Lê Văn Cường").exists()
    bad = counter_post(client, {"procedure": "2.000815", "name": "Lê Văn Cường",
                               "limit_quantity": "2", "limit_unit": "working_day",
                               "limit_basis": "x"})  # fmt: skip
    assert "căn cứ pháp lý" in bad.content.decode()
    counter_post(client, {"procedure": "2.000815", "name": "Lê Văn Cường", "limit_quantity": "2",
                          "limit_unit": "working_day",
                          "limit_basis": "Nghị định 23/2015/NĐ-CP, Điều 21"})  # fmt: skip
    first = Dossier.objects.get(applicant_name="Lê Văn Cường")
    assert first.due_at is not None
    # The unit's own process, fitted to the limit it entered: someone holds the dossier.
    assert first.process is not None
    assert (first.process.unit.code, first.process.status) == (WARD, "active")
    assert first.current_step is not None
    received = first.events.get(action="receive")
    assert received.payload["limit_basis"]["legal_basis"] == "Nghị định 23/2015/NĐ-CP, Điều 21"
    row = LegalLimit.objects.get(procedure=hanoi("2.000815"))
    assert (row.unit.code, row.entered_by, row.time_quantity) == (WARD, officer, 2)
    page = client.get(url, {"procedure": "2.000815"}).content.decode()
    assert "Nghị định 23/2015/NĐ-CP, Điều 21" in page  # shown, not asked again
    counter_post(client, {"procedure": "2.000815", "name": "Trần Thị Hoa"})
    assert Dossier.objects.get(applicant_name="Trần Thị Hoa").due_at is not None


def test_a_city_wide_limit_supersedes_and_gives_a_process() -> None:
    procedure = hanoi("2.000815")
    officer = factories.officer(WARD, Role.RECEPTION)
    ward = Unit.objects.get(code=WARD)
    first = legal_limit_record(
        procedure=procedure, unit=ward, at=clock.now(), actor=officer,
        given=LimitInput("3", TimeUnit.WORKING_DAY, "Nghị định 23/2015/NĐ-CP, Điều 21", True),
    )  # fmt: skip
    second = legal_limit_record(
        procedure=procedure, unit=ward, at=clock.now(), actor=officer,
        given=LimitInput("2", TimeUnit.WORKING_DAY, "Nghị định 23/2015/NĐ-CP, Điều 21", True),
    )  # fmt: skip
    first.refresh_from_db()
    assert first.superseded_at is not None
    assert second.superseded_at is None
    process = procedure.processes.order_by("-version").first()
    assert process is not None
    assert process.status == "active"
    assert sum(step.budget_hours for step in process.steps.all()) <= 16


@pytest.mark.parametrize(
    ("quantity", "unit", "basis"),
    [("0", "working_day", "Nghị định 23/2015"), ("abc", "working_day", "Nghị định 23/2015"),
     ("2", "fortnight", "Nghị định 23/2015"), ("2", "working_day", ""),
     ("0,3", "working_day", "Nghị định 23/2015"), ("1e9", "working_day", "Nghị định 23/2015")],
)  # fmt: skip
def test_a_bad_legal_limit_is_refused_clearly(quantity: str, unit: str, basis: str) -> None:
    with pytest.raises(LegalLimitInvalid):
        legal_limit_record(
            procedure=hanoi("2.000815"), unit=Unit.objects.get(code=WARD), at=clock.now(),
            actor=None, given=LimitInput(quantity, unit, basis),
        )  # fmt: skip
    assert not LegalLimit.objects.exists()


def test_the_procedure_page_says_plainly_when_no_limit_is_known() -> None:
    page = Client().get(reverse("catalog:detail", args=["2.000815"])).content.decode()
    assert "chưa ghi thời hạn" in page
    # The catalog's notes for catalog-check (English, with codes) are said in plain Vietnamese.
    assert "không ghi thời hạn giải quyết dùng được" in page
    assert "the national record" not in page
    assert "no detailed record" not in page


# ------------------------------------------------------------------------- competence rules
def test_rules_are_seeded_from_data_and_an_admin_edit_is_applied() -> None:
    assert CompetenceRule.objects.filter(key="commune-police", seeded=True).exists()
    # An administrator says the city's Department of Justice decides 2.000815 (a test, not law).
    rule = CompetenceRule.objects.create(
        key="test-justice", match="code", pattern="2.000815", level=CompetenceLevel.DEPARTMENT,
        deciding_unit=Unit.objects.get(code="hn-so-tu-phap"), receive_at_branches=True,
        priority=1, seeded=False,
    )  # fmt: skip
    rule.receiving_units.set([Unit.objects.get(code="hn-pvhcc")])
    assert competence_apply(DAY) == 1
    procedure = hanoi("2.000815")
    assert procedure.level == CompetenceLevel.DEPARTMENT
    assert procedure.deciding_unit.code == "hn-so-tu-phap"  # type: ignore[union-attr]
    assert procedure.receiving_units.count() == 13  # the Center and its 12 branches
    rule.valid_to = DAY - datetime.timedelta(days=1)  # no longer in force: back to the commune
    rule.save()
    assert competence_apply(DAY) == 1
    assert hanoi("2.000815").level == CompetenceLevel.COMMUNE
    assert not hanoi("2.000815").receiving_units.exists()


def test_a_rule_placing_a_procedure_gives_it_a_process() -> None:
    rule = CompetenceRule.objects.get(key="civil-status-commune")
    procedure = hanoi("1.000894")
    template = procedure.processes.order_by("-version").first()
    assert template is not None
    assert template.status == "active"
    # Without its rules the record cannot be placed: its process waits for configuration.
    CompetenceRule.objects.filter(key__in=[rule.key, "civil-status-by-name"]).update(
        valid_to=DAY - datetime.timedelta(days=1)
    )
    competence_apply(DAY)
    assert hanoi("1.000894").level == CompetenceLevel.UNKNOWN
    assert not online_submission_open(hanoi("1.000894"))
    CompetenceRule.objects.filter(key__in=[rule.key, "civil-status-by-name"]).update(valid_to=None)
    competence_apply(DAY)
    default_processes_refresh()
    assert hanoi("1.000894").level == CompetenceLevel.COMMUNE


def test_rules_hold_only_while_in_force() -> None:
    district = Rule(
        key="district", match="body", pattern=r"\bcap huyen\b", level="commune",
        commune_body="people_committee", valid_from=datetime.date(2025, 7, 1),
    )  # fmt: skip
    bodies = ["Ủy ban nhân dân cấp huyện"]
    before = competence_of(bodies, rules=[district], day=datetime.date(2025, 6, 30))
    after = competence_of(bodies, rules=[district], day=datetime.date(2025, 7, 1))
    assert before.level == CompetenceLevel.UNKNOWN
    assert after.level == CompetenceLevel.COMMUNE


def test_the_limit_can_be_entered_outside_the_counter_for_an_online_dossier() -> None:
    officer = factories.officer(WARD, Role.RECEPTION)
    client = as_user(officer)
    url = reverse("dossiers:legal-limit", args=["2.000815"])
    assert 'name="limit_basis"' in client.get(url).content.decode()
    answer = client.post(url, {"next": "/can-bo/ho-so/HS1/", "limit_quantity": "1",
                               "limit_unit": "working_day", "limit_city_wide": "on",
                               "limit_basis": "Nghị định 23/2015/NĐ-CP, Điều 21"})  # fmt: skip
    assert answer.status_code == 302
    assert answer["Location"] == "/can-bo/ho-so/HS1/"
    row = LegalLimit.objects.get(procedure=hanoi("2.000815"))
    assert row.unit is None  # city-wide
    elsewhere = client.post(url, {"next": "https://example.invalid/", "limit_quantity": "2",
                                  "limit_unit": "working_day",
                                  "limit_basis": "Nghị định 23/2015/NĐ-CP, Điều 21"})  # fmt: skip
    assert elsewhere["Location"] == url
    # A procedure whose record gives a limit takes none from an officer.
    client.post(reverse("dossiers:legal-limit", args=["1.004222"]), {"limit_quantity": "9",
                "limit_unit": "working_day", "limit_basis": "Nghị định 23/2015/NĐ-CP"})  # fmt: skip
    assert not LegalLimit.objects.filter(procedure__code="1.004222").exists()
    assert as_user(factories.citizen()).get(url).status_code == 403


def test_the_api_refuses_a_counter_dossier_without_a_limit_clearly() -> None:
    from motcua.accounts.models import ApiToken

    officer = factories.officer(WARD, Role.RECEPTION)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.issue(officer, 'test')}"}
    body = {"unit": WARD, "procedure": "2.000815", "channel": "counter",
            "applicant": {"name": "Lê Văn Cường"}}  # fmt: skip
    answer = Client().post("/api/v1/dossiers", body, content_type="application/json", **headers)
    assert answer.status_code == 422
    said = " ".join(str(value) for value in answer.json().values())
    assert "không ghi thời hạn" in said
    assert "legal time limit" in answer.json()["message_en"]
    assert "/can-bo/thoi-han/2.000815/" in answer.json()["message_en"]  # where an officer enters it
    assert not Dossier.objects.exists()


def test_applying_the_seeded_rules_again_changes_nothing() -> None:
    """The import placed every procedure with the same rules: applying them is idempotent."""
    out = StringIO()
    call_command("competence_apply", stdout=out)
    assert "procedures placed again: 0" in out.getvalue()
