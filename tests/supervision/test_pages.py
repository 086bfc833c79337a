"""The supervision pages and the command: who may open them, and that they show what they say."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.test import Client

from motcua.accounts.demo import CITY_SUPERVISOR, ensure_city_supervisor
from motcua.accounts.models import User
from motcua.catalog.models import Procedure
from motcua.supervision.models import PlanStatus, ReengineeringPlan, ReengineeringPlanChange
from tests.dossiers.conftest import Staff, at_signing, received, submitted

pytestmark = pytest.mark.django_db


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_dossier_page_links_to_its_timeline_which_follows_the_read_rules(staff: Staff) -> None:
    dossier = received(staff, "2026-03-02 09:00")
    url = f"/can-bo/dong-thoi-gian/{dossier.ref}/"
    page = signed_in(staff.specialist).get(f"/can-bo/ho-so/{dossier.ref}/")
    assert url in page.content.decode()
    timeline = signed_in(staff.specialist).get(url)
    assert timeline.status_code == 200
    assert "Thẩm định hồ sơ" in timeline.content.decode()
    assert signed_in(staff.outsider).get(url).status_code == 404


def test_the_timeline_of_a_dossier_not_yet_received_says_so_rather_than_an_empty_table(
    staff: Staff,
) -> None:
    dossier = submitted(staff, "2026-03-02 09:00")
    page = signed_in(staff.reception).get(f"/can-bo/dong-thoi-gian/{dossier.ref}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Hồ sơ chưa được tiếp nhận" in text
    assert "<table" not in text


def test_officers_are_named_on_the_timeline_and_the_over_budget_report(staff: Staff) -> None:
    staff.specialist.full_name = "Đỗ Thị Hạnh"
    staff.specialist.save(update_fields=["full_name"])
    dossier = at_signing(staff, "2026-03-02 09:00")
    timeline = signed_in(staff.leader).get(f"/can-bo/dong-thoi-gian/{dossier.ref}/")
    assert "Đỗ Thị Hạnh" in timeline.content.decode()
    report = signed_in(staff.leader).get("/giam-sat/vuot-dinh-muc/?from=2026-03-01&to=2026-03-31")
    assert "Đỗ Thị Hạnh" in report.content.decode()


def test_report_pages_are_for_leaders_and_supervisors(staff: Staff) -> None:
    received(staff, "2026-03-02 09:00")
    for url in ("/giam-sat/vuot-dinh-muc/?from=2026-03-01&to=2026-03-31", "/giam-sat/nguy-co-tre-han/",
                "/giam-sat/tai-cau-truc/"):  # fmt: skip
        assert signed_in(staff.leader).get(url).status_code == 200, url
        assert signed_in(staff.specialist).get(url).status_code == 403, url
    assert signed_in(staff.leader).get("/giam-sat/vuot-dinh-muc/?from=x").status_code == 200
    risky = signed_in(staff.leader).get("/giam-sat/nguy-co-tre-han/").content.decode()
    assert "Đã quá hạn" in risky  # received in March, the clock is long past its due date


def test_only_a_supervisor_edits_a_plan_and_the_change_is_kept(staff: Staff) -> None:
    ensure_city_supervisor("mat-khau-thu")
    procedure = Procedure.objects.order_by("pk").first()
    assert procedure is not None
    form = {"procedure": procedure.pk, "unit": "", "status": PlanStatus.APPROVED,
            "decision_number": "45/QĐ-UBND", "decision_date": "2026-05-02"}  # fmt: skip
    signed_in(staff.leader).post("/giam-sat/tai-cau-truc/", form)
    assert not ReengineeringPlan.objects.exists()
    supervisor = User.objects.get(username=CITY_SUPERVISOR)
    answer = signed_in(supervisor).post("/giam-sat/tai-cau-truc/", form)
    assert answer.status_code == 302
    plan = ReengineeringPlan.objects.get()
    assert (plan.status, plan.decision_number, plan.unit) == (
        PlanStatus.APPROVED,
        "45/QĐ-UBND",
        None,
    )
    assert ReengineeringPlanChange.objects.get().actor == supervisor


def test_the_command_reports_over_budget_and_sets_a_plan(staff: Staff) -> None:
    received(staff, "2026-03-02 09:00")
    out = io.StringIO()
    call_command(
        "supervision", "over-budget", "--from", "2026-03-01", "--to", "2026-03-31", stdout=out
    )
    found = json.loads(out.getvalue())
    assert found["units"][0]["over_budget_seconds"] > 0
    out = io.StringIO()
    call_command(
        "supervision", "plan", "--procedure", "1.004222", "--status", "to_study", stdout=out
    )
    assert json.loads(out.getvalue())["status"] == "to_study"


def test_the_workspace_of_a_leader_links_to_the_supervision_pages(staff: Staff) -> None:
    home = signed_in(staff.leader).get("/can-bo/").content.decode()
    for url in (
        "/giam-sat/nguy-co-tre-han/",
        "/giam-sat/vuot-dinh-muc/",
        "/giam-sat/tai-cau-truc/",
    ):
        assert url in home
    assert "/giam-sat/" not in signed_in(staff.specialist).get("/can-bo/").content.decode()


def test_the_over_budget_report_reads_dd_mm_yyyy(staff: Staff) -> None:
    """QA: dates as yyyy-mm-dd only, unlike every other supervision page."""
    staff.specialist.full_name = "Đỗ Thị Hạnh"
    staff.specialist.save(update_fields=["full_name"])
    at_signing(staff, "2026-03-02 09:00")
    page = signed_in(staff.leader).get("/giam-sat/vuot-dinh-muc/?from=01/03/2026&to=31/03/2026")
    html = page.content.decode()
    assert "Đỗ Thị Hạnh" in html
    assert 'value="01/03/2026"' in html
    assert "1 hồ sơ" in html


def test_the_over_budget_report_says_a_reversed_period_is_reversed(staff: Staff) -> None:
    """QA: "at most a year" was said of a period whose start came after its end."""
    page = signed_in(staff.leader).get("/giam-sat/vuot-dinh-muc/?from=03/12/2026&to=01/12/2026")
    assert "Ngày bắt đầu sau ngày kết thúc." in page.content.decode()


def test_a_refused_date_of_the_over_budget_report_stays_as_typed(staff: Staff) -> None:
    page = signed_in(staff.leader).get("/giam-sat/vuot-dinh-muc/?from=31/02/2026&to=30/04/2026")
    html = page.content.decode()
    assert 'value="31/02/2026"' in html
    assert 'value="30/04/2026"' in html
    assert "Ngày không hợp lệ" in html
