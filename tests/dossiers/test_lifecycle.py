"""The dossier lifecycle, behaviour by behaviour: reception, the process steps and the decision at
the signing step, supplements, pauses, apologies, transfers, consultations, the forms issued.

Which action is allowed in which state for whom is the transition matrix's business
(test_transition_matrix.py); here each rule is followed through with its consequences.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from motcua.accounts.constants import OfficerRoleName as Role
from motcua.accounts.models import User
from motcua.catalog.models import ProcessStep
from motcua.common.errors import DomainError, NotAllowed
from motcua.dossiers import legal_forms, selectors
from motcua.dossiers import services as s
from motcua.dossiers.audit import audit_verify
from motcua.dossiers.constants import NATIONAL_STATUS, Action, Decision, Status
from motcua.dossiers.errors import (
    ApologyNotAllowed,
    MissingInput,
    StaleDossier,
    SupplementAlreadyRequested,
    SupplementWindowClosed,
    TransitionNotAllowed,
)
from motcua.dossiers.models import Dossier
from motcua.organizations.models import Unit
from tests import factories
from tests.files import tiny_pdf

from .conftest import (
    POLICE,
    Staff,
    at,
    at_signing,
    decided,
    received,
    residence,
    submitted,
)

pytestmark = pytest.mark.django_db

WARD = "hn-phuong-hoan-kiem"
PDF = tiny_pdf()


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def perform(action: str, dossier: Dossier, actor: User | None, when: str, **given: Any) -> Dossier:
    """Through the one entry point of the officer pages and the API."""
    return s.dossier_perform(
        action,
        dossier=dossier,
        actor=actor,
        at=at(when),
        expected_version=dossier.version,
        given=s.ActionInput(**given),
    )


def fresh(dossier: Dossier) -> Dossier:
    return Dossier.objects.get(pk=dossier.pk)


# ------------------------------------------------------------------------------ reception
def test_reception_issues_the_code_the_appointment_and_the_receipt(staff: Staff) -> None:
    dossier = received(staff, "2026-03-02 09:00")
    assert re.fullmatch(r"H26\.CA00070-260302-\d{4}", dossier.code)
    assert dossier.status == Status.RECEIVED
    assert dossier.national_status == 2
    assert dossier.due_at == at("2026-03-11 17:00")  # 7 working days
    assert dossier.current_step == 2  # the deciding unit's appraisal
    assert dossier.step_due_at is not None
    receipt = dossier.issued_documents.get(kind="receipt")
    assert receipt.number == f"{dossier.book_number}/TNHS"


def test_codes_count_per_unit_and_day(staff: Staff) -> None:
    first, second = received(staff, "2026-03-03 09:00"), received(staff, "2026-03-03 10:00")
    other_day = received(staff, "2026-03-04 09:00")
    numbers = [int(d.code.rsplit("-", 1)[1]) for d in (first, second, other_day)]
    assert numbers[1] == numbers[0] + 1
    assert other_day.code.split("-")[1] == "260304"


def test_refusal_at_reception_needs_a_reason_and_ends_the_dossier(staff: Staff) -> None:
    dossier = submitted(staff)
    with pytest.raises(DomainError):
        s.dossier_refuse_reception(
            dossier=dossier, actor=staff.reception, at=at("2026-03-02 09:10"), reason=" "
        )
    dossier = s.dossier_refuse_reception(
        dossier=dossier,
        actor=staff.reception,
        at=at("2026-03-02 09:10"),
        reason="Không thuộc thẩm quyền",
    )
    assert (dossier.status, dossier.national_status) == (Status.NOT_RECEIVED, 3)
    assert dossier.issued_documents.filter(kind="refusal").count() == 1
    with pytest.raises(TransitionNotAllowed):
        s.dossier_receive(dossier=dossier, actor=staff.reception, at=at("2026-03-02 09:20"))


# ------------------------------------------------------------------------------ the process
def test_the_full_path_to_a_returned_result(staff: Staff) -> None:
    dossier = received(staff)
    dossier = s.dossier_assign(
        dossier=dossier, actor=staff.head, at=at("2026-03-02 10:00"), assignee=staff.specialist
    )
    dossier = s.dossier_forward(dossier=dossier, actor=staff.specialist, at=at("2026-03-03 10:00"))
    assert dossier.current_step == 3  # the leader signs
    dossier = s.dossier_approve(
        dossier=dossier,
        actor=staff.leader,
        at=at("2026-03-04 10:00"),
        note="Đồng ý đăng ký thường trú",
    )
    # A result on paper is ready once signed: it waits at the one-stop's "return result" step.
    assert (dossier.status, dossier.national_status) == (Status.PROCESSED, 9)
    assert (dossier.decision, dossier.current_step) == (Decision.APPROVED, 4)
    assert dossier.finished_at == at("2026-03-04 10:00")
    with pytest.raises(TransitionNotAllowed):  # nothing left to complete
        s.dossier_complete(dossier=dossier, actor=staff.reception, at=at("2026-03-04 11:00"))
    dossier = s.dossier_return_result(
        dossier=dossier, actor=staff.reception, at=at("2026-03-05 09:00")
    )
    assert (dossier.status, dossier.national_status) == (Status.RETURNED, 10)
    assert dossier.current_step is None
    assert [e.action for e in dossier.events.order_by("seq")] == [
        "submit",
        "receive",
        "assign",
        "forward",
        "approve",
        "return_result",
    ]
    visits = list(dossier.step_visits.order_by("started_at", "pk").values_list("order", "outcome"))
    assert visits == [(2, "forwarded"), (3, "decided"), (4, "completed")]
    assert audit_verify()[1] == []


def test_approval_only_at_the_leaders_step(staff: Staff) -> None:
    dossier = s.dossier_assign(
        dossier=received(staff),
        actor=staff.head,
        at=at("2026-03-02 10:00"),
        assignee=staff.specialist,
    )
    assert Action.APPROVE not in s.actions_available(dossier, staff.leader, at("2026-03-02 11:00"))
    with pytest.raises(TransitionNotAllowed):  # still at the specialist's step
        s.dossier_approve(
            dossier=dossier, actor=staff.leader, at=at("2026-03-02 11:00"), note="Đồng ý"
        )


def test_a_specialist_pressing_forward_twice_cannot_skip_the_leaders_signing(
    staff: Staff,
) -> None:
    dossier = received(staff)
    dossier = s.dossier_forward(dossier=dossier, actor=staff.specialist, at=at("2026-03-02 10:00"))
    assert dossier.current_step == 3
    assert Action.FORWARD not in s.actions_available(
        dossier, staff.specialist, at("2026-03-02 10:01")
    )
    with pytest.raises(NotAllowed):  # the step is the leader's now
        s.dossier_forward(dossier=dossier, actor=staff.specialist, at=at("2026-03-02 10:01"))
    with pytest.raises(TransitionNotAllowed):  # and the leader signs or refuses, never forwards
        s.dossier_forward(dossier=dossier, actor=staff.leader, at=at("2026-03-02 10:02"))
    dossier = fresh(dossier)
    assert (dossier.status, dossier.current_step, dossier.decision) == (Status.PROCESSING, 3, "")
    assert dossier.finished_at is None


def test_the_leader_sends_the_draft_back_to_the_specialist(staff: Staff) -> None:
    dossier = at_signing(staff)
    with pytest.raises(MissingInput):
        perform(Action.RETURN_STEP, dossier, staff.leader, "2026-03-02 11:00", reason=" ")
    dossier = perform(
        Action.RETURN_STEP, dossier, staff.leader, "2026-03-02 11:00", reason="Thiếu xác minh"
    )
    assert (dossier.current_step, dossier.status) == (2, Status.PROCESSING)
    # the API's first spelling: forward with "back"
    dossier = perform(Action.FORWARD, dossier, staff.specialist, "2026-03-02 14:00")
    dossier = perform(
        Action.FORWARD, dossier, staff.leader, "2026-03-02 15:00", back=True, reason="Lần nữa"
    )
    assert dossier.current_step == 2
    assert dossier.events.order_by("-seq").first().action == Action.RETURN_STEP


def test_a_leader_cannot_approve_without_a_draft_result_or_a_note(staff: Staff) -> None:
    dossier = at_signing(staff)
    with pytest.raises(MissingInput):
        s.dossier_approve(dossier=dossier, actor=staff.leader, at=at("2026-03-02 11:00"))
    with pytest.raises(MissingInput):
        perform(Action.APPROVE, dossier, staff.leader, "2026-03-02 11:00", reason="   ")
    assert fresh(dossier).version == dossier.version
    s.dossier_attach(
        dossier=dossier,
        actor=staff.specialist,
        at=at("2026-03-02 11:30"),
        kind="result",
        upload=SimpleUploadedFile("du-thao.pdf", PDF),
        name="Dự thảo xác nhận thường trú",
    )
    dossier = s.dossier_approve(
        dossier=fresh(dossier), actor=staff.leader, at=at("2026-03-02 14:00")
    )
    assert (dossier.decision, dossier.status) == (Decision.APPROVED, Status.PROCESSED)


def test_the_division_head_has_a_step_in_department_procedures() -> None:
    step = (
        ProcessStep.objects.filter(
            role=Role.DIVISION_HEAD, definition__procedure__deciding_unit__code="hn-so-tu-phap"
        )
        .select_related("definition__procedure__deciding_unit")
        .first()
    )
    assert step is not None
    procedure, justice = step.definition.procedure, step.definition.procedure.deciding_unit
    centre = procedure.receiving_units.first() or Unit.objects.get(code="hn-pvhcc")
    reception = factories.officer(centre.code, Role.RECEPTION)
    specialist, head, leader = (
        factories.officer(justice.code, role)
        for role in (Role.SPECIALIST, Role.DIVISION_HEAD, Role.LEADER)
    )
    dossier = s.dossier_submit(
        procedure=procedure,
        receiving_unit=centre,
        applicant=s.Applicant("Trần Thị Bình"),
        channel="counter",
        at=at("2026-03-02 09:00"),
        actor=reception,
    )
    dossier = s.dossier_receive(dossier=dossier, actor=reception, at=at("2026-03-02 09:00"))
    assert dossier.deciding_unit == justice
    dossier = s.dossier_forward(dossier=dossier, actor=specialist, at=at("2026-03-02 10:00"))
    assert dossier.current_step == step.order  # the division head's review
    with pytest.raises(NotAllowed):
        s.dossier_forward(dossier=dossier, actor=specialist, at=at("2026-03-02 10:05"))
    with pytest.raises(TransitionNotAllowed):  # the leader signs at the next step, not here
        s.dossier_approve(dossier=dossier, actor=leader, at=at("2026-03-02 10:05"), note="x")
    assert Action.FORWARD in s.actions_available(dossier, head, at("2026-03-02 10:30"))
    dossier = s.dossier_forward(dossier=dossier, actor=head, at=at("2026-03-02 10:30"))
    assert s.step_at(dossier, dossier.current_step).role == Role.LEADER
    dossier = s.dossier_approve(
        dossier=dossier, actor=leader, at=at("2026-03-02 11:00"), note="Cấp bản sao trích lục"
    )
    assert dossier.status == Status.PROCESSED
    dossier = s.dossier_return_result(dossier=dossier, actor=reception, at=at("2026-03-02 14:00"))
    roles = [visit.role for visit in dossier.step_visits.order_by("started_at", "pk")]
    assert roles == [Role.SPECIALIST, Role.DIVISION_HEAD, Role.LEADER, Role.RECEPTION]


def test_rejection_after_appraisal_issues_a_rejection_document(staff: Staff) -> None:
    dossier = at_signing(staff)
    with pytest.raises(DomainError):
        perform(Action.REJECT, dossier, staff.leader, "2026-03-03 09:00", reason=" ", confirm=True)
    with pytest.raises(MissingInput):  # from the web form: irreversible, confirmed
        perform(Action.REJECT, dossier, staff.leader, "2026-03-03 09:00", reason="x", confirm=False)
    dossier = perform(
        Action.REJECT,
        dossier,
        staff.leader,
        "2026-03-03 09:00",
        reason="Chỗ ở không đủ diện tích tối thiểu",
        confirm=True,
    )
    assert (dossier.status, dossier.decision, dossier.finished_at) == (
        Status.PROCESSED,
        Decision.REJECTED,
        at("2026-03-03 09:00"),
    )
    rejection = dossier.issued_documents.get(kind="rejection")
    assert rejection.number.endswith("/TCGQ")
    assert rejection.unit_id == dossier.deciding_unit_id
    assert rejection.facts["event"]["reason"] == "Chỗ ở không đủ diện tích tối thiểu"
    assert legal_forms.legal_form_pdf(dossier, "tu-choi-giai-quyet").startswith(b"%PDF")
    with pytest.raises(TransitionNotAllowed):
        s.dossier_approve(dossier=dossier, actor=staff.leader, at=at("2026-03-03 10:00"), note="x")


# ------------------------------------------------------------------------------ supplements
def test_a_second_supplement_request_is_refused(staff: Staff) -> None:
    dossier = received(staff)
    dossier = s.dossier_request_supplement(
        dossier=dossier,
        actor=staff.specialist,
        at=at("2026-03-03 09:00"),
        reason="Thiếu giấy tờ chỗ ở",
    )
    assert (dossier.status, dossier.national_status) == (Status.SUPPLEMENT_REQUESTED, 5)
    assert dossier.issued_documents.filter(kind="supplement_request").count() == 1
    dossier = s.dossier_submit_supplement(
        dossier=dossier, actor=staff.reception, at=at("2026-03-04 09:00")
    )
    with pytest.raises(SupplementAlreadyRequested):
        s.dossier_request_supplement(
            dossier=dossier, actor=staff.specialist, at=at("2026-03-04 10:00"), reason="Lần hai"
        )


def test_at_intake_only_the_one_stop_asks_for_a_supplement(staff: Staff) -> None:
    """Art. 15: the one-stop checks a dossier it has not received yet and asks for what is
    missing; the deciding unit's specialist asks only once it has the dossier (Art. 19)."""
    dossier = submitted(staff)
    intake = at("2026-03-02 10:00")
    assert Action.REQUEST_SUPPLEMENT not in s.actions_available(dossier, staff.specialist, intake)
    with pytest.raises(NotAllowed, match="chưa được tiếp nhận: bộ phận một cửa kiểm tra"):
        s.dossier_request_supplement(
            dossier=dossier, actor=staff.specialist, at=intake, reason="Thiếu"
        )
    with pytest.raises(NotAllowed, match="cần quyền"):  # no such role: the permission it needs
        s.dossier_request_supplement(
            dossier=dossier, actor=staff.outsider, at=intake, reason="Thiếu"
        )
    with translation.override("en"), pytest.raises(NotAllowed, match="” or “"):
        s.dossier_request_supplement(
            dossier=dossier, actor=staff.outsider, at=intake, reason="Thiếu"
        )
    assert fresh(dossier).status == Status.NEW
    assert Action.REQUEST_SUPPLEMENT in s.actions_available(dossier, staff.reception, intake)
    dossier = s.dossier_receive(dossier=dossier, actor=staff.reception, at=intake)
    assert Action.REQUEST_SUPPLEMENT in s.actions_available(dossier, staff.specialist, intake)


