"""Applicants are told of reception, supplement requests, results and apologies, by the worker."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from motcua.accounts.models import User
from motcua.dossiers import services as s
from motcua.dossiers.errors import SupplementAlreadyRequested
from motcua.dossiers.models import Dossier
from motcua.integrations.notify.sandbox import SmsSandbox
from motcua.notifications.constants import DeliveryStatus, Kind
from motcua.notifications.delivery import notification_send
from motcua.notifications.models import Notification
from motcua.notifications.services import notifications_retry
from motcua.organizations.models import Unit
from tests import factories
from tests.dossiers.conftest import POLICE, Staff, at, residence

from .conftest import received_with_contacts, run_worker, submitted_with_contacts

pytestmark = pytest.mark.django_db
LATER = at("2030-01-01 00:00")  # every pending row is due again by then


def rows(dossier: Dossier, **filters: Any) -> list[Notification]:
    return list(Notification.objects.filter(dossier=dossier, **filters).order_by("channel"))


def sms_of(dossier: Dossier) -> Notification:
    return Notification.objects.get(dossier=dossier, channel="sms")


def deliveries_queued() -> int:
    return DBTaskResult.objects.filter(
        task_path="motcua.notifications.tasks.notification_deliver", status="READY"
    ).count()


def test_reception_writes_an_email_and_an_sms_with_their_deliveries(staff: Staff) -> None:
    dossier = received_with_contacts(staff)
    email, sms = rows(dossier)
    assert (email.kind, email.channel, email.recipient) == (
        Kind.RECEIVED,
        "email",
        "cuong@example.com",
    )
    assert (sms.kind, sms.channel, sms.recipient) == (Kind.RECEIVED, "sms", "0912345678")
    assert {email.status, sms.status} == {DeliveryStatus.PENDING}
    assert deliveries_queued() == 2
    assert email.subject == f"[Một Cửa Hà Nội] Đã tiếp nhận hồ sơ {dossier.code}"
    assert "Ngày hẹn trả kết quả: 11/03/2026 17:00" in email.body
    assert "Công an phường Hoàn Kiếm" in email.body
    # filed at the counter, without an account: the public lookup, code filled in
    assert f"https://motcua.example.vn/tra-cuu/?ma={dossier.code}" in email.body


def test_a_counter_creation_queues_its_receipt_and_deliveries_in_one_insert(
    staff: Staff, sandbox: SmsSandbox
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as done:
        dossier, created = s.dossier_create(
            procedure=residence(), receiving_unit=Unit.objects.get(code=POLICE),
            applicant=s.Applicant("Lê Văn Cường", "001090012345", phone="0912345678",
                                  email="cuong@example.com"),
            channel="counter", at=at("2026-03-02 09:00"), actor=staff.reception,
        )  # fmt: skip
    assert created
    task_inserts = [
        q["sql"] for q in done.captured_queries if "INSERT INTO" in q["sql"] and "dbtaskresult" in q["sql"]
    ]  # fmt: skip
    assert len(task_inserts) == 1
    queued = DBTaskResult.objects.filter(status="READY").values_list("task_path", flat=True)
    assert sorted(path.rsplit(".", 1)[1] for path in queued) == [
        "issued_document_render_task", "notification_deliver", "notification_deliver"
    ]  # fmt: skip
    run_worker()
    assert [m.to for m in mail.outbox] == [["cuong@example.com"]]
    assert [n.status for n in rows(dossier)] == [DeliveryStatus.SENT, DeliveryStatus.SENT]
    assert [m["to"] for m in sandbox.received()] == ["0912345678"]


def test_nothing_is_sent_until_the_worker_runs(staff: Staff, sandbox: SmsSandbox) -> None:
    dossier = received_with_contacts(staff)
    assert (sandbox.received(), mail.outbox) == ([], [])
    run_worker()
    [sms] = sandbox.received()
    assert sms["to"] == "0912345678"
    assert dossier.code in sms["text"]
    assert sms["text"].isascii()
    assert "da duoc tiep nhan" in sms["text"]
    [email] = mail.outbox
    assert email.to == ["cuong@example.com"]
    assert email.subject.startswith("[Một Cửa Hà Nội] Đã tiếp nhận hồ sơ")
    assert {n.status for n in rows(dossier)} == {DeliveryStatus.SENT}
    assert sms_of(dossier).provider_id == sms["id"]


def test_a_refused_action_leaves_no_notification(staff: Staff) -> None:
    dossier = s.dossier_request_supplement(
        dossier=received_with_contacts(staff), actor=staff.reception, at=at("2026-03-02 10:00"),
        reason="Thiếu giấy tờ",
    )  # fmt: skip
    before = (Notification.objects.count(), deliveries_queued())
    with pytest.raises(SupplementAlreadyRequested):
        s.dossier_request_supplement(
            dossier=dossier, actor=staff.reception, at=at("2026-03-02 11:00"), reason="Lần hai"
        )
    assert (Notification.objects.count(), deliveries_queued()) == before


def test_rows_and_tasks_roll_back_with_the_transaction(staff: Staff) -> None:
    dossier = submitted_with_contacts(staff)
    seen = []

    def receive_then_fail() -> None:
        with transaction.atomic():
            s.dossier_receive(dossier=dossier, actor=staff.reception, at=at("2026-03-02 09:00"))
            seen.append((Notification.objects.count(), deliveries_queued()))
            raise RuntimeError("the request failed after the action")

    with pytest.raises(RuntimeError):
        receive_then_fail()
    assert seen == [(2, 2)]
    assert (Notification.objects.count(), deliveries_queued()) == (0, 0)


def test_the_supplement_request_lists_what_is_missing(staff: Staff, sandbox: SmsSandbox) -> None:
    dossier = s.dossier_request_supplement(
        dossier=received_with_contacts(staff), actor=staff.reception, at=at("2026-03-02 10:00"),
        reason="Giấy tờ chưa hợp lệ", items=["Bản sao căn cước", "Giấy xác nhận cư trú"],
    )  # fmt: skip
    email = Notification.objects.get(
        dossier=dossier, kind=Kind.SUPPLEMENT_REQUESTED, channel="email"
    )
    assert email.subject == f"[Một Cửa Hà Nội] Yêu cầu bổ sung, hoàn thiện hồ sơ {dossier.code}"
    assert "Lý do: Giấy tờ chưa hợp lệ" in email.body
    assert "  - Bản sao căn cước\n  - Giấy xác nhận cư trú" in email.body
    run_worker()
    texts = [m["text"] for m in sandbox.received()]
    assert any("can bo sung, hoan thien 2 giay to" in text for text in texts)


def at_signing(staff: Staff) -> Dossier:
    """Appraised and forwarded to the leader's signing step, where decisions are taken."""
    dossier = s.dossier_assign(
        dossier=received_with_contacts(staff), actor=staff.head, at=at("2026-03-02 10:00"),
        assignee=staff.specialist,
    )  # fmt: skip
    return s.dossier_forward(dossier=dossier, actor=staff.specialist, at=at("2026-03-03 10:00"))


