"""/readyz and /statusz (decision 0037): the workers' heartbeats, the queue's lag and the free
disk, each with its threshold; dead letters reported. /statusz is 503 when any check fails;
/readyz, what a load balancer asks, only when this machine's own checks fail (its database, its
disk): the workers and the queue are the whole installation's, and stopping them must not take
every web machine out of service."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from motcua.common.leases import heartbeat_beat
from motcua.common.models import WorkerHeartbeat
from motcua.common.tasks import email_send
from motcua.notifications.constants import DeliveryStatus, Kind
from motcua.notifications.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def thresholds(settings: Any) -> None:
    settings.MOTCUA_READY_WORKER_STALE_SECONDS = 60
    settings.MOTCUA_READY_QUEUE_LAG_SECONDS = 300
    settings.MOTCUA_READY_MIN_FREE_MB = 1


def workers_beating(ago: float = 0) -> None:
    at = timezone.now() - datetime.timedelta(seconds=ago)
    heartbeat_beat("w-default", "default", at=at)
    heartbeat_beat("w-outbound", "outbound", at=at)


def probe(path: str = "/statusz") -> tuple[int, dict[str, Any]]:
    response = Client().get(path)
    return response.status_code, response.json()


def ready() -> int:
    """What a load balancer sees."""
    return probe("/readyz")[0]


def test_ready_when_every_check_passes() -> None:
    workers_beating()
    status, body = probe()
    assert status == 200, body
    assert body["status"] == "ok"
    checks = {**body["checks"], **body["cluster"]}
    for name in ["worker_default", "worker_outbound", "queue_lag", "disk_var", "disk_media"]:
        assert checks[name]["status"] == "ok", name
    assert checks["worker_default"]["threshold"] == 60
    assert checks["queue_lag"]["value"] == 0
    assert (checks["dead_letters"]["value"], checks["dead_letters"]["status"]) == (0, "info")
    assert ready() == 200


def test_no_worker_is_not_ready() -> None:
    heartbeat_beat("w-default", "default")  # but none serves "outbound"
    status, body = probe()
    assert status == 503
    assert body["status"] == "unavailable"
    assert body["cluster"]["worker_default"]["status"] == "ok"
    assert body["cluster"]["worker_outbound"] == {"value": None, "threshold": 60, "status": "fail"}
    status, body = probe("/readyz")
    assert status == 200, "the web machine still serves pages"
    assert body["cluster"]["worker_outbound"]["status"] == "fail"


def test_a_worker_of_every_queue_serves_both() -> None:
    heartbeat_beat("w-all", "*")
    assert probe()[0] == 200


def test_a_stale_heartbeat_is_not_ready() -> None:
    workers_beating(ago=90)
    status, body = probe()
    assert status == 503
    assert body["cluster"]["worker_default"]["status"] == "fail"
    assert body["cluster"]["worker_default"]["value"] >= 90
    assert ready() == 200


def test_the_worker_check_can_be_turned_off(settings: Any) -> None:
    settings.MOTCUA_READY_WORKER_STALE_SECONDS = 0
    status, body = probe()
    assert status == 200
    assert body["cluster"]["worker_default"]["status"] == "off"


def test_an_old_waiting_task_is_not_ready() -> None:
    workers_beating()
    result = email_send.enqueue(subject="s", body="b", to=["a@example.com"])
    assert probe()[0] == 200
    DBTaskResult.objects.filter(pk=result.id).update(
        enqueued_at=timezone.now() - datetime.timedelta(minutes=10)
    )
    status, body = probe()
    assert status == 503
    assert body["cluster"]["queue_lag"]["status"] == "fail"
    assert body["cluster"]["queue_lag"]["value"] >= 600
    assert ready() == 200


def test_a_task_due_later_is_no_lag() -> None:
    workers_beating()
    email_send.using(run_after=timezone.now() + datetime.timedelta(hours=1)).enqueue(
        subject="s", body="b", to=["a@example.com"]
    )
    assert probe()[0] == 200


def test_little_free_disk_is_not_ready(settings: Any) -> None:
    workers_beating()
    settings.MOTCUA_READY_MIN_FREE_MB = 10**12  # more than any disk
    status, body = probe()
    assert status == 503
    assert body["checks"]["disk_var"]["status"] == "fail"
    assert body["checks"]["disk_media"]["status"] == "fail"
    assert ready() == 503, "this machine's own disk is full: out of service"


def test_dead_letters_are_counted_not_a_reason_to_stop() -> None:
    workers_beating()
    Notification.objects.create(
        kind=Kind.ACCOUNT_MAIL, channel="email", recipient="a@example.com", body="x",
        status=DeliveryStatus.FAILED, idempotency_key="k", created_at=timezone.now(),
    )  # fmt: skip
    status, body = probe()
    assert status == 200
    assert body["cluster"]["dead_letters"]["value"] == 1


def test_a_worker_that_stopped_cleanly_is_gone() -> None:
    workers_beating()
    WorkerHeartbeat.objects.filter(worker_id="w-outbound").delete()
    assert probe()[0] == 503
    assert ready() == 200


def test_with_files_in_the_object_store_the_media_folder_is_not_judged(settings: Any) -> None:
    workers_beating()
    settings.MOTCUA_READY_MIN_FREE_MB = 10**12  # more than any disk
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "motcua.common.s3.PrivateS3Storage",
            "OPTIONS": {"bucket_name": "b"},
        },
    }
    status, body = probe("/readyz")
    assert body["checks"]["disk_media"] == {"value": None, "status": "off", "store": "s3"}
    assert body["checks"]["disk_var"]["status"] == "fail"  # the var folder is still local
    assert status == 503


@pytest.mark.parametrize("address", ["45.76.1.9", "2a01:4f8::9", "not an address"])
def test_a_caller_outside_the_private_network_gets_only_the_verdict(address: str) -> None:
    workers_beating()
    for path in ("/readyz", "/statusz"):
        response = Client(REMOTE_ADDR=address).get(path)
        assert (response.status_code, response.json()) == (200, {"status": "ok"}), path
    WorkerHeartbeat.objects.all().delete()
    response = Client(REMOTE_ADDR=address).get("/statusz")
    assert (response.status_code, response.json()) == (503, {"status": "unavailable"})


@pytest.mark.parametrize("address", ["10.0.0.5", "192.168.1.20", "::1"])
def test_a_caller_on_the_private_network_gets_the_figures(address: str) -> None:
    workers_beating()
    body = Client(REMOTE_ADDR=address).get("/statusz").json()
    assert "worker_default" in body["cluster"]
    assert "disk_var" in body["checks"]
