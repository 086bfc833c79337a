"""Phân cấp: the City Chairman hands the deciding of a procedure to a department; dossiers
received while it is in force are decided there, and the decision says on whose authority."""

from __future__ import annotations

from decimal import Decimal

import pytest

from motcua.accounts.constants import OfficerRoleName as Role
from motcua.accounts.models import User
from motcua.authority.constants import DelegationKind
from motcua.authority.models import Delegation
from motcua.authority.services import DelegationData, delegation_create
from motcua.catalog.constants import TimeUnit
from motcua.catalog.models import LegalLimit
from motcua.common.clock import now
from motcua.dossiers import services as s
from motcua.dossiers import steps
from motcua.dossiers.constants import Action, Channel, Status
from motcua.dossiers.models import Dossier

from .conftest import at, day, field_named, officer, perform, procedure, unit

pytestmark = pytest.mark.django_db
LAWYER = "1.000688"  # Cấp Chứng chỉ hành nghề luật sư: decided by the City Chairman
CHAIRMAN = "hn-ct-ubnd"
JUSTICE = "hn-so-tu-phap"
CENTER = "hn-pvhcc"
CITY_ISSUER = "Chủ tịch Ủy ban nhân dân thành phố Hà Nội"


def devolve(
    *, start: str = "2026-03-02", end: str | None = "2026-03-31", **scope: object
) -> Delegation:
    scope = scope or {"procedure_codes": (LAWYER,)}
    return delegation_create(
        data=DelegationData(
            kind=DelegationKind.DEVOLUTION, delegator_unit=unit(CHAIRMAN),
            delegator_position="Chủ tịch", delegate_unit=unit(JUSTICE),
            decision_number="20/QĐ-UBND", decision_date=day("2026-03-01"),
            decision_issuer=CITY_ISSUER, valid_from=day(start),
            valid_until=day(end) if end else None, **scope,  # type: ignore[arg-type]
        ),
        actor=None, at=now(),
    )  # fmt: skip


@pytest.fixture(autouse=True)
def lawyer_limit(db: None) -> None:
    """1.000688's record gives no time limit: the officer entered the legal one (decision 0024),
    so that these tests are about routing, not about a missing limit."""
    LegalLimit.objects.create(
        procedure=procedure(LAWYER), unit=None, time_quantity=Decimal(10),
        time_unit=TimeUnit.WORKING_DAY, legal_basis="Luật Luật sư 2006, Điều 18",
        entered_by=None, entered_at=now(),
    )  # fmt: skip


@pytest.fixture
def center_reception(db: None) -> User:
    return officer(CENTER, Role.RECEPTION)


def received(reception: User, when: str, *, submitted: str | None = None) -> Dossier:
    dossier = s.dossier_submit(
        procedure=procedure(LAWYER), receiving_unit=unit(CENTER),
        applicant=s.Applicant("Phạm Quốc Bảo", "001090055555"),
        channel=Channel.ONLINE if submitted else Channel.COUNTER, at=at(submitted or when),
        actor=None if submitted else reception,
    )  # fmt: skip
    return s.dossier_receive(dossier=dossier, actor=reception, at=at(when))


def test_the_catalog_names_the_city_chairman(center_reception: User) -> None:
    assert procedure(LAWYER).deciding_unit == unit(CHAIRMAN)
    assert received(center_reception, "2026-03-02 09:00").deciding_unit == unit(CHAIRMAN)


@pytest.mark.parametrize(
    ("when", "decides"),
    [
        ("2026-03-01 16:00", CHAIRMAN),  # the day before it starts
        ("2026-03-02 08:00", JUSTICE),  # its first day
        ("2026-03-31 16:00", JUSTICE),  # its last day
        ("2026-04-01 08:00", CHAIRMAN),  # after it ends
    ],
)
def test_dossiers_received_while_it_is_in_force_are_decided_by_the_department(
    center_reception: User, when: str, decides: str
) -> None:
    devolve()
    dossier = received(center_reception, when)
    assert dossier.deciding_unit.code == decides
    assert dossier.receiving_unit.code == CENTER


def test_the_reception_day_counts_not_the_submission_day(center_reception: User) -> None:
    devolve()
    dossier = received(center_reception, "2026-03-02 09:00", submitted="2026-02-27 20:00")
    assert dossier.deciding_unit.code == JUSTICE
    assert dossier.status == Status.RECEIVED


def test_a_field_covers_its_procedures(center_reception: User) -> None:
    devolve(fields=(field_named("Luật sư"),))
    assert received(center_reception, "2026-03-02 09:00").deciding_unit.code == JUSTICE


def test_a_devolution_for_another_procedure_changes_nothing(center_reception: User) -> None:
    devolve(procedure_codes=("1.001216",))
    assert received(center_reception, "2026-03-02 09:00").deciding_unit.code == CHAIRMAN


def test_the_department_decides_in_its_own_name_on_the_chairmans_authority(
    center_reception: User,
) -> None:
    devolve()
    staff = {
        role: officer(JUSTICE, role, title="Giám đốc" if role == Role.LEADER else "")
        for role in (Role.SPECIALIST, Role.DIVISION_HEAD, Role.LEADER)
    }
    dossier = received(center_reception, "2026-03-02 09:00")
    hour = 10
    while (here := steps.current(dossier)) is not None and not steps.is_signing(here):
        dossier = s.dossier_forward(
            dossier=dossier, actor=staff[here.role], at=at(f"2026-03-02 {hour}:00")
        )
        hour += 1
    dossier = perform(
        Action.APPROVE, dossier, staff[Role.LEADER], "2026-03-03 09:00",
        reason="Cấp Chứng chỉ hành nghề luật sư",
    )  # fmt: skip
    event = dossier.events.get(action=Action.APPROVE)
    assert event.payload["competence"]["decision_number"] == "20/QĐ-UBND"
    assert event.payload["competence"]["kind"] == "phan_cap"
    assert "delegation" not in event.payload
    decision = dossier.issued_documents.get(kind="decision")
    assert decision.unit.code == JUSTICE
    signature = decision.facts["signature"]
    assert signature["lines"] == ["GIÁM ĐỐC"]
    assert signature["basis"] == [
        "Theo Quyết định số 20/QĐ-UBND ngày 01/03/2026 của Chủ tịch Ủy ban nhân dân thành phố Hà Nội"
    ]