def decided(staff: Staff) -> Dossier:
    return s.dossier_approve(
        dossier=at_signing(staff), actor=staff.leader, at=at("2026-03-04 10:00"),
        note="Đồng ý đăng ký thường trú",
    )  # fmt: skip


def test_the_approved_result_is_ready_to_collect(staff: Staff, sandbox: SmsSandbox) -> None:
    dossier = at_signing(staff)
    assert Notification.objects.filter(dossier=dossier).count() == 2  # steps alone: no news
    # A result on paper is ready as soon as the leader signs it.
    dossier = s.dossier_approve(
        dossier=dossier, actor=staff.leader, at=at("2026-03-04 10:00"), note="Đồng ý"
    )
    assert dossier.status == "processed"
    email = Notification.objects.get(dossier=dossier, kind=Kind.RESULT_READY, channel="email")
    assert email.subject == f"[Một Cửa Hà Nội] Hồ sơ {dossier.code} đã có kết quả"
    assert "Mời ông/bà đến nhận kết quả tại Công an phường Hoàn Kiếm" in email.body
    run_worker()
    assert any("da co ket qua" in m["text"] for m in sandbox.received())
    assert [m.subject for m in mail.outbox][-1] == email.subject


def test_a_refusal_tells_the_reason(staff: Staff) -> None:
    dossier = s.dossier_reject(
        dossier=at_signing(staff), actor=staff.leader, at=at("2026-03-04 09:00"),
        reason="Không thuộc địa bàn cư trú",
    )  # fmt: skip
    email = Notification.objects.get(dossier=dossier, kind=Kind.RESULT_READY, channel="email")
    assert email.subject == f"[Một Cửa Hà Nội] Hồ sơ {dossier.code} không được giải quyết"
    assert "Lý do: Không thuộc địa bàn cư trú" in email.body
    assert "khong duoc giai quyet" in sms_of_kind(dossier, Kind.RESULT_READY).body