def test_a_supplement_request_after_three_working_days_is_refused(staff: Staff) -> None:
    dossier = received(staff, "2026-03-02 09:00")
    with pytest.raises(SupplementWindowClosed):
        s.dossier_request_supplement(
            dossier=dossier, actor=staff.specialist, at=at("2026-03-05 17:01"), reason="Muộn"
        )
    s.dossier_request_supplement(
        dossier=dossier, actor=staff.specialist, at=at("2026-03-05 16:59"), reason="Kịp"
    )


def test_no_supplement_can_be_requested_after_approval(staff: Staff) -> None:
    dossier = decided(staff, "2026-03-02 09:00")  # within the three working days still
    when = at("2026-03-02 14:00")
    for officer in (staff.reception, staff.specialist):
        assert Action.REQUEST_SUPPLEMENT not in s.actions_available(dossier, officer, when)
        with pytest.raises(TransitionNotAllowed):
            s.dossier_request_supplement(dossier=dossier, actor=officer, at=when, reason="Thiếu")
    # An approval recorded while the dossier is still being processed (a legacy import signs it
    # at the signing step and leaves it there): the rule "not after a decision" refuses it too.
    imported = s.dossier_approve(
        dossier=at_signing(staff, "2026-03-02 09:00"), actor=None, at=when, anywhere=True
    )
    assert (imported.status, imported.decision) == (Status.PROCESSING, Decision.APPROVED)
    assert Action.REQUEST_SUPPLEMENT not in s.actions_available(imported, staff.specialist, when)
    with pytest.raises(TransitionNotAllowed):
        perform(
            Action.REQUEST_SUPPLEMENT,
            imported,
            staff.specialist,
            "2026-03-02 15:00",
            items=["Giấy tờ chỗ ở"],
        )
    assert fresh(imported).supplement_requests == 0


