"""The dossier lifecycle: every transition allowed and refused, the once-only rules, pauses."""

from __future__ import annotations

import datetime
import re

import pytest

from motcua.common.errors import DomainError, NotAllowed
from motcua.dossiers import services as s
from motcua.dossiers.audit import audit_verify
from motcua.dossiers.constants import Action, Status
from motcua.dossiers.errors import (
    ApologyNotAllowed,
    StaleDossier,
    SupplementAlreadyRequested,
    SupplementWindowClosed,
    TransitionNotAllowed,
)
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.organizations.models import Unit

from .conftest import Staff, at, received, submitted

pytestmark = pytest.mark.django_db


def test_reception_issues_the_code_and_the_appointment(staff: Staff) -> None:
    dossier = received(staff, "2026-03-02 09:00")
    assert re.fullmatch(r"H26\.CA00070-260302-\d{4}", dossier.code)
    assert dossier.status == Status.RECEIVED
    assert dossier.national_status == 2
    assert dossier.due_at == at("2026-03-11 17:00")  # 7 working days
    assert dossier.current_step == 2
    assert dossier.step_due_at is not None


def test_codes_count_per_unit_and_day(staff: Staff) -> None:
    first, second = received(staff, "2026-03-03 09:00"), received(staff, "2026-03-03 10:00")
    other_day = received(staff, "2026-03-04 09:00")
    numbers = [int(d.code.rsplit("-", 1)[1]) for d in (first, second, other_day)]
    assert numbers[1] == numbers[0] + 1
    assert other_day.code.split("-")[1] == "260304"


def test_the_full_path_to_a_returned_result(staff: Staff) -> None:
    dossier = received(staff)
    dossier = s.dossier_assign(
        dossier=dossier, actor=staff.head, at=at("2026-03-02 10:00"), assignee=staff.specialist
    )
    dossier = s.dossier_forward(dossier=dossier, actor=staff.specialist, at=at("2026-03-03 10:00"))
    dossier = s.dossier_approve(dossier=dossier, actor=staff.leader, at=at("2026-03-04 10:00"))
    dossier = s.dossier_complete(dossier=dossier, actor=staff.specialist, at=at("2026-03-04 11:00"))
    assert (dossier.status, dossier.national_status) == (Status.PROCESSED, 9)
    dossier = s.dossier_return_result(
        dossier=dossier, actor=staff.reception, at=at("2026-03-05 09:00")
    )
    assert (dossier.status, dossier.national_status) == (Status.RETURNED, 10)
    assert [e.action for e in dossier.events.order_by("seq")] == [
        "submit", "receive", "assign", "forward", "approve", "complete", "return_result",
    ]  # fmt: skip
    assert audit_verify()[1] == []


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
    with pytest.raises(TransitionNotAllowed):
        s.dossier_receive(dossier=dossier, actor=staff.reception, at=at("2026-03-02 09:20"))


def test_a_second_supplement_request_is_refused(staff: Staff) -> None:
    dossier = received(staff)
    dossier = s.dossier_request_supplement(
        dossier=dossier,
        actor=staff.specialist,
        at=at("2026-03-03 09:00"),
        reason="Thiếu giấy tờ chỗ ở",
    )
    assert (dossier.status, dossier.national_status) == (Status.SUPPLEMENT_REQUESTED, 5)
    dossier = s.dossier_submit_supplement(
        dossier=dossier, actor=staff.reception, at=at("2026-03-04 09:00")
    )
    with pytest.raises(SupplementAlreadyRequested):
        s.dossier_request_supplement(
            dossier=dossier, actor=staff.specialist, at=at("2026-03-04 10:00"), reason="Lần hai"
        )


def test_a_supplement_request_after_three_working_days_is_refused(staff: Staff) -> None:
    dossier = received(staff, "2026-03-02 09:00")
    with pytest.raises(SupplementWindowClosed):
        s.dossier_request_supplement(
            dossier=dossier, actor=staff.specialist, at=at("2026-03-05 17:01"), reason="Muộn"
        )
    s.dossier_request_supplement(
        dossier=dossier, actor=staff.specialist, at=at("2026-03-05 16:59"), reason="Kịp"
    )


