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

from motcua.accounts.constants import OfficerRoleName as Role
from motcua.accounts.models import ApiToken
from motcua.catalog.models import Requirement
from motcua.common.clock import clock_set_to
from motcua.common.errors import NotAllowed
from motcua.dossiers import services as s
from motcua.dossiers.errors import ApologyNotAllowed
from motcua.dossiers.legal_forms import legal_form_pdf
from motcua.dossiers.models import Dossier
from motcua.organizations.models import Unit
from tests import factories
from tests.counter import counter_post

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
    assert "Cần chọn ngày hẹn mới" in response.json()["message"]
    assert response.json()["message_en"] == "Choose the new due date."


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
    """``forward`` with a unit is a transfer: only to a unit the catalog or the process names;
    the dossier waits until that unit takes it."""
    dossier = received(staff)

    def forward_to(unit: Unit) -> Dossier:
        return s.dossier_perform(
            "forward", dossier=dossier, actor=staff.specialist, at=at("2026-03-02 10:00"),
            expected_version=None, given=s.ActionInput(to_unit=unit),
        )  # fmt: skip

    with pytest.raises(NotAllowed):
        forward_to(Unit.objects.get(code="hn-so-tu-phap"))
    ward = Unit.objects.get(code="hn-phuong-hoan-kiem")
    assert ward in s.transfer_targets(dossier)
    sent = forward_to(ward)
    assert (sent.pending_unit, sent.deciding_unit.code) == (ward, POLICE)
    moved = s.dossier_accept_transfer(
        dossier=sent, actor=factories.officer(ward.code, Role.SPECIALIST), at=at("2026-03-02 11:00")
    )
    assert (moved.deciding_unit, moved.previous_unit.code) == (ward, POLICE)
    assert moved.pending_unit is None


def test_the_receipt_lists_only_what_was_handed_in(staff: Staff) -> None:
    item = Requirement.objects.filter(
        group__procedure__code="1.004222", name__startswith="Tờ khai"
    ).first()
    client = Client()
    client.force_login(staff.reception)
    counter_post(
        client,
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
    response = counter_post(client, {"procedure": "1.004222", "name": "A", "phone": "abc"})
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
