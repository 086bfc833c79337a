from __future__ import annotations

import pytest
from django.test import Client

from motcua.accounts.constants import OfficerRoleName as Role
from motcua.accounts.models import User
from motcua.dossiers import services as s
from motcua.dossiers.models import Dossier
from motcua.ratings.constants import Criterion
from tests import factories
from tests.dossiers.conftest import Staff, at, received, staff

__all__ = ["staff"]

APPLICANT_ID = (
    "001090012345"  # the ID number the dossiers of tests.dossiers.conftest are filed under
)
ALL_SATISFIED = {str(c): 2 for c in Criterion}


def returned(staff: Staff, when: str = "2026-03-02 09:00") -> Dossier:
    """A dossier taken through the whole path to "Đã trả kết quả" (national status 10)."""
    dossier = received(staff, when)
    day = when[:10]
    dossier = s.dossier_assign(
        dossier=dossier, actor=staff.head, at=at(f"{day} 10:00"), assignee=staff.specialist
    )
    dossier = s.dossier_forward(dossier=dossier, actor=staff.specialist, at=at(f"{day} 11:00"))
    # Signed with the decision's text: a paper result is ready (PROCESSED) at once.
    dossier = s.dossier_approve(
        dossier=dossier, actor=staff.leader, at=at(f"{day} 14:00"), note="Đồng ý đăng ký"
    )
    dossier = s.dossier_return_result(dossier=dossier, actor=staff.reception, at=at(f"{day} 16:00"))
    # The applicant's account, when one exists, has proved the counter dossier is theirs.
    if User.objects.filter(citizen_profile__id_number=dossier.applicant_id_number).exists():
        factories.proven(dossier)
    return dossier


@pytest.fixture
def applicant(db: None) -> User:
    return factories.citizen(id_number=APPLICANT_ID)


@pytest.fixture
def other_citizen(db: None) -> User:
    return factories.citizen(id_number="001090099999")


@pytest.fixture
def police_supervisor(db: None) -> User:
    """Supervises the city police and every ward police below it."""
    return factories.officer("hn-cong-an", Role.SUPERVISOR)


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user, backend="motcua.accounts.backends.IdentifierBackend")
    return client