def test_the_supplement_pause_moves_the_deadline_and_both_readings_are_kept(staff: Staff) -> None:
    dossier = received(staff, "2026-03-02 09:00")
    dossier = s.dossier_request_supplement(
        dossier=dossier, actor=staff.specialist, at=at("2026-03-03 09:00"), reason="Thiếu"
    )
    dossier = s.dossier_submit_supplement(
        dossier=dossier, actor=staff.reception, at=at("2026-03-04 09:00")
    )
    assert dossier.status == Status.RECEIVED  # back where it was
    assert dossier.current_step == 2
    assert dossier.due_at == dossier.due_if_paused == at("2026-03-12 17:00")  # one day paused
    assert dossier.due_if_restarted == at("2026-03-13 17:00")  # 7 working days from 4/3


def test_a_citizen_bringing_one_of_two_items_leaves_the_dossier_waiting_for_the_other(
    staff: Staff,
) -> None:
    citizen = factories.citizen()
    dossier = s.dossier_receive(
        dossier=submitted(staff, owner=citizen), actor=staff.reception, at=at("2026-03-02 09:00")
    )
    wanted = ["Giấy tờ chứng minh chỗ ở hợp pháp", "Văn bản đồng ý của chủ hộ"]
    dossier = perform(
        Action.REQUEST_SUPPLEMENT, dossier, staff.specialist, "2026-03-03 09:00", items=wanted
    )
    dossier = perform(
        Action.SUBMIT_SUPPLEMENT, dossier, citizen, "2026-03-04 09:00", received=wanted[:1]
    )
    assert dossier.status == Status.SUPPLEMENT_REQUESTED
    assert s.missing_items(dossier.supplement_items) == ["Văn bản đồng ý của chủ hộ"]
    assert [(i["item"], i["by"]) for i in dossier.supplement_items if i["received_at"]] == [
        ("Giấy tờ chứng minh chỗ ở hợp pháp", "applicant")
    ]
    event = dossier.events.order_by("-seq").first()
    assert (event.action, event.payload["missing"], event.payload["partial"]) == (
        Action.SUBMIT_SUPPLEMENT,
        ["Văn bản đồng ý của chủ hộ"],
        True,
    )
    assert dossier.pauses.filter(end__isnull=True).count() == 1  # the clock still stands
    assert Action.SUBMIT_SUPPLEMENT in s.actions_available(dossier, citizen, at("2026-03-04 10:00"))
    dossier = perform(
        Action.SUBMIT_SUPPLEMENT, dossier, citizen, "2026-03-05 09:00", received=wanted[1:]
    )
    assert dossier.status == Status.RECEIVED
    assert s.missing_items(dossier.supplement_items) == []


