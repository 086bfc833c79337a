"""Malformed input on the supervision pages is a clear message, never a 500."""

from __future__ import annotations

import pytest
from django.test import Client

from motcua.accounts.demo import CITY_SUPERVISOR, ensure_city_supervisor
from motcua.accounts.models import User
from motcua.supervision.models import ReengineeringPlan
from tests.dossiers.conftest import Staff

pytestmark = pytest.mark.django_db


def signed_in(user: User) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_a_day_at_the_calendar_edge_is_refused_with_a_message(staff: Staff, day: str) -> None:
    page = signed_in(staff.leader).get(f"/giam-sat/vuot-dinh-muc/?from={day}&to={day}")
    assert page.status_code == 200
    assert "Ngày không hợp lệ" in page.content.decode()


@pytest.mark.parametrize("procedure", ["abc", "1.5", "-1", "9" * 30])
def test_a_plan_for_a_procedure_that_is_not_a_number_is_refused(
    staff: Staff, procedure: str
) -> None:
    ensure_city_supervisor("mat-khau-thu")
    supervisor = signed_in(User.objects.get(username=CITY_SUPERVISOR))
    answer = supervisor.post("/giam-sat/tai-cau-truc/", {"procedure": procedure, "status": "x"})
    assert answer.status_code == 302
    assert not ReengineeringPlan.objects.exists()
    page = supervisor.get(answer["Location"]).content.decode()
    assert "Không tìm thấy thủ tục hoặc đơn vị." in page
