"""Acceptance (issue 11): a delegated decision at Phường Hoàn Kiếm carries the right signature
title and the delegation's decision number, on the record and on the PDF."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.db.models import prefetch_related_objects
from django.test import Client
from django.test.utils import CaptureQueriesContext

from motcua.accounts.models import ApiToken, User
from motcua.catalog import revision
from motcua.common.errors import NotAllowed
from motcua.dossiers import deadlines
from motcua.dossiers import services as s
from motcua.dossiers.constants import Action, Decision, Status
from motcua.dossiers.models import Dossier

from .conftest import (
    WardStaff,
    at,
    birth_at_signing,
    delegate_signing,
    field_named,
    pdf_text,
    perform,
)

pytestmark = pytest.mark.django_db
KT_BLOCK = ["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"]
BASIS = (
    "Theo Quyết định số 15/QĐ-UBND ngày 01/03/2026 của Chủ tịch Ủy ban nhân dân phường Hoàn Kiếm"
)


def test_a_deputy_under_a_kt_delegation_signs_the_decision_for_the_chairman(
    ward: WardStaff,
) -> None:
    delegate_signing(ward)
    dossier = birth_at_signing(ward)
    dossier = perform(
        Action.APPROVE, dossier, ward.deputy, "2026-03-02 14:00",
        reason="Đăng ký khai sinh cho cháu Lê Minh An",
    )  # fmt: skip
    assert (dossier.decision, dossier.status) == (Decision.APPROVED, Status.PROCESSED)
    decision = dossier.issued_documents.get(kind="decision")
    assert decision.unit.code == "hn-phuong-hoan-kiem"
    assert decision.number.endswith("/TBKQ")
    signature = decision.facts["signature"]
    assert signature["lines"] == KT_BLOCK
    assert signature["name"] == "Nguyễn Thu Hà"
    assert signature["basis"] == [BASIS]
    assert signature["delegation"]["decision_number"] == "15/QĐ-UBND"
    event = dossier.events.get(action=Action.APPROVE)
    assert event.payload["delegation"]["decision_number"] == "15/QĐ-UBND"
    assert event.payload["delegation"]["kind"] == "kt"
    text = pdf_text(decision)
    for wanted in (
        "THÔNG BÁO KẾT QUẢ GIẢI QUYẾT HỒ SƠ", "TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH",
        "PHÓ CHỦ TỊCH", "Nguyễn Thu Hà", "15/QĐ-UBND", "Đăng ký khai sinh cho cháu Lê Minh An",
    ):  # fmt: skip
        assert wanted in text, wanted
    assert "THỦ TRƯỞNG CƠ QUAN" not in text


def test_the_same_deputy_without_a_delegation_may_not_sign(ward: WardStaff) -> None:
    dossier = birth_at_signing(ward)
    moment = at("2026-03-02 14:00")
    assert Action.APPROVE not in s.actions_available(dossier, ward.deputy, moment)
    assert Action.REJECT not in s.actions_available(dossier, ward.deputy, moment)
    assert Action.APPROVE in s.actions_available(dossier, ward.chairman, moment)
    with pytest.raises(NotAllowed) as caught:
        perform(Action.APPROVE, dossier, ward.deputy, "2026-03-02 14:00", reason="Đồng ý")
    message = str(caught.value.message)
    assert "Phó Chủ tịch" in message
    assert "Nghị định 30/2020/NĐ-CP" in message
    assert Dossier.objects.get(pk=dossier.pk).decision == ""
    assert not dossier.issued_documents.filter(kind="decision").exists()


def test_the_api_refuses_the_undelegated_deputy_with_403_and_accepts_the_delegated_one(
    ward: WardStaff,
) -> None:
    dossier = birth_at_signing(ward)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.issue(ward.deputy, 'test')}"}
    url = f"/api/v1/dossiers/{dossier.ref}/actions/approve"
    body = {"version": dossier.version, "reason": "Đồng ý"}
    refused = Client().post(url, body, content_type="application/json", **headers)
    assert refused.status_code == 403
    assert "Phó Chủ tịch" in refused.json()["message"]
    delegate_signing(ward, start="2025-07-01")  # in force today, when the API acts
    done = Client().post(url, body, content_type="application/json", **headers)
    assert done.status_code == 200, done.content
    assert done.json()["status"] == Status.PROCESSED


def test_a_delegation_covers_only_its_procedures_or_fields(ward: WardStaff) -> None:
    delegate_signing(ward, fields=[field_named("Chứng thực")])
    dossier = birth_at_signing(ward)
    with pytest.raises(NotAllowed):
        perform(Action.APPROVE, dossier, ward.deputy, "2026-03-02 14:00", reason="Đồng ý")
    delegate_signing(ward, codes=["1.001193"], number="16/QĐ-UBND")
    dossier = perform(Action.APPROVE, dossier, ward.deputy, "2026-03-02 14:00", reason="Đồng ý")
    signature = dossier.issued_documents.get(kind="decision").facts["signature"]
    assert signature["delegation"]["decision_number"] == "16/QĐ-UBND"


def test_a_field_delegation_covers_the_fields_procedures(ward: WardStaff) -> None:
    delegate_signing(ward, fields=[field_named("Hộ tịch")])
    dossier = perform(
        Action.APPROVE, birth_at_signing(ward), ward.deputy, "2026-03-02 14:00", reason="Đồng ý"
    )
    assert dossier.issued_documents.get(kind="decision").facts["signature"]["lines"] == KT_BLOCK


def later_working_day(dossier: Dossier) -> datetime.datetime:
    assert dossier.due_at is not None
    candidate = dossier.due_at + datetime.timedelta(days=1)
    while not deadlines.is_working_day(dossier, candidate):
        candidate += datetime.timedelta(days=1)
    return candidate


def test_the_deputys_apology_and_rejection_carry_the_kt_block(ward: WardStaff) -> None:
    delegate_signing(ward)
    dossier = birth_at_signing(ward)
    dossier = perform(
        Action.APOLOGIZE, dossier, ward.deputy, "2026-03-02 11:00",
        reason="Chờ xác minh thông tin", new_due=later_working_day(dossier),
    )  # fmt: skip
    apology = dossier.issued_documents.get(kind="apology")
    assert apology.facts["signature"]["lines"] == KT_BLOCK
    dossier = perform(
        Action.REJECT, dossier, ward.deputy, "2026-03-02 14:00",
        reason="Giấy chứng sinh không hợp lệ",
    )  # fmt: skip
    rejection = dossier.issued_documents.get(kind="rejection")
    assert rejection.facts["signature"]["lines"] == KT_BLOCK
    assert rejection.facts["signature"]["basis"] == [BASIS]
    text = pdf_text(rejection)
    assert "KT. CHỦ TỊCH" in text
    assert "PHÓ CHỦ TỊCH" in text
    assert "15/QĐ-UBND" in text
    assert "THỦ TRƯỞNG CƠ QUAN" not in text
    assert "KT. CHỦ TỊCH" in pdf_text(apology)


def test_the_stop_notice_names_the_heads_title_and_leaves_the_signature_to_the_head(
    ward: WardStaff,
) -> None:
    dossier = s.dossier_receive(
        dossier=s.dossier_submit(
            procedure=birth_at_signing(ward).procedure, receiving_unit=ward.unit,
            applicant=s.Applicant("Lê Thị Mai"), channel="counter", at=at("2026-03-02 09:00"),
            actor=ward.reception,
        ),
        actor=ward.reception, at=at("2026-03-02 09:00"),
    )  # fmt: skip
    dossier = perform(Action.WITHDRAW, dossier, ward.reception, "2026-03-02 10:00")
    stop = dossier.issued_documents.get(kind="stop")
    assert stop.facts["signature"]["lines"] == ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"]
    assert stop.facts["signature"]["name"] == ""
    assert "TM. ỦY BAN NHÂN DÂN" in pdf_text(stop)


def test_the_chairman_signs_in_his_own_name_even_while_his_deputy_is_delegated(
    ward: WardStaff,
) -> None:
    delegate_signing(ward)
    dossier = perform(
        Action.APPROVE, birth_at_signing(ward), ward.chairman, "2026-03-02 14:00", reason="Đồng ý"
    )
    signature = dossier.issued_documents.get(kind="decision").facts["signature"]
    assert signature["lines"] == ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"]
    assert signature["name"] == "Trần Văn Chính"
    assert signature["basis"] == []
    assert "delegation" not in dossier.events.get(action=Action.APPROVE).payload


def test_offering_actions_to_a_deputy_reads_his_delegations_once_per_request(
    ward: WardStaff,
) -> None:
    delegate_signing(ward)
    refs = [birth_at_signing(ward).pk for _ in range(3)]

    def offers(user: User) -> int:
        fresh_user = User.objects.get(pk=user.pk)  # a new request
        rows = list(Dossier.objects.filter(pk__in=refs).select_related("procedure"))
        prefetch_related_objects(rows, "consultations")
        # As a request does: the catalog's token is read once a request. (Not Django's
        # signals: request_finished closes the test's connection.)
        revision.request_begins()
        try:
            with CaptureQueriesContext(connection) as queries:
                for row in rows:
                    assert Action.APPROVE in s.actions_available(
                        row, fresh_user, at("2026-03-02 14:00")
                    )
        finally:
            revision.request_ends()
        return len(queries)

    # The catalog's token (whether the unit delegates at all is kept with it; a page has most
    # often read it already), the delegations and their fields.
    assert offers(ward.deputy) <= offers(ward.chairman) + 3


def test_a_deputys_offers_on_a_listed_row_follow_the_days_his_delegation_covers(
    ward: WardStaff,
) -> None:
    """The actions offered are remembered by the row's shape (``services.offers``); for a
    deputy the day is part of it: the same user object asked on the last day of his delegation
    and the day after is offered the decision only on the first."""
    delegate_signing(ward, end="2026-03-02")
    row = Dossier.objects.get(pk=birth_at_signing(ward).pk)
    prefetch_related_objects([row], "consultations")  # as a worklist reads its rows
    deputy = User.objects.get(pk=ward.deputy.pk)
    assert Action.APPROVE in s.actions_available(row, deputy, at("2026-03-02 16:00"))
    assert Action.APPROVE not in s.actions_available(row, deputy, at("2026-03-03 08:00"))
    assert Action.APPROVE in s.actions_available(row, deputy, at("2026-03-02 16:30"))
