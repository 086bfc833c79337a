"""Run in the payment journey's server environment (its own copy of the demo data): two online
dossiers of 1.004222 by the demo citizen, received at the ward police of Hoàn Kiếm, whose fee
(10.000 đ online) the office asks. Prints their references, one per line."""

from __future__ import annotations

import django

django.setup()

from motcua.accounts.constants import OfficerRoleName  # noqa: E402
from motcua.accounts.models import OfficerRole, User  # noqa: E402
from motcua.catalog.models import Procedure  # noqa: E402
from motcua.common.clock import now  # noqa: E402
from motcua.dossiers import services as s  # noqa: E402
from motcua.organizations.models import Unit  # noqa: E402

POLICE = "hn-cong-an-phuong-hoan-kiem"
CITIZEN = "001090012345"


def main() -> None:
    police = Unit.objects.get(code=POLICE)
    citizen = User.objects.get(citizen_profile__id_number=CITIZEN)
    specialist = (
        OfficerRole.objects.filter(unit=police, role=OfficerRoleName.SPECIALIST).first().user  # type: ignore[union-attr]
    )
    procedure = Procedure.objects.filter(code="1.004222").order_by("-in_hanoi_set").first()
    for _ in range(2):
        dossier = s.dossier_submit(
            procedure=procedure, receiving_unit=police, channel="online", at=now(),
            applicant=s.Applicant(citizen.get_full_name(), CITIZEN), actor=citizen, owner=citizen,
        )  # fmt: skip
        dossier = s.dossier_receive(dossier=dossier, actor=None, at=now())
        dossier = s.dossier_assign(dossier=dossier, actor=None, at=now(), assignee=specialist)
        dossier = s.dossier_request_payment(
            dossier=dossier, actor=None, at=now(), amount_vnd=10_000, reason="Lệ phí cư trú"
        )
        print(dossier.ref)


main()
