"""The due tabs ("Đến hạn hôm nay", "Sắp đến hạn", "Quá hạn") hold the dossiers whose clock runs
in the officer's units (found by a Chromium pass, session 32):

- a dossier waiting for the applicant's supplement or payment has its clock stopped: it is in
  "Chờ công dân", not in the due tabs, and the scan raises no warning for it (18 of the
  27 "Quá hạn" of the demo data were waiting);
- a unit that was consulted reads the dossier for reference: its due date is the deciding
  unit's, and the consultation's own date is in "Cần cho ý kiến"."""

from __future__ import annotations

import pytest

from motcua.accounts.constants import OfficerRoleName as Role
from motcua.dossiers import selectors
from motcua.dossiers import services as s
from motcua.dossiers.models import Dossier, DossierAlert
from motcua.dossiers.scan import deadlines_scan
from motcua.organizations.models import Unit
from tests import factories

from .conftest import Staff, at, at_signing, received

pytestmark = pytest.mark.django_db
DUE_TABS = ("due_today", "due_soon", "overdue")


def waiting_for_supplement(staff: Staff) -> Dossier:
    return s.dossier_request_supplement(
        dossier=received(staff, "2026-03-02 09:00"),
        actor=staff.specialist,
        at=at("2026-03-03 09:00"),
        reason="Thiếu giấy tờ chỗ ở",
    )


def waiting_for_payment(staff: Staff) -> Dossier:
    return s.dossier_request_payment(
        dossier=at_signing(staff, "2026-03-02 09:00"),
        actor=staff.specialist,
        at=at("2026-03-03 09:00"),
        amount_vnd=50_000,
    )


def tabs_holding(dossier: Dossier, user: object, when: str) -> set[str]:
    held = set()
    for tab, _label in selectors.TABS:
        found = selectors.dossier_worklist(user=user, tab=tab, query="", at=at(when))  # type: ignore[arg-type]
        if dossier.pk in {d.pk for d in found.dossiers}:
            assert found.counts[tab] >= 1
            held.add(tab)
    return held


@pytest.mark.parametrize("make", [waiting_for_supplement, waiting_for_payment])
def test_a_waiting_dossier_is_in_no_due_tab_however_late(staff: Staff, make: object) -> None:
    dossier = make(staff)  # type: ignore[operator]
    assert dossier.due_at is not None
    held = tabs_holding(dossier, staff.reception, "2026-03-20 09:00")  # long past the due date
    assert "waiting" in held
    assert not held & set(DUE_TABS)
    counts = selectors.dossier_worklist(
        user=staff.reception, tab="all", query="", at=at("2026-03-20 09:00")
    ).counts
    assert [counts[tab] for tab in DUE_TABS] == [0, 0, 0]


def test_a_running_dossier_past_its_date_is_overdue(staff: Staff) -> None:
    dossier = received(staff, "2026-03-02 09:00")
    held = tabs_holding(dossier, staff.reception, "2026-03-20 09:00")
    assert "overdue" in held
    assert "waiting" not in held
    # Also for the supervisor of the units above, who watches every late dossier below.
    police = Unit.objects.get(pk=dossier.deciding_unit_id)
    assert police.parent is not None
    supervisor = factories.officer(police.parent.code, Role.SUPERVISOR)
    assert "overdue" in tabs_holding(dossier, supervisor, "2026-03-20 09:00")


@pytest.mark.parametrize("make", [waiting_for_supplement, waiting_for_payment])
def test_the_scan_warns_of_no_waiting_dossier(staff: Staff, make: object) -> None:
    dossier = make(staff)  # type: ignore[operator]
    report = deadlines_scan(at=at("2026-03-20 09:00"))
    assert report.checked == 0
    assert not DossierAlert.objects.filter(dossier=dossier).exists()


def test_a_consulted_unit_has_the_dossier_in_no_due_tab(staff: Staff) -> None:
    ward = factories.officer("hn-phuong-hoan-kiem", Role.DIVISION_HEAD)
    dossier = s.dossier_consult(
        dossier=received(staff, "2026-03-02 09:00"), actor=staff.specialist,
        at=at("2026-03-02 11:00"), unit=Unit.objects.get(code="hn-phuong-hoan-kiem"),
        question="Xác nhận chỗ ở",
    )  # fmt: skip
    late = "2026-03-20 09:00"  # past the dossier's date and the consultation's
    assert tabs_holding(dossier, ward, late) & set(DUE_TABS) == set()
    assert "consultations" in tabs_holding(dossier, ward, late)
    assert "overdue" in tabs_holding(dossier, staff.leader, late)  # the deciding unit's
    dossier = s.dossier_perform(
        "answer_consultation", dossier=dossier, actor=ward, at=at("2026-03-03 10:00"),
        expected_version=dossier.version, given=s.ActionInput(reason="Đúng nơi ở thực tế"),
    )  # fmt: skip
    held = tabs_holding(dossier, ward, late)
    assert "all" in held  # still read, for reference
    assert held & {*DUE_TABS, "consultations"} == set()
    counts = selectors.dossier_worklist(user=ward, tab="all", query="", at=at(late)).counts
    assert [counts[tab] for tab in DUE_TABS] == [0, 0, 0]
