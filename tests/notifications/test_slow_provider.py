"""A slow provider holds up only the messages (decision 0037): calls time out, and deliveries
wait on the "outbound" queue, which the dossier worker does not serve."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from typing import Any
from unittest import mock

import pytest
from django.core.management import call_command
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

from motcua.common.tasks import email_send
from motcua.integrations.notify.sms import HttpSmsGateway, SmsDeliveryError
from motcua.notifications.delivery import notification_send
from motcua.notifications.models import Notification
from tests.dossiers.conftest import Staff

from .conftest import received_with_contacts


@pytest.fixture
def silent_provider() -> Iterator[str]:
    """An address that accepts connections and never answers (a provider hanging)."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"


def test_a_hanging_provider_times_out(silent_provider: str) -> None:
    started = time.monotonic()
    with pytest.raises(SmsDeliveryError, match="unreachable"):
        HttpSmsGateway(url=silent_provider, token="t", timeout=0.5).send(
            to="0912345678", text="x", key="k"
        )
    assert time.monotonic() - started < 5


@pytest.mark.django_db
def test_dossier_work_does_not_wait_for_messages(
    staff: Staff, settings: Any, silent_provider: str
) -> None:
    settings.MOTCUA_SMS_URL = silent_provider
    settings.MOTCUA_SMS_TIMEOUT = 0.5
    received_with_contacts(staff)
    email_send.enqueue(subject="s", body="b", to=["a@example.com"])  # dossier-side work
    with mock.patch(f"{db_worker.__name__}.close_old_connections"):
        call_command(
            "db_worker", queue_name="default", batch=True, reload=False, startup_delay=False,
            verbosity=0,
        )  # fmt: skip
    dossier_side = DBTaskResult.objects.filter(queue_name="default")
    assert dossier_side.filter(task_path__endswith=".email_send", status="SUCCESSFUL").exists()
    assert not dossier_side.exclude(status="SUCCESSFUL").exists()  # receipts etc. all done
    waiting = DBTaskResult.objects.filter(queue_name="outbound", status="READY").count()
    assert waiting == Notification.objects.count() == 3  # e-mail, SMS, and the requested mail
    assert set(Notification.objects.values_list("attempts", flat=True)) == {0}  # none tried
    sms = Notification.objects.get(channel="sms")
    assert notification_send(notification_id=sms.pk) == "pending"  # timed out, to retry
    sms.refresh_from_db()
    assert "unreachable" in sms.last_error
