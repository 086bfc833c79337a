from __future__ import annotations

import datetime
import io
import itertools
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pypdf
import pytest

from motcua.accounts.constants import OfficerRoleName as Role
from motcua.accounts.models import User
from motcua.accounts.services import officer_role_grant
from motcua.authority.constants import DelegationKind
from motcua.authority.models import Delegation
from motcua.authority.services import DelegationData, delegation_create
from motcua.catalog.models import Field, Procedure
from motcua.common.clock import now
from motcua.dossiers import legal_forms
from motcua.dossiers import services as s
from motcua.dossiers.models import Dossier, IssuedDocument
from motcua.organizations.models import Unit
from motcua.worktime.engine import VIETNAM_OFFSET

WARD = "hn-phuong-hoan-kiem"
BIRTH = "1.001193"  # Đăng ký khai sinh: the ward's People's Committee decides
WARD_ISSUER = "Chủ tịch Ủy ban nhân dân phường Hoàn Kiếm"
_names = itertools.count(1)


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def at(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text).replace(tzinfo=VIETNAM_OFFSET)


def day(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


def unit(code: str) -> Unit:
    return Unit.objects.get(code=code)


def officer(unit_code: str, role: str, *, title: str = "", name: str = "Cán bộ thử") -> User:
    user = User.objects.create_user(
        username=f"uq{next(_names)}", password="Mat-khau-thu-1", full_name=name
    )
    officer_role_grant(
        actor=None, officer=user, unit=unit(unit_code), role=role, at=now(), title=title
    )
    return user


def procedure(code: str) -> Procedure:
    found = Procedure.objects.filter(code=code).order_by("-in_hanoi_set", "pk").first()
    assert found is not None, code
    return found


def field_named(name: str) -> Field:
    return Field.objects.get(name=name)


class WardStaff:
    """Phường Hoàn Kiếm: its one-stop, a specialist, the Chairman and a Vice-Chairman."""

    def __init__(self) -> None:
        self.reception = officer(WARD, Role.RECEPTION)
        self.specialist = officer(WARD, Role.SPECIALIST)
        self.chairman = officer(WARD, Role.LEADER, title="Chủ tịch", name="Trần Văn Chính")
        self.deputy = officer(WARD, Role.LEADER, title="Phó Chủ tịch", name="Nguyễn Thu Hà")
        self.unit = unit(WARD)


@pytest.fixture
def ward(db: None) -> WardStaff:
    return WardStaff()


def delegate_signing(
    ward: WardStaff, *, start: str = "2026-03-01", end: str | None = None,
    codes: Sequence[str] = (), fields: Sequence[Field] = (), number: str = "15/QĐ-UBND",
    kind: str = DelegationKind.SIGN_FOR, position: str = "Phó Chủ tịch",
) -> Delegation:  # fmt: skip
    """The Chairman of the ward has the Vice-Chairman sign for him."""
    return delegation_create(
        data=DelegationData(
            kind=kind, delegator_unit=ward.unit, delegator_position="Chủ tịch",
            delegate=ward.deputy, delegate_position=position, decision_number=number,
            decision_date=day(start), decision_issuer=WARD_ISSUER, valid_from=day(start),
            valid_until=day(end) if end else None, procedure_codes=tuple(codes),
            fields=tuple(fields),
        ),
        actor=None, at=now(),
    )  # fmt: skip


def birth_at_signing(ward: WardStaff, when: str = "2026-03-02 09:00") -> Dossier:
    """A birth registration received at the ward and appraised: at the Chairman's signing step."""
    dossier = s.dossier_submit(
        procedure=procedure(BIRTH), receiving_unit=ward.unit,
        applicant=s.Applicant("Lê Thị Mai", "001195001234"), channel="counter", at=at(when),
        actor=ward.reception,
    )  # fmt: skip
    dossier = s.dossier_receive(dossier=dossier, actor=ward.reception, at=at(when))
    return s.dossier_forward(
        dossier=dossier, actor=ward.specialist, at=at(when) + datetime.timedelta(hours=1)
    )


def perform(action: str, dossier: Dossier, actor: User | None, when: str, **given: Any) -> Dossier:
    return s.dossier_perform(
        action, dossier=dossier, actor=actor, at=at(when), expected_version=dossier.version,
        given=s.ActionInput(**given),
    )  # fmt: skip


def pdf_text(document: IssuedDocument) -> str:
    reader = pypdf.PdfReader(io.BytesIO(legal_forms.issued_pdf(document)))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())