# ------------------------------------------------------------------------------ time
def test_apology_once_before_the_deadline_with_a_later_date(staff: Staff) -> None:
    dossier = received(staff, "2026-03-02 09:00")
    with pytest.raises(ApologyNotAllowed):  # not later than the current date
        s.dossier_apologize(
            dossier=dossier,
            actor=staff.leader,
            at=at("2026-03-10 09:00"),
            reason="x",
            new_due=at("2026-03-11 12:00"),
        )
    dossier = s.dossier_apologize(
        dossier=dossier,
        actor=staff.leader,
        at=at("2026-03-10 09:00"),
        reason="Cần xác minh",
        new_due=at("2026-03-16 17:00"),
    )
    assert (dossier.due_at, dossier.statutory_due_at) == (
        at("2026-03-16 17:00"),
        at("2026-03-11 17:00"),
    )
    with pytest.raises(ApologyNotAllowed):
        s.dossier_apologize(
            dossier=dossier,
            actor=staff.leader,
            at=at("2026-03-12 09:00"),
            reason="Lần hai",
            new_due=at("2026-03-20 17:00"),
        )


def test_an_apology_after_the_deadline_is_refused(staff: Staff) -> None:
    dossier = received(staff, "2026-03-02 09:00")
    with pytest.raises(ApologyNotAllowed):
        s.dossier_apologize(
            dossier=dossier,
            actor=staff.leader,
            at=at("2026-03-12 09:00"),
            reason="Muộn",
            new_due=at("2026-03-20 17:00"),
        )


