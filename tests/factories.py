"""Plain helper functions that build test data through the same services the app uses."""

from __future__ import annotations

import itertools

from motcua.accounts.models import OfficerRole, User
from motcua.accounts.services import citizen_create, officer_role_grant
from motcua.common.clock import now
from motcua.dossiers.models import ApplicantLink, Dossier
from motcua.organizations.models import Unit

PASSWORD = "Mat-khau-thu-nghiem-1"
_sequence = itertools.count(1)


def unit(code: str) -> Unit:
    return Unit.objects.get(code=code)


def officer(unit_code: str, role: str, username: str | None = None) -> User:
    user = User.objects.create_user(
        username=username or f"canbo{next(_sequence)}", password=PASSWORD, full_name="Cán bộ thử"
    )
    officer_role_grant(actor=None, officer=user, unit=unit(unit_code), role=role, at=now())
    return user


def role_of(user: User) -> OfficerRole:
    return OfficerRole.objects.get(user=user)


def citizen(id_number: str = "001090099999", phone: str = "0911222333") -> User:
    return citizen_create(
        full_name="Phạm Thị Dung", id_number=id_number, password=PASSWORD, phone=phone,
        email="dung@example.com",
    )  # fmt: skip


def proven(dossier: Dossier, user: User | None = None) -> Dossier:
    """The applicant has proved the counter dossier is theirs (what the one-time code does):
    link it to ``user``, or to the account holding the dossier's ID number."""
    holder = (
        user or User.objects.filter(citizen_profile__id_number=dossier.applicant_id_number).first()
    )
    assert holder is not None, "no account holds the dossier's ID number"
    ApplicantLink.objects.get_or_create(
        user=holder, dossier=dossier, defaults={"method": "test", "linked_at": now()}
    )
    return dossier