def test_the_supplement_pause_moves_the_deadline_and_both_readings_are_kept(staff: Staff) -> None:
    dossier = received(staff, "2026-03-02 09:00")
    dossier = s.dossier_request_supplement(
        dossier=dossier, actor=staff.specialist, at=at("2026-03-03 09:00"), reason="Thiếu"
    )
    dossier = s.dossier_submit_supplement(
        dossier=dossier, actor=staff.reception, at=at("2026-03-04 09:00")
    )
    assert dossier.status == Status.RECEIVED  # back where it was
    assert (
        dossier.due_at == dossier.due_if_paused == at("2026-03-12 17:00")
    )  # one working day paused
    assert dossier.due_if_restarted == at("2026-03-13 17:00")  # 7 working days from 4/3


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


def test_payment_pauses_the_clock(staff: Staff) -> None:
    dossier = s.dossier_forward(
        dossier=received(staff), actor=staff.specialist, at=at("2026-03-02 10:00")
    )
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
    assert dossier.due_at == at("2026-03-12 08:00") or dossier.due_at > at("2026-03-11 17:00")


def test_withdrawal_stops_a_dossier_without_decision_only(staff: Staff) -> None:
    dossier = s.dossier_withdraw(
        dossier=received(staff), actor=staff.reception, at=at("2026-03-03 09:00")
    )
    assert (dossier.status, dossier.national_status) == (Status.STOPPED, 8)
    decided = s.dossier_forward(
        dossier=received(staff), actor=staff.specialist, at=at("2026-03-02 10:00")
    )
    decided = s.dossier_approve(dossier=decided, actor=staff.leader, at=at("2026-03-03 10:00"))
    with pytest.raises(TransitionNotAllowed):
        s.dossier_withdraw(dossier=decided, actor=staff.reception, at=at("2026-03-03 11:00"))


def test_rejection_needs_reasons_and_gives_a_refusal_as_result(staff: Staff) -> None:
    dossier = s.dossier_reject(
        dossier=received(staff),
        actor=staff.leader,
        at=at("2026-03-03 09:00"),
        reason="Không đủ điều kiện",
    )
    assert (dossier.status, dossier.decision, dossier.finished_at) == (
        Status.PROCESSED,
        "rejected",
        at("2026-03-03 09:00"),
    )
    with pytest.raises(TransitionNotAllowed):
        s.dossier_approve(dossier=dossier, actor=staff.leader, at=at("2026-03-03 10:00"))


def test_approval_only_at_the_leaders_step(staff: Staff) -> None:
    with pytest.raises(TransitionNotAllowed):  # still at the specialist's step
        s.dossier_approve(
            dossier=s.dossier_assign(
                dossier=received(staff),
                actor=staff.head,
                at=at("2026-03-02 10:00"),
                assignee=staff.specialist,
            ),
            actor=staff.leader,
            at=at("2026-03-02 11:00"),
        )


def test_the_applicant_may_withdraw_their_own_dossier(staff: Staff) -> None:
    from tests import factories

    citizen = factories.citizen()
    dossier = s.dossier_receive(
        dossier=submitted(staff, owner=citizen), actor=staff.reception, at=at("2026-03-02 09:00")
    )
    dossier = s.dossier_withdraw(dossier=dossier, actor=citizen, at=at("2026-03-02 10:00"))
    assert dossier.status == Status.STOPPED


def test_officers_outside_the_unit_or_role_are_refused(staff: Staff) -> None:
    dossier = submitted(staff)
    with pytest.raises(NotAllowed):
        s.dossier_receive(dossier=dossier, actor=staff.outsider, at=at("2026-03-02 09:00"))
    with pytest.raises(NotAllowed):  # a specialist does not receive
        s.dossier_receive(dossier=dossier, actor=staff.specialist, at=at("2026-03-02 09:00"))
    dossier = s.dossier_receive(dossier=dossier, actor=staff.reception, at=at("2026-03-02 09:00"))
    with pytest.raises(NotAllowed):  # reception does not approve
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


