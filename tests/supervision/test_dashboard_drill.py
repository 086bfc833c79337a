"""The dashboard's drill-down by field and procedure and each unit's Decision 766 index (issue
17): every row is the indicators' report of its own scope (one definition), a supervisor drills
from the city to a field, a procedure and its late dossiers, and the index of two units equals
a hand computation."""

from __future__ import annotations

import datetime
import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from motcua.accounts.constants import OfficerRoleName as Role
from motcua.accounts.demo import CITY_SUPERVISOR, ensure_city_supervisor
from motcua.accounts.models import User
from motcua.catalog.models import Procedure
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import (
    Applicant,
    dossier_approve,
    dossier_forward,
    dossier_receive,
    dossier_submit,
)
from motcua.feedback.services import feedback_reject
from motcua.organizations.models import Unit
from motcua.supervision.compute import Period, Scope, report
from motcua.supervision.dashboard import Tree, dashboard
from motcua.supervision.dashboard_breakdown import Focus
from motcua.supervision.rollup import catch_up
from tests import factories
from tests.dossiers.conftest import POLICE, Staff, at, decided, received, residence
from tests.feedback.conftest import APPLICANT_ID, sent

pytestmark = pytest.mark.django_db
MARCH = "from=01/03/2026&to=31/03/2026"
PERIOD = Period(datetime.date(2026, 3, 1), datetime.date(2026, 3, 31))
AFTER = at("2026-06-01 00:00")
BIRTH, WARD = "1.001193", "hn-phuong-hoan-kiem"  # khai sinh, at the ward's People's Committee


def city_supervisor() -> Client:
    ensure_city_supervisor("mat-khau-thu")
    client = Client()
    client.force_login(User.objects.get(username=CITY_SUPERVISOR))
    return client


def birth(when: str) -> Dossier:
    """A birth registration received at the ward's People's Committee (another field)."""
    reception = factories.officer(WARD, Role.RECEPTION)
    procedure = Procedure.objects.filter(code=BIRTH).order_by("-in_hanoi_set").first()
    assert procedure is not None
    dossier = dossier_submit(
        procedure=procedure, receiving_unit=Unit.objects.get(code=WARD), channel="counter",
        applicant=Applicant("Trần Văn Bình", "001090033333"), at=at(when), actor=reception,
    )  # fmt: skip
    return dossier_receive(dossier=dossier, actor=reception, at=at(when))


def sibling_decided_online(when: str) -> Dossier:
    """Submitted online at the ward police next to Hoàn Kiếm's, signed three hours later."""
    police = Unit.objects.get(code=POLICE)
    sibling = Unit.objects.filter(parent=police.parent).exclude(pk=police.pk).order_by("code")[0]
    reception, specialist, leader = (
        factories.officer(sibling.code, role) for role in ("reception", "specialist", "leader")
    )
    dossier = dossier_submit(
        procedure=residence(), receiving_unit=sibling, channel="online", at=at(when),
        applicant=Applicant("Đỗ Văn Nam", "001090022222"), actor=reception,
    )  # fmt: skip
    dossier = dossier_receive(dossier=dossier, actor=reception, at=at(when))
    dossier = dossier_forward(dossier=dossier, actor=specialist, at=at(when) + 3600 * SECOND)
    return dossier_approve(dossier=dossier, actor=leader, at=at(when) + 7200 * SECOND, note="Đủ")


SECOND = datetime.timedelta(seconds=1)


def test_every_field_and_procedure_row_is_the_report_of_its_scope(staff: Staff) -> None:
    received(staff, "2026-03-02 09:00")
    decided(staff, "2026-03-03 09:00")
    birth("2026-03-04 09:00")
    catch_up()
    tree = Tree()
    dash = dashboard(period=PERIOD, tree=tree, node=None, allowed=None, at=AFTER)
    fields = {int(row.key): row for row in dash.breakdown}
    residence_field = residence().field_id
    birth_field = Procedure.objects.filter(code=BIRTH).values_list("field_id", flat=True)[0]
    assert residence_field is not None
    assert birth_field is not None
    assert {residence_field, birth_field} <= set(fields)
    assert residence_field != birth_field
    for pk, row in fields.items():
        assert row.report == report(PERIOD, Scope(field_id=pk), at=AFTER), row.name
    focus = Focus(residence_field, "", procedure_ids=None)
    dash = dashboard(period=PERIOD, tree=tree, node=None, allowed=None, at=AFTER, focus=focus)
    assert [row.key for row in dash.breakdown] == ["1.004222"]
    (row,) = dash.breakdown
    ids = frozenset(Procedure.objects.filter(code="1.004222").values_list("pk", flat=True))
    assert row.report == report(
        PERIOD, Scope(field_id=residence_field, procedure_ids=ids), at=AFTER
    )
    assert (row.counts.judged, row.counts.on_time) == (2, 1)
    assert dash.report == report(PERIOD, Scope(field_id=residence_field), at=AFTER)


