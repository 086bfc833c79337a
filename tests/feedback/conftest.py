from __future__ import annotations

import pytest
from django.test import Client

from motcua.accounts.constants import OfficerRoleName as Role
from motcua.accounts.models import User
from motcua.dossiers.models import Dossier
from motcua.feedback.models import Feedback
from motcua.feedback.services import Target, feedback_submit
from tests import factories
from tests.dossiers.conftest import POLICE, Staff, at, received, staff

__all__ = ["POLICE", "at", "staff"]
APPLICANT_ID = "001090012345"  # the ID number tests.dossiers.conftest files dossiers under


@pytest.fixture
def applicant(db: None) -> User:
    return factories.citizen(id_number=APPLICANT_ID, phone="0912345678")


@pytest.fixture
def stranger(db: None) -> User:
    return factories.citizen(id_number="001090099999", phone="0911222333")


@pytest.fixture
def other_unit_leader(db: None) -> User:
    return factories.officer("hn-so-tu-phap", Role.LEADER)


@pytest.fixture
def city_police_supervisor(db: None) -> User:
    """Supervises the city police and every ward police below it."""
    return factories.officer("hn-cong-an", Role.SUPERVISOR)


def own_dossier(staff: Staff, applicant: User, when: str = "2026-03-02 09:00") -> Dossier:
    return factories.proven(received(staff, when), applicant)


def sent(staff: Staff, applicant: User, when: str = "2026-03-02 09:00") -> Feedback:
    """The applicant's feedback about their own dossier at the ward police, sent at ``when``."""
    dossier = own_dossier(staff, applicant, when)
    return feedback_submit(
        user=applicant, target=Target("dossier", dossier=dossier.ref),
        title="Hồ sơ trễ hạn",
        question="Tôi là Phạm Thị Dung, điện thoại 0912345678. Hồ sơ của tôi đã quá hạn.",
        at=at(when),
    )  # fmt: skip


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user, backend="motcua.accounts.backends.IdentifierBackend")
    return client
