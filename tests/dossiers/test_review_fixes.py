"""What the officer, citizen and attacker reviews of kernel v2 found, each kept fixed."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from motcua.accounts.constants import OfficerRoleName as Role
from motcua.common.errors import NotAllowed
from motcua.dossiers import legal_forms
from motcua.dossiers import services as s
from motcua.dossiers.errors import ApologyNotAllowed, MissingInput
from motcua.dossiers.models import Dossier
from motcua.organizations.models import Unit
from tests import factories
from tests.files import tiny_pdf

from .conftest import Staff, at, received, submitted

pytestmark = pytest.mark.django_db
WARD = "hn-phuong-hoan-kiem"
TINY_PDF = tiny_pdf()


def test_a_reason_that_looks_like_a_date_stays_text_on_the_issued_form(staff: Staff) -> None:
    dossier = s.dossier_withdraw(
        dossier=received(staff), actor=staff.reception, at=at("2026-03-02 10:00"),
        reason="0001-01-01T00:00:00+14:00",
    )  # fmt: skip
    stop = dossier.issued_documents.get(kind="stop")
    assert legal_forms.issued_pdf(stop).startswith(b"%PDF")
    assert legal_forms.thaw(stop.facts)["event"]["reason"] == "0001-01-01T00:00:00+14:00"


def test_a_name_with_control_characters_is_refused(staff: Staff) -> None:
    with pytest.raises(MissingInput):
        s.dossier_submit(
            procedure=received(staff).procedure, receiving_unit=Unit.objects.get(code=WARD),
            applicant=s.Applicant("A\x00B"), channel="counter", at=at("2026-03-02 09:00"),
        )  # fmt: skip


def test_the_receiving_unit_cannot_take_back_a_dossier_another_unit_decides(
    staff: Staff,
) -> None:
    ward_reception = factories.officer(WARD, Role.RECEPTION)
    dossier = s.dossier_receive(
        dossier=s.dossier_submit(
            procedure=received(staff).procedure, receiving_unit=Unit.objects.get(code=WARD),
            applicant=s.Applicant("Lê Văn Cường"), channel="counter", at=at("2026-03-02 09:00"),
            actor=ward_reception,
        ),
        actor=ward_reception, at=at("2026-03-02 09:00"),
    )  # fmt: skip
    police = Unit.objects.get(code="hn-cong-an-phuong-hoan-kiem")
    assert dossier.deciding_unit == police  # the commune police's procedure (issue 13)
    with pytest.raises(NotAllowed):
        s.dossier_transfer(
            dossier=dossier, actor=ward_reception, at=at("2026-03-02 09:30"),
            to_unit=Unit.objects.get(code=WARD),
        )  # fmt: skip
    assert Dossier.objects.get(pk=dossier.pk).deciding_unit == police


def test_the_city_itself_is_never_a_transfer_target(staff: Staff) -> None:
    targets = s.transfer_targets(received(staff))
    assert not targets.filter(kind="city").exists()


def test_answering_a_consultation_with_a_document_keeps_the_document(staff: Staff) -> None:
    ward_specialist = factories.officer(WARD, Role.SPECIALIST)
    dossier = s.dossier_consult(
        dossier=received(staff), actor=staff.specialist, at=at("2026-03-02 10:00"),
        unit=Unit.objects.get(code=WARD), question="Xác nhận chỗ ở",
    )  # fmt: skip
    given = s.ActionInput(
        reason="Xác nhận", upload=SimpleUploadedFile("tra-loi.pdf", TINY_PDF, "application/pdf")
    )
    s.dossier_perform(
        "answer_consultation", dossier=dossier, actor=ward_specialist, at=at("2026-03-02 11:00"),
        expected_version=None, given=given,
    )  # fmt: skip
    answered = dossier.consultations.get()
    assert answered.answer_document is not None
    assert answered.answer_document.dossier_id == dossier.pk


def test_amounts_beyond_any_fee_are_refused_not_overflowed(staff: Staff) -> None:
    dossier = s.dossier_assign(
        dossier=received(staff),
        actor=staff.leader,
        at=at("2026-03-02 10:00"),
        assignee=staff.specialist,
    )
    with pytest.raises(MissingInput):
        s.dossier_request_payment(
            dossier=dossier, actor=staff.specialist, at=at("2026-03-02 11:00"), amount_vnd=2**63
        )


def test_an_apology_date_outside_the_known_calendar_is_refused(staff: Staff) -> None:
    far = datetime.datetime(2099, 1, 5, 17, tzinfo=datetime.timezone(datetime.timedelta(hours=7)))
    with pytest.raises(ApologyNotAllowed):
        s.dossier_apologize(
            dossier=received(staff), actor=staff.leader, at=at("2026-03-02 10:00"),
            reason="Chậm", new_due=far,
        )  # fmt: skip


def test_an_officer_recording_part_of_a_supplement_keeps_the_dossier_waiting(staff: Staff) -> None:
    dossier = s.dossier_request_supplement(
        dossier=submitted(staff), actor=staff.reception, at=at("2026-03-02 09:30"),
        items=["Giấy tờ chỗ ở", "Giấy khai sinh"],
    )  # fmt: skip
    dossier = s.dossier_submit_supplement(
        dossier=dossier,
        actor=staff.reception,
        at=at("2026-03-03 09:00"),
        received=["Giấy tờ chỗ ở"],
    )
    assert dossier.status == "supplement_requested"
    assert s.missing_items(dossier.supplement_items) == ["Giấy khai sinh"]
    dossier = s.dossier_submit_supplement(
        dossier=dossier, actor=staff.reception, at=at("2026-03-04 09:00"), received=[],
        accept_incomplete=True,
    )  # fmt: skip
    assert dossier.status == "new"
    assert dossier.events.last().payload["missing"] == ["Giấy khai sinh"]