def test_an_apology_issues_its_own_form_and_leaves_the_receipt_as_it_was(staff: Staff) -> None:
    dossier = received(staff, "2026-03-02 09:00")
    receipt = dossier.issued_documents.get(kind="receipt")
    first = legal_forms.issued_pdf(receipt)
    assert receipt.sha256 == hashlib.sha256(first).hexdigest()
    dossier = s.dossier_apologize(
        dossier=dossier,
        actor=staff.leader,
        at=at("2026-03-10 09:00"),
        reason="Cần xác minh",
        new_due=at("2026-03-16 17:00"),
    )
    latest = legal_forms.latest_issued(dossier, "receipt")
    assert latest is not None
    assert latest.pk == receipt.pk
    assert latest.sha256 == receipt.sha256
    assert legal_forms.legal_form_pdf(dossier, "tiep-nhan") == first
    assert latest.facts["dossier"]["due_at"] == at("2026-03-11 17:00").isoformat()  # as issued
    apology = dossier.issued_documents.get(kind="apology")
    assert apology.pk != receipt.pk
    assert apology.number.endswith("/XLHL")
    assert apology.facts["event"]["new_due"] == dossier.due_at.isoformat()
    second = legal_forms.legal_form_pdf(dossier, "xin-loi")
    assert second.startswith(b"%PDF")
    assert hashlib.sha256(second).hexdigest() != receipt.sha256
    assert dossier.issued_documents.count() == 2


