"""Background tasks shared by every app. They run in the worker, from the database queue."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils.module_loading import import_string
from django_tasks import task

from . import events
from .clock import clock_set_to, now
from .throttle import prune


@task()
def email_send(*, subject: str, body: str, to: list[str]) -> int:
    """Kept for tasks queued before decision 0037: the e-mail goes through the outbox
    (``mail.requested``), where it is retried and, failing that, kept as a dead letter."""
    with transaction.atomic():
        events.publish("mail.requested", subject=subject, body=body, to=list(to))
    return len(to)


@task()
def rate_counts_prune_task() -> int:
    """Enqueued by `motcua scheduler` every round: rate counters no limit reads any more."""
    return prune(now())


def queued_tasks_run(rows: list[Any], at: datetime.datetime) -> int:
    """Queued tasks (``DBTaskResult`` rows) run now, in order, as the worker runs them, the
    clock set to ``at``; each taken off the queue once done. How many ran. (A simulation's
    worker: demo data, benches, tests.)"""
    with clock_set_to(at):
        for row in rows:
            import_string(row.task_path).call(*row.args_kwargs["args"], **row.args_kwargs["kwargs"])
            row.delete()
    return len(rows)
