"""Bundle figures for supervision, checked against a hand count: three bundles at Phường Hoàn
Kiếm over March–April 2026, judged on 10/4/2026 at noon.

- A (birth, received 2/3 09:00): every member decided by 3/3, the bundle ends 3/3 11:05 within
  its 3 working days → finished, on time; its three members on time.
- B (birth, received 2/3 10:00): the birth registered the same morning; the police receive the
  residence on 2/3 13:00 and never decide (its 2 working days end 4/3); the health card is never
  acknowledged (no reception: not judged) → unfinished past its limit: late.
- C (death with the social-insurance funeral allowance, received 1/4 09:00, 9 working days):
  nothing decided → unfinished within its limit: on time; its death registration (same working
  day) is late.
"""

from __future__ import annotations

import pytest
from django.test import Client

from motcua.accounts.demo import CITY_SUPERVISOR, ensure_city_supervisor
from motcua.accounts.models import User
from motcua.bundles.services import bundle_submit
from motcua.common.clock import clock_set_to
from motcua.supervision.compute import Period
from motcua.supervision.dashboard import Tree, dashboard
from motcua.supervision.rollup import catch_up

from .conftest import (
    APPLICANT,
    DEATH,
    Staff,
    at,
    birth_at_counter,
    decide,
    dossier_of,
    police_and_bhxh_decide,
    receive,
    refreshed,
    saga,
)

pytestmark = pytest.mark.django_db

SPRING = Period(at("2026-03-01 00:00").date(), at("2026-04-30 00:00").date())
JUDGED_AT = "2026-04-10 12:00"


def three_bundles(staff: Staff) -> None:
    a = birth_at_counter(staff, when="2026-03-02 09:00")
    b = birth_at_counter(staff, when="2026-03-02 10:00")
    decide(dossier_of(a, "birth_registration"), staff.ward, at("2026-03-02 09:30"))
    decide(dossier_of(b, "birth_registration"), staff.ward, at("2026-03-02 10:30"))
    saga(at("2026-03-02 11:45"))
    police_and_bhxh_decide(staff, a, "2026-03-02 13:00", "2026-03-03 09:00")
    receive(dossier_of(b, "permanent_residence"), staff.police, at("2026-03-02 13:00"))
    saga(at("2026-03-03 11:05"))
    assert refreshed(a).finished_at == at("2026-03-03 11:05")
    assert refreshed(b).finished_at is None
    bundle_submit(
        kind="death", services=["death_registration", "residence_removal", "funeral_allowance"],
        receiving_unit=staff.ward.unit, channel="counter", applicant=APPLICANT, subject=DEATH,
        actor=staff.ward.reception, at=at("2026-04-01 09:00"),
    )  # fmt: skip
    catch_up()


def test_the_figures_equal_a_hand_count(staff: Staff) -> None:
    three_bundles(staff)
    dash = dashboard(period=SPRING, tree=Tree(), node=None, allowed=None, at=at(JUDGED_AT))
    figures = dash.bundles
    rows = {
        (r.kind, r.unit_id, r.month.strftime("%m/%Y")): (r.received, r.finished, r.judged, r.on_time)
        for r in figures.rows
    }  # fmt: skip
    ward = staff.ward.unit.pk
    assert rows == {
        ("birth", ward, "03/2026"): (2, 1, 2, 1),  # A on time, B late
        ("death", ward, "04/2026"): (1, 0, 1, 1),  # C within its 9 days
    }
    assert figures.unit_names[ward] == staff.ward.unit.name
    total = figures.total()
    assert (total.received, total.finished, total.on_time, total.late) == (3, 1, 2, 1)
    members = {(m.kind, m.service): (m.judged, m.on_time) for m in figures.members}
    assert members == {
        ("birth", "birth_registration"): (2, 2),
        ("birth", "permanent_residence"): (2, 1),  # B's never decided, past its 2 days
        ("birth", "health_insurance_card"): (1, 1),  # B's never acknowledged: not judged
        ("death", "death_registration"): (1, 0),  # same working day, not decided
    }
    # The Center's page says the same of each bundle (one rule: bundles.pages.whole_on_time).
    from motcua.bundles.models import Bundle
    from motcua.bundles.pages import sla_of

    keys = sorted(sla_of(b, at(JUDGED_AT)).key for b in Bundle.objects.all())
    assert keys == ["done_on_time", "late", "on_time"]


def test_the_dashboard_and_its_workbook_show_the_bundle_tables(staff: Staff) -> None:
    three_bundles(staff)
    ensure_city_supervisor("mat-khau-thu")
    client = Client()
    client.force_login(User.objects.get(username=CITY_SUPERVISOR))
    query = "from=01/03/2026&to=30/04/2026"
    with clock_set_to(at(JUDGED_AT)):
        page = client.get(f"/giam-sat/?{query}").content.decode()
        workbook = client.get(f"/giam-sat/bao-cao.xlsx?{query}")
    assert 'id="table-bundles"' in page
    assert 'id="table-bundle_members"' in page
    assert "Liên thông khai sinh" in page
    assert "Đăng ký thường trú" in page
    assert workbook.status_code == 200
    from io import BytesIO

    from openpyxl import load_workbook

    sheet = load_workbook(BytesIO(workbook.content)).active
    cells = [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]
    assert "Hồ sơ liên thông theo nhóm, đơn vị và tháng" in cells