def test_payment_pauses_the_clock(staff: Staff) -> None:
    dossier = at_signing(staff)
    dossier = s.dossier_request_payment(
        dossier=dossier, actor=staff.specialist, at=at("2026-03-03 09:00"), amount_vnd=20000
    )
    assert dossier.national_status == 6
    with pytest.raises(DomainError):
        s.dossier_pay(
            dossier=dossier, actor=staff.reception, at=at("2026-03-03 10:00"), amount_vnd=10000
        )
    dossier = s.dossier_pay(
        dossier=dossier, actor=staff.reception, at=at("2026-03-03 11:00"), amount_vnd=20000
    )
    assert dossier.status == Status.PROCESSING
    assert dossier.current_step == 3  # where it stood
    assert dossier.due_at is not None
    assert dossier.due_at > at("2026-03-11 17:00")


# ------------------------------------------------------------------------------ ending
def test_withdrawal_stops_a_dossier_without_decision_only(staff: Staff) -> None:
    dossier = s.dossier_withdraw(
        dossier=received(staff), actor=staff.reception, at=at("2026-03-03 09:00")
    )
    assert (dossier.status, dossier.national_status) == (Status.STOPPED, 8)
    assert dossier.current_step is None
    assert dossier.issued_documents.filter(kind="stop").count() == 1
    with pytest.raises(TransitionNotAllowed):
        s.dossier_withdraw(dossier=decided(staff), actor=staff.reception, at=at("2026-03-03 11:00"))


def test_the_applicant_may_withdraw_their_own_dossier(staff: Staff) -> None:
    citizen = factories.citizen()
    dossier = s.dossier_receive(
        dossier=submitted(staff, owner=citizen), actor=staff.reception, at=at("2026-03-02 09:00")
    )
    dossier = s.dossier_withdraw(dossier=dossier, actor=citizen, at=at("2026-03-02 10:00"))
    assert dossier.status == Status.STOPPED


def test_refusals_by_state_name_the_state(staff: Staff) -> None:
    returned = s.dossier_return_result(
        dossier=decided(staff), actor=staff.reception, at=at("2026-03-02 14:00")
    )
    with pytest.raises(TransitionNotAllowed) as caught:
        s.dossier_receive(dossier=returned, actor=staff.reception, at=at("2026-03-02 15:00"))
    assert "Đã trả kết quả" in str(caught.value.message)


def test_the_national_status_of_every_state() -> None:
    # 7 is the instant of a withdrawal request, which ends at 8 at once
    assert sorted(NATIONAL_STATUS.values()) == [1, 2, 3, 4, 5, 6, 8, 9, 10]
    assert set(NATIONAL_STATUS) == set(Status)


# ------------------------------------------------------------------------------ who acts
def test_officers_outside_the_unit_or_role_are_refused(staff: Staff) -> None:
    dossier = submitted(staff)
    with pytest.raises(NotAllowed):
        s.dossier_receive(dossier=dossier, actor=staff.outsider, at=at("2026-03-02 09:00"))
    with pytest.raises(NotAllowed):  # a specialist does not receive
        s.dossier_receive(dossier=dossier, actor=staff.specialist, at=at("2026-03-02 09:00"))
    dossier = s.dossier_receive(dossier=dossier, actor=staff.reception, at=at("2026-03-02 09:00"))
    with pytest.raises(NotAllowed):  # reception does not decide
        s.dossier_reject(
            dossier=dossier, actor=staff.reception, at=at("2026-03-02 10:00"), reason="x"
        )


def test_acting_on_a_stale_version_is_refused(staff: Staff) -> None:
    dossier = received(staff)
    version = dossier.version
    s.dossier_forward(
        dossier=dossier, actor=staff.specialist, at=at("2026-03-02 10:00"), expected_version=version
    )
    with pytest.raises(StaleDossier):
        s.dossier_forward(
            dossier=dossier,
            actor=staff.specialist,
            at=at("2026-03-02 10:01"),
            expected_version=version,
        )


