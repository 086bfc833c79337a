"""The task queue's database backend, with the queued row written by a statement made once.

``django_tasks_db`` writes each queued task with ``DBTaskResult.objects.create``, which compiles
its INSERT anew every time; a counter reception queues two tasks (its receipt's PDF, the
applicant's message) in the reception's transaction, and that compiling was a tenth of the
request's CPU (issue 12). This backend writes the same row through ``common.rows`` instead.
Everything else — validation, the ``task_enqueued`` signal, the result object, the worker — is
the library's. The model's one ``pre_save`` receiver (a task without ``run_after`` runs as soon
as possible: ``run_after`` is the greatest date) is applied here; ``tests/common/
test_task_backend.py`` fails if the library adds another or changes what a row holds.
"""

from __future__ import annotations

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
        table_of(DBTaskResult, receivers_applied=True).insert_returning([row])
        return row