def test_a_supervisor_drills_from_the_city_to_a_field_a_procedure_and_its_late_dossiers(
    staff: Staff,
) -> None:
    late = received(staff, "2026-03-02 09:00")
    decided(staff, "2026-03-03 09:00")
    other = birth("2026-03-04 09:00")
    client = city_supervisor()
    field = residence().field_id
    city = client.get(f"/giam-sat/?{MARCH}").content.decode()
    assert 'id="table-breakdown"' in city
    assert f"field={field}" in city
    assert other.procedure.field is not None
    assert other.procedure.field.name in city
    page = client.get(f"/giam-sat/?field={field}&{MARCH}").content.decode()
    assert residence().field.name in page  # type: ignore[union-attr]
    assert "procedure=1.004222" in page
    assert BIRTH not in page
    assert 'data-figure="on-time">50,00 %<' in page
    police = Unit.objects.get(code=POLICE)
    assert f"field={field}&amp;unit={police.parent.code}" in page  # type: ignore[union-attr]
    one = client.get(f"/giam-sat/?unit={POLICE}&field={field}&procedure=1.004222&{MARCH}")
    assert one.status_code == 200
    assert 'data-figure="late">1<' in one.content.decode()
    listing = client.get(f"/giam-sat/tre-han/?field={field}&{MARCH}").content.decode()
    assert late.code in listing
    assert other.code not in listing
    for bad in ("field=999999", "field=abc", "procedure=khong-co"):
        assert client.get(f"/giam-sat/?{bad}&{MARCH}").status_code == 404, bad


def test_each_units_index_equals_a_hand_computation(staff: Staff) -> None:
    """Hoàn Kiếm ward police, March 2026, judged on 1 June: A unfinished (late), B signed the
    next day (on time), C the dossier of a feedback, unfinished (late); the feedback refused
    the next day (on time). The ward police next door: D online, signed the same day.

    Police: 2.1 = 1/3 = 33.33 % → 20 × 0.3333 = 6.67; 3.3 = 0/3 → 0 of 4; 4.1–4.4 = 0 of 17.6;
    5.1 = 1/1 → 4.5, 5.4 = 100 − 66.67 = 33.33 % (full at 90) → 1.67: 6.17; total 12.84 of 50.6.
    Next door: 2.1 = 100 % → 20; 3.3 = 100 % (full at 50) → 4; group 4: 0; 5.4 → 4.5; total
    28.5 of 46.1. Group 1 (sync off, catalogue) has no value: N/A."""
    received(staff, "2026-03-02 09:00")
    decided(staff, "2026-03-03 09:00")
    feedback = sent(staff, factories.citizen(id_number=APPLICANT_ID), "2026-03-02 10:00")
    feedback_reject(feedback=feedback, actor=staff.leader, reason="Trùng",
                    at=at("2026-03-03 09:00"))  # fmt: skip
    sibling_decided_online("2026-03-02 09:00")
    catch_up()
    tree = Tree()
    police = Unit.objects.get(code=POLICE)
    parent = tree.nodes[police.parent_id]  # type: ignore[index]
    dash = dashboard(period=PERIOD, tree=tree, node=parent, allowed=None, at=AFTER)
    found = {row.node.code: row for row in dash.rows}
    sibling = next(code for code in found if code != POLICE)
    expected = {
        POLICE: ([None, 6.67, 0.0, 0.0, 6.17], 12.84, 50.6),
        sibling: ([None, 20.0, 4.0, 0.0, 4.5], 28.5, 46.1),
    }
    for code, (groups, total, counted) in expected.items():
        row = found[code]
        assert [row.group_score(g) for g in "12345"] == groups, code
        assert (row.index, row.report["total_counted_max"]) == (total, counted), code
        assert row.report == report(PERIOD, Scope(unit_ids=frozenset(row.units)), at=AFTER)
    answer = city_supervisor().get(f"/giam-sat/bao-cao.xlsx?unit={parent.code}&{MARCH}")
    sheet = load_workbook(io.BytesIO(answer.content)).active
    assert sheet is not None
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    header = rows.index(["Đơn vị", "Nhóm 1", "Nhóm 2", "Nhóm 3", "Nhóm 4", "Nhóm 5", "Tổng điểm",
                         "Điểm tối đa đã tính"])  # fmt: skip
    police_row = next(r for r in rows[header:] if r[0] == police.name)
    assert police_row[1:8] == ["N/A", 6.67, 0, 0, 6.17, 12.84, 50.6]
