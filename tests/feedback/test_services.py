"""The feedback workflow: deadlines in working time, transitions, the sealed history."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from motcua.accounts.models import User
from motcua.common import events
from motcua.common.errors import DomainError, NotAllowed
from motcua.feedback.alerts import feedback_deadlines_scan
from motcua.feedback.constants import AlertKind, FeedbackStatus
from motcua.feedback.models import Feedback, FeedbackAlert
from motcua.feedback.record import chain_problems
from motcua.feedback.services import (
    Sender,
    Target,
    feedback_answer,
    feedback_publish,
    feedback_record,
    feedback_reject,
    feedback_request_more,
    feedback_submit,
    feedback_supply_more,
)
from motcua.organizations.models import Unit
from tests.dossiers.conftest import Staff
from tests.files import tiny_pdf

from .conftest import POLICE, at, own_dossier, sent

PDF = tiny_pdf()


def local(value: datetime.datetime | None) -> str:
    assert value is not None
    return value.astimezone(at("2026-01-01 00:00").tzinfo).strftime("%Y-%m-%d %H:%M")


def test_the_unit_is_the_dossiers_and_the_deadlines_count_working_days(
    staff: Staff, applicant: User
) -> None:
    # Monday 02/03/2026 09:00: 2, 5 and 15 working days on; weekends are not counted.
    feedback = sent(staff, applicant)
    assert feedback.unit.code == POLICE
    assert feedback.code.startswith("PA-2026-")
    assert local(feedback.reject_due) == "2026-03-04 17:00"
    assert local(feedback.request_due) == "2026-03-09 17:00"
    assert local(feedback.answer_due) == "2026-03-23 17:00"
    assert feedback.sender_name == "Phạm Thị Dung"
    assert feedback.sender_id_number


def test_answer_then_publish_within_two_working_days(staff: Staff, applicant: User) -> None:
    feedback = sent(staff, applicant)
    # Answered on Friday afternoon: publication due the next Tuesday, over the weekend.
    feedback = feedback_answer(
        feedback=feedback, actor=staff.leader, answer="Đã giải quyết.", at=at("2026-03-06 15:00")
    )
    assert feedback.status == FeedbackStatus.ANSWERED
    assert local(feedback.publish_due) == "2026-03-10 17:00"
    feedback = feedback_publish(feedback=feedback, actor=staff.leader, at=at("2026-03-09 08:30"))
    assert feedback.status == FeedbackStatus.PUBLISHED
    assert "0912345678" not in feedback.public_question
    assert "Phạm Thị Dung" not in feedback.public_question
    assert [e.action for e in feedback.events.order_by("seq")] == ["submit", "answer", "publish"]
    assert chain_problems(feedback) == []


def test_asking_for_more_stops_the_answers_clock(staff: Staff, applicant: User) -> None:
    feedback = sent(staff, applicant)
    feedback = feedback_request_more(
        feedback=feedback, actor=staff.specialist, text="Số hồ sơ?", at=at("2026-03-03 09:00")
    )
    assert feedback.status == FeedbackStatus.WAITING
    # The sender answers a week later: the five working days waited move the answer's deadline.
    feedback = feedback_supply_more(
        feedback=feedback, user=applicant, text="Hồ sơ nộp ngày 02/03.",
        at=at("2026-03-10 09:00"),
    )  # fmt: skip
    assert feedback.status == FeedbackStatus.RECEIVED
    assert local(feedback.answer_due) == "2026-03-30 17:00"
    with pytest.raises(DomainError, match="một lần"):
        feedback_request_more(
            feedback=feedback, actor=staff.specialist, text="Thêm nữa?", at=at("2026-03-11 09:00")
        )


def test_refusing_needs_a_reason_and_ends_the_feedback(staff: Staff, applicant: User) -> None:
    feedback = sent(staff, applicant)
    with pytest.raises(DomainError, match="lý do"):
        feedback_reject(
            feedback=feedback, actor=staff.leader, reason="  ", at=at("2026-03-03 09:00")
        )
    feedback = feedback_reject(
        feedback=feedback, actor=staff.leader, reason="Không thuộc thẩm quyền.",
        at=at("2026-03-05 09:00"),
    )  # fmt: skip
    event = feedback.events.get(action="reject")
    assert event.payload == {"on_time": False}  # after Wednesday 17:00: late, still recorded
    with pytest.raises(DomainError, match="Từ chối tiếp nhận"):
        feedback_answer(
            feedback=feedback, actor=staff.leader, answer="x", at=at("2026-03-05 10:00")
        )


def test_another_units_officer_may_not_act(
    staff: Staff, applicant: User, other_unit_leader: User
) -> None:
    feedback = sent(staff, applicant)
    with pytest.raises(NotAllowed):
        feedback_answer(
            feedback=feedback, actor=other_unit_leader, answer="x", at=at("2026-03-03 09:00")
        )
    assert Feedback.objects.get(pk=feedback.pk).status == FeedbackStatus.RECEIVED


def test_a_supervisor_above_the_unit_may_act(
    staff: Staff, applicant: User, city_police_supervisor: User
) -> None:
    feedback = sent(staff, applicant)
    feedback = feedback_answer(
        feedback=feedback, actor=city_police_supervisor, answer="Đã chỉ đạo.",
        at=at("2026-03-03 09:00"),
    )  # fmt: skip
    assert feedback.status == FeedbackStatus.ANSWERED


def test_a_stranger_cannot_send_feedback_about_anothers_dossier(
    staff: Staff, applicant: User, stranger: User
) -> None:
    dossier = own_dossier(staff, applicant)
    with pytest.raises(DomainError, match="Không tìm thấy hồ sơ"):
        feedback_submit(
            user=stranger, target=Target("dossier", dossier=dossier.ref), title="x",
            question="y", at=at("2026-03-02 10:00"),
        )  # fmt: skip


def test_about_a_procedure_decided_by_every_ward_the_unit_must_be_named(
    applicant: User,
) -> None:
    with pytest.raises(DomainError, match="chọn đơn vị"):
        feedback_submit(
            user=applicant, target=Target("procedure", procedure="1.004222"), title="x",
            question="y", at=at("2026-03-02 10:00"),
        )  # fmt: skip
    feedback = feedback_submit(
        user=applicant, target=Target("procedure", procedure="1.004222", unit_code=POLICE),
        title="Giấy tờ nhiều", question="Thủ tục đòi nhiều giấy tờ.", at=at("2026-03-02 10:00"),
    )  # fmt: skip
    assert feedback.unit.code == POLICE
    assert feedback.procedure is not None


def test_about_an_officer_the_unit_is_the_officers(staff: Staff, applicant: User) -> None:
    feedback = feedback_submit(
        user=applicant, target=Target("officer", officer=staff.reception.username, unit_code=POLICE),
        title="Thái độ", question="Cán bộ trả lời chậm.", at=at("2026-03-02 10:00"),
    )  # fmt: skip
    assert feedback.unit.code == POLICE
    assert feedback.officer == staff.reception


def test_an_unknown_procedure_says_what_a_code_looks_like(applicant: User) -> None:
    with pytest.raises(DomainError, match=r"1\.001193"):
        feedback_submit(
            user=applicant, target=Target("procedure", procedure="abc"), title="x", question="y",
            at=at("2026-03-02 10:00"),
        )  # fmt: skip


def test_attachments_are_checked_by_content(
    staff: Staff, applicant: User, settings: object, tmp_path: object
) -> None:
    settings.MEDIA_ROOT = tmp_path  # type: ignore[attr-defined]
    target = Target("procedure", procedure="1.004222", unit_code=POLICE)
    fake = SimpleUploadedFile("anh.pdf", b"MZ not a pdf", content_type="application/pdf")
    with pytest.raises(DomainError, match="PDF, PNG hoặc JPEG"):
        feedback_submit(
            user=applicant, target=target, title="x", question="y", uploads=[fake],
            at=at("2026-03-02 10:00"),
        )  # fmt: skip
    assert not Feedback.objects.exists()  # nothing half-done
    good = SimpleUploadedFile("bien-nhan.pdf", PDF, content_type="application/pdf")
    feedback = feedback_submit(
        user=applicant, target=target, title="x", question="y", uploads=[good],
        at=at("2026-03-02 10:00"),
    )  # fmt: skip
    assert feedback.attachments.get().content_type == "application/pdf"


def test_the_counter_records_feedback_for_a_person_without_an_account(staff: Staff) -> None:
    feedback = feedback_record(
        officer=staff.reception, sender=Sender("Đỗ Văn Hùng", phone="0988111222"),
        target=Target("officer", officer=staff.specialist.username, unit_code=POLICE),
        title="Chậm",
        question="Cán bộ hẹn nhiều lần.", at=at("2026-03-02 10:00"),
    )  # fmt: skip
    assert feedback.channel == "counter"
    assert feedback.sender is None
    assert feedback.events.get().action == "record"
    with pytest.raises(NotAllowed):
        feedback_record(
            officer=staff.leader, sender=Sender("A"), target=Target("officer", officer="x"),
            title="x", question="y", at=at("2026-03-02 10:00"),
        )  # fmt: skip


def test_every_change_is_published_on_the_bus(staff: Staff, applicant: User) -> None:
    heard: list[str] = []

    def listener(event: events.Event) -> None:
        heard.append(event.name)

    events.subscribe(events.ANY, listener)
    try:
        feedback = sent(staff, applicant)
        feedback_answer(
            feedback=feedback, actor=staff.leader, answer="x", at=at("2026-03-03 09:00")
        )
    finally:
        events.unsubscribe(events.ANY, listener)
    assert heard[-2:] == ["feedback.submit", "feedback.answer"]


def test_alerts_are_raised_once_near_and_past_the_deadline(staff: Staff, applicant: User) -> None:
    feedback = sent(staff, applicant)
    assert feedback_deadlines_scan(at=at("2026-03-10 09:00"))[AlertKind.ANSWER_DUE_SOON] == 0
    # Friday 20/03 09:00: two working days left (Friday, Monday until 17:00).
    assert feedback_deadlines_scan(at=at("2026-03-20 09:00"))[AlertKind.ANSWER_DUE_SOON] == 1
    assert feedback_deadlines_scan(at=at("2026-03-20 10:00"))[AlertKind.ANSWER_DUE_SOON] == 0
    assert feedback_deadlines_scan(at=at("2026-03-24 09:00"))[AlertKind.ANSWER_OVERDUE] == 1
    assert set(FeedbackAlert.objects.values_list("kind", flat=True)) == {
        AlertKind.ANSWER_DUE_SOON, AlertKind.ANSWER_OVERDUE,
    }  # fmt: skip
    assert Feedback.objects.get(pk=feedback.pk).events.filter(action="alert").count() == 2


def test_an_alert_emails_the_units_leaders(staff: Staff, applicant: User) -> None:
    from motcua.notifications.models import Notification

    staff.leader.email = "lanhdao@example.com"
    staff.leader.save(update_fields=["email"])
    sent(staff, applicant)
    feedback_deadlines_scan(at=at("2026-03-24 09:00"))
    mail = Notification.objects.get(recipient="lanhdao@example.com")
    assert "Quá hạn trả lời phản ánh" in mail.subject


def test_the_responsible_unit_exists(db: None) -> None:
    assert Unit.objects.filter(code=POLICE).exists()


def test_a_ward_counter_cannot_put_feedback_on_another_ward(staff: Staff) -> None:
    """QA (attacker): a reception officer recorded feedback against another ward, whose 5.1–5.3
    deadlines and score it would then start; only units the counter serves are accepted."""
    with pytest.raises(NotAllowed):
        feedback_record(
            officer=staff.reception, sender=Sender("Đỗ Văn Hùng"),
            target=Target("officer", officer="ai đó", unit_code="hn-phuong-ba-dinh"),
            title="Chậm", question="Cán bộ hẹn nhiều lần.", at=at("2026-03-02 10:00"),
        )  # fmt: skip
    assert not Feedback.objects.exists()


@pytest.mark.parametrize("text", ["\x00", " \u200b\u202e ", "\x07\x1b"])
def test_text_of_control_characters_only_is_refused_and_uses_no_step(
    staff: Staff, applicant: User, text: str
) -> None:
    """QA (attacker): a request for more information made of a NUL was accepted (and used the
    one request allowed); PostgreSQL would have refused the NUL with a 500."""
    feedback = sent(staff, applicant)
    with pytest.raises(DomainError):
        feedback_request_more(feedback=feedback, actor=staff.leader, text=text,
                              at=at("2026-03-02 11:00"))  # fmt: skip
    feedback.refresh_from_db()
    assert feedback.requested_at is None
    kept = feedback_request_more(
        feedback=feedback, actor=staff.leader, text="Xin gửi\x00 ảnh\u200b giấy hẹn.",
        at=at("2026-03-02 11:00"),
    )  # fmt: skip
    assert kept.request_text == "Xin gửi ảnh giấy hẹn."
