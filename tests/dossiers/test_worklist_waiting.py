"""A dossier waiting for the applicant's supplement or payment has its clock stopped: it is in
"Chờ bổ sung, nộp phí", not in the due tabs, and the scan raises no warning for it (found by a
Chromium pass, session 32: 18 of the 27 "Quá hạn" of the demo data were waiting)."""

from __future__ import annotations

import pytest

from motcua.dossiers import selectors
from motcua.dossiers import services as s
from motcua.dossiers.models import Dossier, DossierAlert
from motcua.dossiers.scan import deadlines_scan

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


@pytest.mark.parametrize("make", [waiting_for_supplement, waiting_for_payment])
def test_the_scan_warns_of_no_waiting_dossier(staff: Staff, make: object) -> None:
    dossier = make(staff)  # type: ignore[operator]
    report = deadlines_scan(at=at("2026-03-20 09:00"))
    assert report.checked == 0
    assert not DossierAlert.objects.filter(dossier=dossier).exists()