def sms_of_kind(dossier: Dossier, kind: str) -> Notification:
    return Notification.objects.get(dossier=dossier, kind=kind, channel="sms")


def test_the_apology_gives_the_new_date(staff: Staff) -> None:
    dossier = s.dossier_apologize(
        dossier=received_with_contacts(staff), actor=staff.leader, at=at("2026-03-10 09:00"),
        reason="Cần xác minh thêm", new_due=at("2026-03-16 17:00"),
    )  # fmt: skip
    email = Notification.objects.get(dossier=dossier, kind=Kind.APOLOGY, channel="email")
    assert "Xin lỗi và hẹn lại ngày trả kết quả" in email.subject
    assert "hẹn trả kết quả lúc 11/03/2026 17:00" in email.body
    assert "hẹn lại thời gian trả kết quả: 16/03/2026 17:00" in email.body
    assert sms_of_kind(dossier, Kind.APOLOGY).body.endswith(
        "Hen tra ket qua moi: 16/03/2026 17:00."
    )


def test_every_sms_fits_one_segment_without_diacritics(staff: Staff) -> None:
    decided(staff)
    s.dossier_reject(
        dossier=at_signing(staff), actor=staff.leader, at=at("2026-03-04 09:00"),
        reason="Lý do rất dài " * 30,
    )  # fmt: skip
    s.dossier_request_supplement(
        dossier=received_with_contacts(staff), actor=staff.reception, at=at("2026-03-02 10:00"),
        reason="x", items=["Giấy tờ"] * 20,
    )  # fmt: skip
    s.dossier_apologize(
        dossier=received_with_contacts(staff), actor=staff.leader, at=at("2026-03-10 09:00"),
        reason="Đợi kết quả xác minh", new_due=at("2026-03-16 17:00"),
    )  # fmt: skip
    texts = list(Notification.objects.filter(channel="sms").values_list("kind", "body"))
    # every kind the applicant is told of (officers' deadline alerts, account and administrators'
    # mail go by e-mail only; a bundle's notice is checked with the bundle, tests/bundles/test_pages.py)
    assert {kind for kind, _ in texts} == set(Kind.values) - {
        Kind.OFFICER_ALERT, Kind.BUNDLE_STOPPED, Kind.ACCOUNT_MAIL, Kind.ADMIN_ALERT,
    }  # fmt: skip
    for _kind, text in texts:
        assert text.isascii()
        assert len(text) <= 160
        assert "Mot Cua HN: " in text


def test_an_outage_leaves_it_pending_and_a_later_run_sends_it_once(
    staff: Staff, sandbox: SmsSandbox
) -> None:
    dossier = received_with_contacts(staff)
    sandbox.fail_next(1)
    run_worker()
    sms = sms_of(dossier)
    assert (sms.status, sms.attempts) == (DeliveryStatus.PENDING, 1)
    assert "HTTP 503" in sms.last_error
    assert sms.next_attempt_at is not None
    assert sandbox.received() == []
    assert notifications_retry(at=sms.next_attempt_at - datetime.timedelta(seconds=1)) == 0
    assert notifications_retry(at=LATER) == 1
    run_worker()
    sms.refresh_from_db()
    assert (sms.status, sms.attempts, sms.last_error) == (DeliveryStatus.SENT, 2, "")
    assert len(sandbox.received()) == 1
    assert notifications_retry(at=LATER) == 0


def test_delivering_twice_sends_once(staff: Staff, sandbox: SmsSandbox) -> None:
    dossier = received_with_contacts(staff)
    for notification in rows(dossier):
        assert notification_send(notification_id=notification.pk) == "sent"
        assert notification_send(notification_id=notification.pk) == "skipped"
    run_worker()  # the queued tasks find them sent
    assert (len(sandbox.received()), len(mail.outbox)) == (1, 1)