# ------------------------------------------------------------------------------ transfers
def test_a_transfer_waits_for_the_other_unit_which_then_decides(staff: Staff) -> None:
    city_police = Unit.objects.get(code="hn-cong-an")
    dossier = received(staff)
    assert city_police in s.transfer_targets(dossier)
    dossier = perform(  # "forward" with a unit is a transfer
        Action.FORWARD, dossier, staff.specialist, "2026-03-02 10:00", to_unit=city_police
    )
    assert (dossier.pending_unit, dossier.deciding_unit.code) == (city_police, POLICE)
    assert dossier.events.order_by("-seq").first().action == Action.TRANSFER
    with pytest.raises(TransitionNotAllowed):  # nothing moves while the other unit decides
        s.dossier_forward(dossier=dossier, actor=staff.specialist, at=at("2026-03-02 10:30"))
    city_reception = factories.officer("hn-cong-an", Role.RECEPTION)
    dossier = perform(Action.ACCEPT_TRANSFER, dossier, city_reception, "2026-03-02 11:00")
    assert (dossier.deciding_unit, dossier.previous_unit.code) == (city_police, POLICE)
    assert (dossier.pending_unit, dossier.status, dossier.current_step) == (
        None,
        Status.RECEIVED,
        2,
    )


def test_a_transfer_to_a_unit_the_catalog_does_not_name_is_refused(staff: Staff) -> None:
    dossier = received(staff)
    justice = Unit.objects.get(code="hn-so-tu-phap")
    assert justice not in s.transfer_targets(dossier)
    with pytest.raises(NotAllowed):
        perform(Action.TRANSFER, dossier, staff.specialist, "2026-03-02 10:00", to_unit=justice)
    assert fresh(dossier).pending_unit is None


def test_the_ward_receives_a_residence_dossier_its_police_decide(staff: Staff) -> None:
    """1.004222 belongs to the commune police ("Công an cấp xã"): received at the ward's
    one-stop, it is decided by that ward's police at once, with no transfer (issue 13)."""
    ward = Unit.objects.get(code=WARD)
    police = Unit.objects.get(code=POLICE)
    ward_reception = factories.officer(WARD, Role.RECEPTION)
    other_ward = factories.officer("hn-phuong-ba-dinh", Role.SPECIALIST)
    other_police = factories.officer("hn-cong-an-phuong-ba-dinh", Role.RECEPTION)
    dossier = s.dossier_submit(
        procedure=residence(),
        receiving_unit=ward,
        applicant=s.Applicant("Lê Văn Cường"),
        channel="counter",
        at=at("2026-03-02 09:00"),
        actor=ward_reception,
    )
    dossier = s.dossier_receive(dossier=dossier, actor=ward_reception, at=at("2026-03-02 09:00"))
    assert (dossier.receiving_unit, dossier.deciding_unit) == (ward, police)
    assert selectors.dossier_for_officer(staff.specialist, dossier.ref) is not None
    assert selectors.dossier_for_officer(other_ward, dossier.code) is None
    assert selectors.dossier_for_officer(other_police, dossier.code) is None
    dossier = s.dossier_forward(dossier=dossier, actor=staff.specialist, at=at("2026-03-02 11:00"))
    dossier = s.dossier_approve(
        dossier=dossier, actor=staff.leader, at=at("2026-03-02 14:00"), note="Đồng ý"
    )
    assert dossier.status == Status.PROCESSED
    with pytest.raises(NotAllowed):  # the result goes back through the ward's one-stop
        s.dossier_return_result(dossier=dossier, actor=staff.reception, at=at("2026-03-02 15:00"))
    dossier = s.dossier_return_result(
        dossier=dossier, actor=ward_reception, at=at("2026-03-02 15:00")
    )
    assert dossier.status == Status.RETURNED
    assert selectors.dossier_for_officer(other_police, dossier.code) is None


def test_the_unit_a_transfer_waits_for_may_decline_it(staff: Staff) -> None:
    city_police = Unit.objects.get(code="hn-cong-an")
    city_specialist = factories.officer("hn-cong-an", Role.SPECIALIST)
    dossier = perform(
        Action.TRANSFER, received(staff), staff.specialist, "2026-03-02 10:00", to_unit=city_police
    )
    dossier = perform(
        Action.RETURN_TRANSFER,
        dossier,
        city_specialist,
        "2026-03-02 11:00",
        reason="Không thuộc thẩm quyền",
    )
    assert (dossier.pending_unit, dossier.deciding_unit.code) == (None, POLICE)
    assert selectors.dossier_for_officer(city_specialist, dossier.code) is None


