"""The worklist's due-day filters take the days a dossier can be due, and refuse the calendar's
ends with a clear error (the API's fuzzing found ``due_from=0001-01-01`` answered with a 500:
the day's start in Hà Nội has no UTC time; 9999-12-31 has no next day)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.dossiers.conftest import Staff
from tests.dossiers.test_worklist_scale import bearer

pytestmark = pytest.mark.django_db


@pytest.fixture
def officers(db: None) -> Staff:
    return Staff()


@pytest.mark.parametrize(
    ("name", "day"),
    [("due_from", "0001-01-01"), ("due_to", "9999-12-31"), ("due_from", "1899-12-31")],
)
def test_the_api_refuses_a_due_day_no_dossier_can_have(
    officers: Staff, name: str, day: str
) -> None:
    answer = Client().get("/api/v1/dossiers", {name: day}, **bearer(officers.reception))
    assert answer.status_code == 422
    body = answer.json()
    assert body["code"] == "invalid_input"
    assert body["message_en"] == f"{name} must be from 1900-01-01 to 9998-12-31."


def test_the_api_takes_the_ends_of_the_range(officers: Staff) -> None:
    days = {"due_from": "1900-01-01", "due_to": "9998-12-31"}
    answer = Client().get("/api/v1/dossiers", days, **bearer(officers.reception))
    assert answer.status_code == 200


def test_the_worklist_page_explains_a_day_outside_the_range(officers: Staff) -> None:
    client = Client()
    client.force_login(officers.reception)
    answer = client.get(reverse("dossiers:worklist"), {"tab": "all", "due_from": "01/01/0001"})
    assert answer.status_code == 200
    html = answer.content.decode()
    assert 'aria-invalid="true"' in html
    assert "Ngày phải từ 01/01/1900 đến 31/12/9998." in html