def test_a_wrong_token_is_recorded_as_a_failed_attempt(
    staff: Staff, settings: Any, sandbox: SmsSandbox
) -> None:
    settings.MOTCUA_SMS_TOKEN = "not-the-token"
    dossier = received_with_contacts(staff)
    run_worker()
    sms = sms_of(dossier)
    assert (sms.status, sms.attempts) == (DeliveryStatus.PENDING, 1)
    assert sms.last_error == "SMS provider refused the token: HTTP 401 — invalid token"
    assert sandbox.received() == []


def test_a_number_the_provider_refuses_fails_at_once(staff: Staff) -> None:
    dossier = received_with_contacts(staff, phone="091234")
    run_worker()
    sms = sms_of(dossier)
    assert (sms.status, sms.attempts) == (DeliveryStatus.FAILED, 1)
    assert "HTTP 422" in sms.last_error
    assert notifications_retry(at=LATER) == 0


def test_after_the_last_attempt_it_is_failed(
    staff: Staff, settings: Any, sandbox: SmsSandbox
) -> None:
    settings.MOTCUA_NOTIFY_MAX_ATTEMPTS = 2
    dossier = received_with_contacts(staff)
    sandbox.fail_next(5)
    run_worker()
    notifications_retry(at=LATER)
    run_worker()
    sms = sms_of(dossier)
    assert (sms.status, sms.attempts) == (DeliveryStatus.FAILED, 2)


def test_an_applicant_without_phone_or_email_gets_nothing(staff: Staff) -> None:
    dossier = received_with_contacts(staff, phone="", email="")
    assert rows(dossier) == []
    assert deliveries_queued() == 0


def test_the_owners_contacts_stand_in(staff: Staff) -> None:
    owner = factories.citizen()
    dossier = s.dossier_submit(
        procedure=residence(), receiving_unit=Unit.objects.get(code=POLICE),
        applicant=s.Applicant("Phạm Thị Dung", "001090099999", phone="+84 912 000 111"),
        channel="online", at=at("2026-03-02 08:00"), owner=owner,
    )  # fmt: skip
    dossier = s.dossier_receive(dossier=dossier, actor=staff.reception, at=at("2026-03-02 09:00"))
    assert {(n.channel, n.recipient) for n in rows(dossier)} == {
        ("email", "dung@example.com"),
        ("sms", "0912000111"),
    }


def test_imported_history_notifies_nobody(staff: Staff, settings: Any) -> None:
    settings.MOTCUA_NOTIFY_MAX_AGE_HOURS = 72  # the fixtures' March 2026 is long past
    dossier = received_with_contacts(staff)
    assert rows(dossier) == []


def test_the_scheduler_enqueues_the_retry_sweep(db: None) -> None:
    call_command("scheduler", once=True)
    assert DBTaskResult.objects.filter(
        task_path="motcua.notifications.tasks.notifications_retry_task"
    ).exists()


def test_administrators_see_the_outbox_and_can_resend(staff: Staff, client: Any) -> None:
    dossier = received_with_contacts(staff, phone="091234")
    run_worker()
    admin = User.objects.create_superuser(username="quantri", password=factories.PASSWORD)
    client.force_login(admin)
    page = client.get(reverse("admin:notifications_notification_changelist") + "?status=failed")
    assert page.status_code == 200
    assert "091234" in page.content.decode()
    failed = sms_of(dossier)
    client.post(
        reverse("admin:notifications_notification_changelist"),
        {"action": "resend", "_selected_action": [failed.pk]},
    )
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == (DeliveryStatus.PENDING, 0)


@pytest.mark.django_db(transaction=True)
def test_the_worker_sends_what_the_committed_action_wrote(
    staff: Staff, sandbox: SmsSandbox
) -> None:
    # Transactional: the action commits and the worker reads it as a separate process would.
    dossier = received_with_contacts(staff)
    assert (sandbox.received(), mail.outbox) == ([], [])
    run_worker(in_test_transaction=False)
    assert [m["to"] for m in sandbox.received()] == ["0912345678"]
    assert [m.to for m in mail.outbox] == [["cuong@example.com"]]
    assert {n.status for n in rows(dossier)} == {DeliveryStatus.SENT}
