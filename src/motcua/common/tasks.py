"""Background tasks shared by every app. They run in the worker, from the database queue."""

from __future__ import annotations

from django.db import transaction
from django_tasks import task

from . import events
from .clock import now
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
