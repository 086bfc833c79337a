"""Every outbound message goes through the outbox (decision 0037): e-mail asked for by other apps
(a password reset) is retried with backoff, becomes a dead letter after the last attempt, and
leaves an alert for administrators even when the mail provider itself is down."""

from __future__ import annotations

import datetime
import smtplib
from typing import Any

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from motcua.accounts.models import User
from motcua.common import events
from motcua.common.clock import now
from motcua.common.tasks import email_send
from motcua.notifications.constants import DeliveryStatus, Kind
from motcua.notifications.delivery import notification_send
from motcua.notifications.models import AdminAlert, Notification
from motcua.notifications.outbox import alerts_open, dead_letters
from motcua.notifications.tasks import notification_deliver
from tests import factories

from .conftest import run_worker

pytestmark = pytest.mark.django_db
DOWN = "tests.notifications.test_outbox.ProviderDown"


class ProviderDown(BaseEmailBackend):
    def send_messages(self, email_messages: Any) -> int:
        raise smtplib.SMTPServerDisconnected("mail provider is down")


def requested(to: str = "dung@example.com") -> Notification:
    with transaction.atomic():
        events.publish("mail.requested", subject="Đặt lại mật khẩu", body="link /x/", to=[to])
    return Notification.objects.get(recipient=to)


def test_deliveries_run_on_the_outbound_queue() -> None:
    assert notification_deliver.queue_name == "outbound"


def test_a_password_reset_goes_through_the_outbox(client: Any) -> None:
    factories.citizen()
    response = client.post(reverse("password_reset"), {"email": "dung@example.com"})
    assert response.status_code == 302
    row = Notification.objects.get()
    assert (row.kind, row.channel, row.status) == (Kind.ACCOUNT_MAIL, "email", "pending")
    assert DBTaskResult.objects.filter(queue_name="outbound", status="READY").count() == 1
    assert mail.outbox == []
    run_worker()
    assert len(mail.outbox) == 1
    row.refresh_from_db()
    assert row.status == DeliveryStatus.SENT
    assert row.body == ""  # the reset link is not kept once sent


def test_the_secret_is_not_shown_to_administrators(client: Any) -> None:
    row = requested()
    client.force_login(User.objects.create_superuser(username="qt", password=factories.PASSWORD))
    page = client.get(reverse("admin:notifications_notification_change", args=[row.pk]))
    assert page.status_code == 200
    assert "link /x/" not in page.content.decode()


def test_an_email_send_task_queued_before_the_outbox_ends_in_it() -> None:
    email_send.enqueue(subject="S", body="B", to=["a@example.com"])
    run_worker()
    row = Notification.objects.get(recipient="a@example.com")
    assert row.status == DeliveryStatus.SENT
    assert len(mail.outbox) == 1


def test_a_mail_outage_is_retried_with_backoff_then_dead_lettered_and_alerted(
    settings: Any,
) -> None:
    settings.EMAIL_BACKEND = DOWN
    settings.MOTCUA_NOTIFY_MAX_ATTEMPTS = 3
    settings.MOTCUA_ALERT_EMAILS = ["quantri@example.com"]
    row = requested()
    before = now()
    assert notification_send(notification_id=row.pk) == DeliveryStatus.PENDING
    row.refresh_from_db()
    assert row.next_attempt_at is not None
    assert row.next_attempt_at - before >= datetime.timedelta(minutes=1)
    assert notification_send(notification_id=row.pk) == DeliveryStatus.PENDING
    row.refresh_from_db()
    assert row.next_attempt_at - before >= datetime.timedelta(minutes=2)  # backoff doubles
    assert alerts_open() == 0
    assert notification_send(notification_id=row.pk) == DeliveryStatus.FAILED
    assert dead_letters() == 1
    alert = AdminAlert.objects.get()
    assert (alert.key, alert.count) == ("outbox:email", 1)
    assert "mail provider is down" in alert.detail
    # The alert is mailed through the outbox too; with the provider down it fails in turn and
    # adds to the open alert, which stays for administrators to see, without mailing again.
    mailed = Notification.objects.get(kind=Kind.ADMIN_ALERT)
    assert mailed.recipient == "quantri@example.com"
    for _attempt in range(3):
        notification_send(notification_id=mailed.pk)
    assert dead_letters() == 2
    alert.refresh_from_db()
    assert alert.count == 2
    assert Notification.objects.filter(kind=Kind.ADMIN_ALERT).count() == 1


def test_administrators_see_and_resolve_alerts(settings: Any, client: Any) -> None:
    settings.EMAIL_BACKEND = DOWN
    settings.MOTCUA_NOTIFY_MAX_ATTEMPTS = 1
    notification_send(notification_id=requested().pk)
    client.force_login(User.objects.create_superuser(username="qt", password=factories.PASSWORD))
    page = client.get(reverse("admin:notifications_adminalert_changelist"))
    assert "Tin nhắn gửi không được" in page.content.decode()
    client.post(
        reverse("admin:notifications_adminalert_changelist"),
        {"action": "resolve", "_selected_action": [AdminAlert.objects.get().pk]},
    )
    assert alerts_open() == 0
    notification_send(notification_id=requested("b@example.com").pk)
    assert alerts_open() == 1  # a new failure opens a new alert
