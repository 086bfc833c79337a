"""``deciding_unit__elsewhere`` (``dossiers.lookups``) against the rule it stands for, and the
leader's reading that rests on it."""

from __future__ import annotations

import datetime

import pytest

from motcua.catalog.models import Procedure
from motcua.common.clock import clock_set_to
from motcua.dossiers.models import Dossier
from motcua.dossiers.selectors import visible_dossiers
from motcua.worktime.engine import VIETNAM_OFFSET
from tests import factories

from .volume import bulk_dossiers, generated_facts

AT = datetime.datetime(2026, 11, 20, 9, 30, tzinfo=VIETNAM_OFFSET)
WARD, OTHER_WARD, DEPARTMENT = "hn-phuong-ba-dinh", "hn-phuong-hoan-kiem", "hn-so-tu-phap"


def rows(prefix: str, count: int, receiving: str, deciding: str | None = None) -> set[str]:
    procedure = Procedure.objects.filter(code="1.004222").order_by("-in_hanoi_set").first()
    assert procedure is not None
    facts = list(
        generated_facts(
            count, at=AT, procedures=[procedure.pk], assignee=None, seed=1, prefix=prefix
        )
    )
    bulk_dossiers(
        factories.unit(receiving), facts, deciding=factories.unit(deciding) if deciding else None
    )
    return {fact.ref for fact in facts}


@pytest.mark.django_db
def test_the_deciding_unit_elsewhere_is_the_deciding_unit_of_what_another_unit_received() -> None:
    with clock_set_to(AT):
        for_the_department = rows("LA", 4, WARD, DEPARTMENT)
        rows("LB", 3, DEPARTMENT)
        rows("LC", 2, OTHER_WARD)
        rows("LD", 2, OTHER_WARD, WARD)
    written = Dossier.objects.filter(ref__regex=r"^L[A-D]")
    for row in written.values("ref", "receiving_unit_id", "deciding_unit_id"):
        elsewhere = (
            row["deciding_unit_id"] if row["deciding_unit_id"] != row["receiving_unit_id"] else None
        )
        for unit in (WARD, OTHER_WARD, DEPARTMENT):
            unit_id = factories.unit(unit).pk
            found = written.filter(ref=row["ref"], deciding_unit__elsewhere=unit_id).exists()
            assert found == (elsewhere == unit_id), (row, unit)
    department = factories.unit(DEPARTMENT).pk
    listed = set(
        written.filter(deciding_unit__elsewhere__in=[department]).values_list("ref", flat=True)
    )
    assert listed == for_the_department


@pytest.mark.django_db
def test_a_leader_reads_what_the_unit_received_and_what_it_decides_for_others() -> None:
    with clock_set_to(AT):
        for_the_department = rows("LA", 4, WARD, DEPARTMENT)
        received = rows("LB", 3, DEPARTMENT)
        rows("LC", 2, OTHER_WARD)
        leader = factories.officer(DEPARTMENT, "leader")
        ward_leader = factories.officer(WARD, "leader")
    generated = Dossier.objects.filter(ref__regex=r"^L[A-D]")
    read = set(visible_dossiers(leader).filter(pk__in=generated).values_list("ref", flat=True))
    assert read == for_the_department | received
    read = set(visible_dossiers(ward_leader).filter(pk__in=generated).values_list("ref", flat=True))
    assert read == for_the_department