def test_forward_to_another_unit_changes_the_deciding_unit(staff: Staff) -> None:
    dossier = s.dossier_forward(
        dossier=received(staff),
        actor=staff.specialist,
        at=at("2026-03-02 10:00"),
        to_unit=Unit.objects.get(code="hn-cong-an"),
    )
    assert dossier.deciding_unit.code == "hn-cong-an"


def test_consultation_records_its_own_deadline(staff: Staff) -> None:
    dossier = s.dossier_forward(
        dossier=received(staff), actor=staff.specialist, at=at("2026-03-02 10:00")
    )
    dossier = s.dossier_consult(
        dossier=dossier,
        actor=staff.specialist,
        at=at("2026-03-02 11:00"),
        unit=Unit.objects.get(code="hn-phuong-hoan-kiem"),
        question="Xác nhận chỗ ở",
    )
    consultation = dossier.consultations.get()
    assert consultation.due_at == at("2026-03-05 17:00")


# Every action from every state: allowed only from the states the table lists and when the
# one-stop rules agree; refusals change nothing.
def processing(st: Staff) -> Dossier:
    return s.dossier_forward(dossier=received(st), actor=st.specialist, at=at("2026-03-02 10:00"))


SETUPS = {
    "new": lambda st: submitted(st),
    "received": lambda st: received(st),
    "processing": processing,
    "approved": lambda st: s.dossier_approve(
        dossier=processing(st), actor=st.leader, at=at("2026-03-02 10:30")
    ),
    "supplement_requested": lambda st: s.dossier_request_supplement(
        dossier=received(st), actor=st.specialist, at=at("2026-03-02 10:00"), reason="x"
    ),
    "awaiting_payment": lambda st: s.dossier_request_payment(
        dossier=processing(st), actor=st.specialist, at=at("2026-03-02 10:30"), amount_vnd=1000
    ),
    "processed": lambda st: s.dossier_reject(
        dossier=received(st), actor=st.leader, at=at("2026-03-02 10:00"), reason="x"
    ),
    "returned": lambda st: s.dossier_return_result(
        dossier=s.dossier_reject(
            dossier=received(st), actor=st.leader, at=at("2026-03-02 10:00"), reason="x"
        ),
        actor=st.reception,
        at=at("2026-03-02 10:30"),
    ),
    "stopped": lambda st: s.dossier_withdraw(
        dossier=received(st), actor=st.reception, at=at("2026-03-02 10:00")
    ),
    "not_received": lambda st: s.dossier_refuse_reception(
        dossier=submitted(st), actor=st.reception, at=at("2026-03-02 10:00"), reason="x"
    ),
}
ACTIONS = {
    Action.RECEIVE: lambda d, st, t: s.dossier_receive(dossier=d, actor=st.reception, at=t),
    Action.REFUSE_RECEPTION: lambda d, st, t: s.dossier_refuse_reception(
        dossier=d, actor=st.reception, at=t, reason="x"
    ),
    Action.REQUEST_SUPPLEMENT: lambda d, st, t: s.dossier_request_supplement(
        dossier=d, actor=st.specialist, at=t, reason="x"
    ),
    Action.SUBMIT_SUPPLEMENT: lambda d, st, t: s.dossier_submit_supplement(
        dossier=d, actor=st.reception, at=t
    ),
    Action.ASSIGN: lambda d, st, t: s.dossier_assign(
        dossier=d, actor=st.head, at=t, assignee=st.specialist
    ),
    Action.FORWARD: lambda d, st, t: s.dossier_forward(dossier=d, actor=st.specialist, at=t),
    Action.CONSULT: lambda d, st, t: s.dossier_consult(
        dossier=d,
        actor=st.specialist,
        at=t,
        unit=Unit.objects.get(code="hn-phuong-hoan-kiem"),
        question="x",
    ),
    Action.REQUEST_PAYMENT: lambda d, st, t: s.dossier_request_payment(
        dossier=d, actor=st.specialist, at=t, amount_vnd=1000
    ),
    Action.PAY: lambda d, st, t: s.dossier_pay(
        dossier=d, actor=st.reception, at=t, amount_vnd=1000
    ),
    Action.APPROVE: lambda d, st, t: s.dossier_approve(dossier=d, actor=st.leader, at=t),
    Action.REJECT: lambda d, st, t: s.dossier_reject(dossier=d, actor=st.leader, at=t, reason="x"),
    Action.APOLOGIZE: lambda d, st, t: s.dossier_apologize(
        dossier=d, actor=st.leader, at=t, reason="x", new_due=at("2026-04-29 17:00")
    ),
    Action.COMPLETE: lambda d, st, t: s.dossier_complete(dossier=d, actor=st.specialist, at=t),
    Action.RETURN_RESULT: lambda d, st, t: s.dossier_return_result(
        dossier=d, actor=st.reception, at=t
    ),
    Action.WITHDRAW: lambda d, st, t: s.dossier_withdraw(dossier=d, actor=st.reception, at=t),
}


