from __future__ import annotations

import datetime

import pytest

from motcua.accounts.constants import OfficerRoleName as Role
from motcua.accounts.models import User
from motcua.catalog.models import Procedure
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import (
    Applicant,
    dossier_approve,
    dossier_forward,
    dossier_receive,
    dossier_submit,
)
from motcua.organizations.models import Unit
from motcua.worktime.engine import VIETNAM_OFFSET
from tests import factories

POLICE = "hn-cong-an-phuong-hoan-kiem"
HOUR = datetime.timedelta(hours=1)


def at(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text).replace(tzinfo=VIETNAM_OFFSET)


class Staff:
    """One officer per role at the ward police of Hoàn Kiếm (which handles 1.004222)."""

    def __init__(self) -> None:
        self.reception = factories.officer(POLICE, Role.RECEPTION)
        self.specialist = factories.officer(POLICE, Role.SPECIALIST)
        self.head = factories.officer(POLICE, Role.DIVISION_HEAD)
        self.leader = factories.officer(POLICE, Role.LEADER)
        self.outsider = factories.officer("hn-so-tu-phap", Role.LEADER)


@pytest.fixture
def staff(db: None) -> Staff:
    return Staff()


def residence() -> Procedure:
    return Procedure.objects.filter(code="1.004222").order_by("-in_hanoi_set").first()  # type: ignore[return-value]


def submitted(staff: Staff, when: str = "2026-03-02 09:00", owner: User | None = None) -> Dossier:
    return dossier_submit(
        procedure=residence(), receiving_unit=Unit.objects.get(code=POLICE),
        applicant=Applicant("Lê Văn Cường", "001090012345"), channel="counter", at=at(when),
        actor=staff.reception, owner=owner,
    )  # fmt: skip


def received(staff: Staff, when: str = "2026-03-02 09:00") -> Dossier:
    return dossier_receive(dossier=submitted(staff, when), actor=staff.reception, at=at(when))


def at_signing(staff: Staff, when: str = "2026-03-02 09:00") -> Dossier:
    """Received, appraised: the specialist has forwarded it to the leader's signing step (3)."""
    dossier = received(staff, when)
    return dossier_forward(dossier=dossier, actor=staff.specialist, at=at(when) + HOUR)


def decided(staff: Staff, when: str = "2026-03-02 09:00", note: str = "Đủ điều kiện") -> Dossier:
    """Signed by the leader at the signing step, with the decision's substance as a note: the
    result is on paper, so the dossier is processed and waits at the one-stop's return step."""
    return dossier_approve(
        dossier=at_signing(staff, when), actor=staff.leader, at=at(when) + 2 * HOUR, note=note
    )
