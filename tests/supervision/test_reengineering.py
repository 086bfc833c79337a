"""The re-engineering list: more than 500 dossiers in the last 12 months (500 is not enough), per
unit and city-wide, with the plan status supervisors keep (audited)."""

from __future__ import annotations

import datetime
import itertools

import pytest

from motcua.catalog.models import Procedure
from motcua.common.errors import DomainError
from motcua.dossiers.models import Dossier
from motcua.supervision.models import DossierFact, PlanStatus, ReengineeringPlanChange
from motcua.supervision.reengineering import busy_rows, plan_set
from tests.dossiers.conftest import POLICE, Staff, received
from tests.supervision.helpers import hanoi

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 6, 30)
_refs = itertools.count()


def facts_for(procedure: Procedure, prototype: Dossier, n: int, *, online: int = 0) -> None:
    """``n`` dossiers received in the window (copies of a real one: the rollup's rows need a
    dossier), ``online`` of them online, each resolved in 2 days."""
    clones = []
    for _ in range(n):
        number = next(_refs)
        clones.append(Dossier(**{
            f.attname: getattr(prototype, f.attname) for f in Dossier._meta.concrete_fields
            if f.attname not in ("id", "ref", "code", "idempotency_key")
        }, ref=f"RE-{number:05d}", code=None))  # fmt: skip
    created = Dossier.objects.bulk_create(clones)
    day = int(hanoi("2026-05-04 09:00").timestamp())
    DossierFact.objects.bulk_create([
        DossierFact(
            dossier=dossier, seq=2, receiving_unit_id=prototype.receiving_unit_id,
            deciding_unit_id=prototype.deciding_unit_id, procedure_id=procedure.pk,
            channel="online" if index < online else "counter", received=day, end=day + 2 * 86400,
            end_kind="resolved",
        )
        for index, dossier in enumerate(created)
    ])  # fmt: skip


def test_more_than_500_dossiers_puts_a_procedure_on_the_list(staff: Staff) -> None:
    prototype = received(staff, "2026-03-02 09:00")
    busy, quiet = Procedure.objects.exclude(pk=prototype.procedure_id).order_by("pk")[:2]
    facts_for(busy, prototype, 501, online=167)
    facts_for(quiet, prototype, 500)
    found = busy_rows(today=TODAY, fresh=False)
    assert [row.procedure for row in found["city"]] == [busy]
    [unit_row] = found["units"]
    assert (unit_row.procedure, unit_row.unit.code, unit_row.dossiers) == (busy, POLICE, 501)
    assert (unit_row.online_share, unit_row.average_days) == (33.33, 2.0)
    assert (
        busy_rows(today=datetime.date(2027, 6, 1), fresh=False)["city"] == []
    )  # out of the window


def test_a_plan_status_is_kept_with_its_history(staff: Staff) -> None:
    procedure = Procedure.objects.order_by("pk").first()
    assert procedure is not None
    plan_set(procedure=procedure, unit=None, status=PlanStatus.TO_STUDY, actor=staff.leader)
    with pytest.raises(DomainError):  # an approved plan names its decision
        plan_set(procedure=procedure, unit=None, status=PlanStatus.APPROVED, actor=staff.leader)
    plan = plan_set(
        procedure=procedure, unit=None, status=PlanStatus.APPROVED, actor=staff.leader,
        decision_number="123/QĐ-UBND", decision_date=datetime.date(2026, 5, 1),
    )  # fmt: skip
    assert (plan.status, plan.decision_number) == (PlanStatus.APPROVED, "123/QĐ-UBND")
    changes = list(ReengineeringPlanChange.objects.filter(plan=plan).order_by("pk"))
    assert [(c.from_status, c.to_status, c.actor_name) for c in changes] == [
        ("", PlanStatus.TO_STUDY, staff.leader.username),
        (PlanStatus.TO_STUDY, PlanStatus.APPROVED, staff.leader.username),
    ]


@pytest.mark.parametrize(
    "fields",
    [  # QA (attacker): each was stored (a 200-character number would be a 500 on PostgreSQL)
        {"decision_number": "1" * 200},
        {"decision_number": "12/QĐ", "note": "x" * 200_000},
        {"decision_number": "12/QĐ", "decision_date": datetime.date(1, 1, 1)},
        {"decision_number": "12/QĐ", "decision_date": datetime.date(2999, 1, 1)},
        {"decision_number": "\x00\u200b"},
    ],
)
def test_a_plan_refuses_what_it_cannot_hold(staff: Staff, fields: dict) -> None:
    procedure = Procedure.objects.order_by("pk").first()
    assert procedure is not None
    with pytest.raises(DomainError):
        plan_set(procedure=procedure, unit=None, status=PlanStatus.APPROVED,
                 actor=staff.leader, **fields)  # fmt: skip
    assert not ReengineeringPlanChange.objects.exists()
