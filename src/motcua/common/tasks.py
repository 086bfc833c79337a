"""Background tasks shared by every app. They run in the worker, from the database queue."""

from __future__ import annotations

from django.core.mail import send_mail
from django_tasks import task

from .clock import now
from .throttle import prune


@task()
def email_send(*, subject: str, body: str, to: list[str]) -> int:
    """Deliver one e-mail; enqueued in the transaction that decided to send it."""
    return send_mail(subject=subject, message=body, from_email=None, recipient_list=to)


@task()
def rate_counts_prune_task() -> int:
    """Enqueued by `motcua scheduler` every round: rate counters no limit reads any more."""
    return prune(now())
