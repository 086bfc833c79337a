"""Regressions found by testing as officers would (QA of session 1)."""

from __future__ import annotations

import io
import json
from io import StringIO
from pathlib import Path

import pypdf
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse

from motcua.accounts.models import ApiToken
from motcua.catalog.models import Requirement
from motcua.common.clock import clock_set_to
from motcua.common.errors import NotAllowed
from motcua.dossiers import services as s
from motcua.dossiers.errors import ApologyNotAllowed
from motcua.dossiers.legal_forms import legal_form_pdf
from motcua.dossiers.models import Dossier
from motcua.organizations.models import Unit

from .conftest import POLICE, Staff, at, received

pytestmark = pytest.mark.django_db


def test_api_apology_with_a_naive_date_is_hanoi_time_not_a_crash(staff: Staff) -> None:
    dossier = received(staff, "2026-03-02 09:00")
    token = ApiToken.issue(staff.leader, "t")
    with clock_set_to(at("2026-03-05 09:00")):  # the API acts "now": before the deadline
        response = api_apologize(dossier, token)
    assert response.status_code == 200, response.content
    assert Dossier.objects.get(pk=dossier.pk).due_at == at("2026-03-20 17:00")


def api_apologize(dossier: Dossier, token: str):
    return Client().post(
        f"/api/v1/dossiers/{dossier.ref}/actions/apologize",
        {"version": dossier.version, "reason": "Cần xác minh", "new_due": "2026-03-20"},
        content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}",
    )  # fmt: skip


def test_api_apology_without_a_date_says_it_is_missing(staff: Staff) -> None:
    dossier = received(staff, "2026-03-02 09:00")
    token = ApiToken.issue(staff.leader, "t")
    response = Client().post(
        f"/api/v1/dossiers/{dossier.ref}/actions/apologize", {"version": dossier.version, "reason": "x"},
        content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}",
    )  # fmt: skip
    assert response.status_code == 422
    assert "Cần ngày hẹn mới" in response.json()["message"]
    assert response.json()["message_en"] == "Required input is missing or invalid."


def test_a_new_date_on_a_day_off_is_refused(staff: Staff) -> None:
    with pytest.raises(ApologyNotAllowed):
        s.dossier_apologize(
            dossier=received(staff, "2026-03-02 09:00"),
            actor=staff.leader,
            at=at("2026-03-10 09:00"),
            reason="x",
            new_due=at("2026-03-14 17:00"),
        )  # Saturday


def test_forwarding_only_to_a_unit_that_may_decide(staff: Staff) -> None:
    dossier = received(staff)
    with pytest.raises(NotAllowed):
        s.dossier_forward(
            dossier=dossier,
            actor=staff.specialist,
            at=at("2026-03-02 10:00"),
            to_unit=Unit.objects.get(code="hn-so-tu-phap"),
        )
    other_police = Unit.objects.get(code="hn-cong-an-phuong-ba-dinh")
    moved = s.dossier_forward(
        dossier=dossier, actor=staff.specialist, at=at("2026-03-02 10:00"), to_unit=other_police
    )
    assert moved.deciding_unit == other_police


def test_the_receipt_lists_only_what_was_handed_in(staff: Staff) -> None:
    item = Requirement.objects.filter(
        group__procedure__code="1.004222", name__startswith="Tờ khai"
    ).first()
    client = Client()
    client.force_login(staff.reception)
    client.post(
        reverse("dossiers:reception"),
        {"procedure": "1.004222", "name": "Lê Văn Cường", "checked": [str(item.pk)]},
    )
    dossier = Dossier.objects.get(applicant_name="Lê Văn Cường")
    assert dossier.checklist == [item.name]
    text = " ".join(
        p.extract_text()
        for p in pypdf.PdfReader(io.BytesIO(legal_form_pdf(dossier, "tiep-nhan"))).pages
    )
    assert "Tờ khai" in text
    assert "phương tiện" not in text  # vehicle papers were not handed in


def test_the_counter_checks_the_phone_number(staff: Staff) -> None:
    client = Client()
    client.force_login(staff.reception)
    response = client.post(
        reverse("dossiers:reception"), {"procedure": "1.004222", "name": "A", "phone": "abc"}
    )
    assert "Số điện thoại gồm 10 chữ số" in response.content.decode()


def test_a_bad_amount_in_an_import_is_one_rejected_line(staff: Staff, tmp_path: Path) -> None:
    lines = [
        {
            "dossier": "Q1",
            "at": "2026-03-02T09:00:00+07:00",
            "action": "pay",
            "actor": staff.reception.username,
            "amount_vnd": "abc",
        },
        {"dossier": "Q2", "at": "2026-03-02T09:00:00+07:00", "action": "receive"},
    ]
    path = tmp_path / "e.jsonl"
    path.write_text("\n".join(json.dumps(x) for x in lines), encoding="utf-8")
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("import_events", str(path), "--no-progress", stdout=out, stderr=StringIO())
    assert len(out.getvalue().splitlines()) == 2


def test_tracking_book_years_out_of_range_are_not_found(staff: Staff) -> None:
    client = Client()
    client.force_login(staff.reception)
    assert client.get(f"/can-bo/don-vi/{POLICE}/so-theo-doi/99999.pdf").status_code == 404


def test_api_unauthenticated_message_is_vietnamese_first() -> None:
    body = Client().get("/api/v1/dossiers").json()
    assert body["message"].startswith("Cần đăng nhập")
    assert body["message_en"]