# ------------------------------------------------------------------------------ consultations
def test_a_specialist_consults_another_unit_which_sees_and_answers_it_late(staff: Staff) -> None:
    ward = Unit.objects.get(code=WARD)
    ward_specialist = factories.officer(WARD, Role.SPECIALIST)
    dossier = received(staff)
    assert Action.CONSULT in s.actions_available(dossier, staff.specialist, at("2026-03-02 11:00"))
    assert selectors.dossier_for_officer(ward_specialist, dossier.code) is None
    dossier = perform(
        Action.CONSULT,
        dossier,
        staff.specialist,
        "2026-03-02 11:00",
        to_unit=ward,
        reason="Xác nhận nơi ở thực tế",
        working_days=3,
    )
    consultation = dossier.consultations.get()
    assert (consultation.unit, consultation.due_at) == (ward, at("2026-03-05 17:00"))
    assert dossier.status == Status.PROCESSING
    seen = selectors.dossier_for_officer(ward_specialist, dossier.code)
    assert seen is not None
    worklist = selectors.dossier_worklist(
        user=ward_specialist, tab="consultations", query="", at=at("2026-03-03 09:00")
    )
    assert [d.pk for d in worklist.dossiers] == [dossier.pk]
    with CaptureQueriesContext(connection) as asked:  # the list's rows bring their consultations
        assert Action.ANSWER_CONSULTATION in s.actions_available(
            worklist.dossiers[0], ward_specialist, at("2026-03-06 09:00")
        )
    assert not [q for q in asked.captured_queries if "dossiers_consultation" in q["sql"]]
    assert Action.ANSWER_CONSULTATION in s.actions_available(
        seen, ward_specialist, at("2026-03-06 09:00")
    )
    with pytest.raises(TransitionNotAllowed):  # no forward while the question is open
        s.dossier_forward(dossier=dossier, actor=staff.specialist, at=at("2026-03-03 09:00"))
    with pytest.raises(NotAllowed):
        perform(Action.ANSWER_CONSULTATION, dossier, staff.outsider, "2026-03-03 09:00", reason="x")
    dossier = perform(
        Action.ANSWER_CONSULTATION,
        dossier,
        ward_specialist,
        "2026-03-06 09:00",
        reason="Đúng nơi ở thực tế",
        consultation_id=consultation.pk,
    )
    consultation.refresh_from_db()
    assert (consultation.answer, consultation.answered_by, consultation.late) == (
        "Đúng nơi ở thực tế",
        ward_specialist,
        True,
    )
    assert dossier.events.get(action="answer_consultation").payload["late"] is True
    # Answered: no question waits for any unit, which is what the refusal says (was a missing
    # permission the ward's specialist holds).
    with pytest.raises(TransitionNotAllowed, match="không có yêu cầu lấy ý kiến nào đang chờ"):
        perform(
            Action.ANSWER_CONSULTATION,
            dossier,
            ward_specialist,
            "2026-03-06 10:00",
            reason="lần hai",
            consultation_id=consultation.pk,
        )
    dossier = s.dossier_forward(dossier=dossier, actor=staff.specialist, at=at("2026-03-06 10:00"))
    assert dossier.current_step == 3


def test_an_answer_in_time_is_not_late(staff: Staff) -> None:
    ward_head = factories.officer(WARD, Role.DIVISION_HEAD)
    dossier = s.dossier_consult(
        dossier=received(staff),
        actor=staff.specialist,
        at=at("2026-03-02 11:00"),
        unit=Unit.objects.get(code=WARD),
        question="Xác nhận chỗ ở",
    )
    dossier = perform(
        Action.ANSWER_CONSULTATION, dossier, ward_head, "2026-03-05 16:00", reason="Có"
    )
    assert dossier.consultations.get().late is False


def test_a_withdrawn_dossier_no_longer_waits_for_the_consulted_unit(staff: Staff) -> None:
    ward_specialist = factories.officer(WARD, Role.SPECIALIST)
    dossier = s.dossier_consult(
        dossier=received(staff),
        actor=staff.specialist,
        at=at("2026-03-02 11:00"),
        unit=Unit.objects.get(code=WARD),
        question="Xác nhận chỗ ở",
    )
    dossier = s.dossier_withdraw(dossier=dossier, actor=staff.reception, at=at("2026-03-03 09:00"))
    worklist = selectors.dossier_worklist(
        user=ward_specialist, tab="consultations", query="", at=at("2026-03-03 10:00")
    )
    assert worklist.counts["consultations"] == 0
