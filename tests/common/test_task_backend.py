"""The task queue's backend writes the row ``django_tasks_db`` writes, with a statement made
once (``common.task_backend``); these tests fail if the library's own row or its save receivers
change under it."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db.models.signals import post_save, pre_save
from django_tasks import task_backends
from django_tasks_db import DatabaseBackend
from django_tasks_db.models import DBTaskResult, get_date_max

from motcua.common.task_backend import FastDatabaseBackend
from motcua.common.tasks import email_send
from motcua.notifications.tasks import notification_deliver

pytestmark = pytest.mark.django_db

PARAMS = {"QUEUES": ["default", "outbound"]}
LATER = datetime.datetime(2030, 1, 2, 3, 4, 5, tzinfo=datetime.UTC)


def row_of(result: Any) -> dict[str, Any]:
    row = DBTaskResult.objects.filter(pk=result.id).values().get()
    for moving in ("id", "enqueued_at"):
        row.pop(moving)
    return row


def test_the_site_queues_tasks_with_the_fast_backend() -> None:
    assert type(task_backends["default"]) is FastDatabaseBackend


@pytest.mark.parametrize(
    ("task", "kwargs"),
    [
        (notification_deliver, {"notification_id": 7}),
        (email_send, {"subject": "Hồ sơ", "body": "Đã tiếp nhận \u00e9", "to": ["a@b.vn"]}),
        (email_send.using(priority=5, run_after=LATER),
         {"subject": "", "body": "", "to": []}),
    ],
)  # fmt: skip
def test_a_queued_row_is_the_librarys_row(task: Any, kwargs: dict[str, Any]) -> None:
    ours = FastDatabaseBackend("default", PARAMS).enqueue(task, (), kwargs)
    theirs = DatabaseBackend("default", PARAMS).enqueue(task, (), kwargs)
    assert ours.id != theirs.id
    assert row_of(ours) == row_of(theirs)
    stored = DBTaskResult.objects.get(pk=ours.id)
    assert stored.enqueued_at is not None
    assert stored.run_after == (task.run_after or get_date_max())
    assert stored.task_result.id == ours.id  # the worker reads it as its own
    waiting = task.run_after is not None
    assert DBTaskResult.objects.ready().filter(pk=ours.id).exists() is not waiting


def test_the_library_has_no_save_receiver_the_backend_does_not_apply() -> None:
    receivers = pre_save._live_receivers(DBTaskResult)  # (sync, async) in Django 5
    sync = receivers[0] if isinstance(receivers, tuple) else receivers
    assert [f"{r.__module__}.{r.__name__}" for r in sync] == [
        "django_tasks_db.signal_handlers.set_run_after"
    ]
    assert not post_save.has_listeners(DBTaskResult)


def test_tasks_queued_together_are_written_in_one_statement_at_the_end() -> None:
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from motcua.common.task_backend import tasks_written_together

    backend = FastDatabaseBackend("default", PARAMS)
    with transaction.atomic(), CaptureQueriesContext(connection) as done:
        with tasks_written_together():
            first = backend.enqueue(notification_deliver, (), {"notification_id": 1})
            second = backend.enqueue(email_send, (), {"subject": "", "body": "", "to": []})
            assert not DBTaskResult.objects.filter(pk__in=[first.id, second.id]).exists()
        stored = {row.pk: row.task_result.task.name for row in DBTaskResult.objects.all()}
    assert {str(k) for k in stored} >= {str(first.id), str(second.id)}
    inserts = [q for q in done.captured_queries if q["sql"].startswith("INSERT")]
    assert len(inserts) == 1, inserts
    alone = backend.enqueue(email_send, (), {"subject": "", "body": "", "to": []})
    assert DBTaskResult.objects.filter(pk=alone.id).exists()  # outside a block: at once


def test_tasks_queued_in_a_block_that_raises_are_not_written() -> None:
    from motcua.common.task_backend import tasks_written_together

    backend = FastDatabaseBackend("default", PARAMS)
    queued: list[Any] = []

    def queue_then_fail() -> None:
        with tasks_written_together():
            queued.append(backend.enqueue(notification_deliver, (), {"notification_id": 2}))
            raise RuntimeError("the caller's transaction is rolled back")

    with pytest.raises(RuntimeError):
        queue_then_fail()
    assert not DBTaskResult.objects.filter(pk=queued[0].id).exists()