def test_the_table_covers_every_action() -> None:
    assert set(ACTIONS) == set(s.ALLOWED_FROM) - {Action.ANSWER_CONSULTATION, Action.ATTACH}


@pytest.mark.parametrize("state", list(SETUPS))
@pytest.mark.parametrize("action", list(ACTIONS))
def test_each_action_is_allowed_exactly_from_its_states(
    staff: Staff, state: str, action: str
) -> None:
    dossier = SETUPS[state](staff)
    when = at("2026-03-02 11:00")
    allowed = dossier.status in s.ALLOWED_FROM[action] and not s.refused_by_rule(
        dossier, action, when
    )
    if allowed:
        after = ACTIONS[action](dossier, staff, when)
        assert after.version == dossier.version + 1
    else:
        with pytest.raises(DomainError):
            ACTIONS[action](dossier, staff, when)
        assert Dossier.objects.get(pk=dossier.pk).version == dossier.version
        assert DossierEvent.objects.filter(dossier=dossier).count() == dossier.version


def test_refusals_by_state_name_the_state(staff: Staff) -> None:
    with pytest.raises(TransitionNotAllowed) as caught:
        s.dossier_receive(
            dossier=SETUPS["returned"](staff), actor=staff.reception, at=at("2026-03-02 11:00")
        )
    assert "Đã trả kết quả" in str(caught.value.message)


def test_the_national_status_of_every_state() -> None:
    from motcua.dossiers.constants import NATIONAL_STATUS

    assert sorted(NATIONAL_STATUS.values()) == [1, 2, 3, 4, 5, 6, 8, 9, 10]
    assert datetime  # status 7 is the instant of a withdrawal request, which ends at 8 at once


def test_the_consulted_unit_answers_and_lateness_is_recorded(staff: Staff) -> None:
    from motcua.accounts.constants import OfficerRoleName
    from tests import factories

    ward = Unit.objects.get(code="hn-phuong-hoan-kiem")
    ward_officer = factories.officer("hn-phuong-hoan-kiem", OfficerRoleName.SPECIALIST)
    dossier = s.dossier_forward(
        dossier=received(staff), actor=staff.specialist, at=at("2026-03-02 10:00")
    )
    dossier = s.dossier_consult(
        dossier=dossier,
        actor=staff.specialist,
        at=at("2026-03-02 11:00"),
        unit=ward,
        question="Xác nhận chỗ ở",
    )
    consultation = dossier.consultations.get()
    with pytest.raises(NotAllowed):
        s.dossier_answer_consultation(
            dossier=dossier,
            actor=staff.outsider,
            at=at("2026-03-03 09:00"),
            consultation_id=consultation.pk,
            answer="x",
        )
    dossier = s.dossier_answer_consultation(
        dossier=dossier,
        actor=ward_officer,
        at=at("2026-03-06 09:00"),
        consultation_id=consultation.pk,
        answer="Đúng chỗ ở",
    )
    event = dossier.events.get(action="answer_consultation")
    assert event.payload["late"] is True  # due 5/3 17:00
    with pytest.raises(TransitionNotAllowed):  # answered already
        s.dossier_answer_consultation(
            dossier=dossier,
            actor=ward_officer,
            at=at("2026-03-06 10:00"),
            consultation_id=consultation.pk,
            answer="lần hai",
        )
