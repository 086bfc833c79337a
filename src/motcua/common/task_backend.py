"""The task queue's database backend, with the queued row written by a statement made once.

``django_tasks_db`` writes each queued task with ``DBTaskResult.objects.create``, which compiles
its INSERT anew every time; a counter reception queues two tasks (its receipt's PDF, the
applicant's message) in the reception's transaction, and that compiling was a tenth of the
request's CPU (issue 12). This backend writes the same row through ``common.rows`` instead.
Everything else — validation, the ``task_enqueued`` signal, the result object, the worker — is
the library's. The model's one ``pre_save`` receiver (a task without ``run_after`` runs as soon
as possible: ``run_after`` is the greatest date) is applied here; ``tests/common/
test_task_backend.py`` fails if the library adds another or changes what a row holds.

Inside ``tasks_written_together()`` the rows wait and are written in one statement when the
block ends (a creation queues its receipt's PDF and the applicant's message): the row's id is
made here, not by the database, so the task result handed back is the same, and the block is
inside the caller's transaction, so no worker can see the difference.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django_tasks_db import DatabaseBackend
from django_tasks_db.compat import normalize_json
from django_tasks_db.models import DBTaskResult, get_date_max

from .rows import table_of


class FastDatabaseBackend(DatabaseBackend):
    def _task_to_db_task(self, task: Any, args: Any, kwargs: Any) -> DBTaskResult:
        row: DBTaskResult = DBTaskResult(
            id=self._get_id(),
            args_kwargs=normalize_json({"args": args, "kwargs": kwargs}),
            priority=task.priority,
            task_path=task.module_path,
            queue_name=task.queue_name,
            run_after=task.run_after if task.run_after is not None else get_date_max(),
            backend_name=self.alias,
        )
        waiting = WAITING.get()
        if waiting is None:
            rows_write([row])
        else:
            waiting.append(row)
        return row


def rows_write(rows: list[DBTaskResult]) -> None:
    table_of(DBTaskResult, receivers_applied=True).insert_returning(rows)


WAITING: ContextVar[list[DBTaskResult] | None] = ContextVar("motcua_tasks_waiting", default=None)


@contextmanager
def tasks_written_together() -> Iterator[None]:
    """Tasks queued inside are written in one statement at the end (nothing if it raises: the
    caller's transaction is rolled back with what it did). Use inside a transaction."""
    waiting: list[DBTaskResult] = []
    token = WAITING.set(waiting)
    try:
        yield
    finally:
        WAITING.reset(token)
    if waiting:
        rows_write(waiting)
