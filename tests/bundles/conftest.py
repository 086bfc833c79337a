from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django_tasks_db.models import DBTaskResult

from motcua.accounts.constants import OfficerRoleName as Role
from motcua.accounts.models import User
from motcua.bundles.models import Bundle, BundleMember
from motcua.bundles.services import bundle_submit
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import Applicant, dossier_approve, dossier_forward, dossier_receive
from motcua.organizations.models import Unit
from motcua.worktime.engine import VIETNAM_OFFSET
from tests import factories

WARD = "hn-phuong-hoan-kiem"
POLICE = "hn-cong-an-phuong-hoan-kiem"
BHXH = "hn-bhxh"
TASK = "motcua.bundles.tasks.bundle_advance_task"
REGISTRY_TASK = "motcua.integrations.registry.tasks.registry_call_deliver"
HOUR = datetime.timedelta(hours=1)
BIRTH = {
    "child_name": "Nguyễn Minh Khang", "birth_date": "20/02/2026", "sex": "nam",
    "birth_place": "Bệnh viện Phụ sản Hà Nội", "mother_name": "Trần Thị Bình",
    "mother_id_number": "001195006789", "residence_address": "12 Hàng Bạc, phường Hoàn Kiếm",
}  # fmt: skip
DEATH = {
    "deceased_name": "Lê Văn Tư", "deceased_id_number": "001045001234", "death_date": "01/03/2026",
    "death_place": "Bệnh viện Bạch Mai", "relationship": "con", "funeral_payer": "social_insurance",
}  # fmt: skip
APPLICANT = Applicant("Nguyễn Văn An", "001090012345", phone="0912345678", email="an@example.com")


def at(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text).replace(tzinfo=VIETNAM_OFFSET)


class Unit3:
    """Reception, specialist and leader of one unit."""

    def __init__(self, code: str) -> None:
        self.unit = Unit.objects.get(code=code)
        self.reception = factories.officer(code, Role.RECEPTION)
        self.specialist = factories.officer(code, Role.SPECIALIST)
        self.leader = factories.officer(code, Role.LEADER)


class Staff:
    def __init__(self) -> None:
        self.ward = Unit3(WARD)
        self.police = Unit3(POLICE)
        self.bhxh = Unit3(BHXH)


@pytest.fixture
def staff(db: None) -> Staff:
    return Staff()


def birth_at_counter(
    staff: Staff, when: str = "2026-03-02 09:00", services: list[str] | None = None, **extra: Any
) -> Bundle:
    bundle, _created = bundle_submit(
        kind="birth", services=services or ["birth_registration", "permanent_residence", "health_insurance_card"],
        receiving_unit=staff.ward.unit, channel="counter", applicant=APPLICANT, subject=BIRTH,
        actor=staff.ward.reception, at=at(when), **extra,
    )  # fmt: skip
    return bundle


def member(bundle: Bundle, service: str) -> BundleMember:
    return BundleMember.objects.select_related("dossier").get(bundle=bundle, service=service)


def dossier_of(bundle: Bundle, service: str) -> Dossier:
    found = member(bundle, service).dossier
    assert found is not None, f"{service} has no dossier"
    return found


def queued() -> int:
    return DBTaskResult.objects.filter(task_path=TASK, status="READY").count()


def saga(when: datetime.datetime) -> int:
    """Run the tasks the events enqueued, as the worker would (oldest first): the saga's next
    steps and the registry writes (the in-process stand-in registry unless a test set a URL)."""
    from motcua.common.tasks import queued_tasks_run

    ran = 0
    paths = [TASK, REGISTRY_TASK]
    while rows := list(
        DBTaskResult.objects.filter(task_path__in=paths, status="READY").order_by("pk")
    ):
        ran += queued_tasks_run(rows, when)
    return ran


def decide(
    dossier: Dossier, unit: Unit3, when: datetime.datetime, note: str = "Đủ điều kiện"
) -> Dossier:
    """Received already; appraised and signed by the unit's officers (forward when the process
    has an appraisal step)."""
    from motcua.dossiers import steps

    if steps.steps_of(dossier):
        dossier = dossier_forward(dossier=dossier, actor=unit.specialist, at=when)
    return dossier_approve(dossier=dossier, actor=unit.leader, at=when + HOUR, note=note)


def receive(dossier: Dossier, unit: Unit3, when: datetime.datetime) -> Dossier:
    return dossier_receive(dossier=dossier, actor=unit.reception, at=when)


def police_and_bhxh_decide(staff: Staff, bundle: Bundle, received: str, decided: str) -> None:
    """A birth bundle's residence (police) and health card (social insurance) members are
    received at ``received`` and decided at ``decided``."""
    for service, unit in (("permanent_residence", staff.police), ("health_insurance_card", staff.bhxh)):  # fmt: skip
        decide(receive(dossier_of(bundle, service), unit, at(received)), unit, at(decided))


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def refreshed(bundle: Bundle) -> Bundle:
    return Bundle.objects.get(pk=bundle.pk)


def user(username: str) -> User:
    return User.objects.get(username=username)
