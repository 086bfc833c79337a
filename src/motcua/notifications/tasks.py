"""Notification work for the worker: deliveries enqueued with their rows, and the retry sweep.

Deliveries run on the "outbound" queue, served by a worker of their own (`motcua serve` starts
it), so that a slow provider never holds up dossier work (decision 0037).
"""

from __future__ import annotations

from django_tasks import task

from motcua.common.clock import now

from .delivery import notification_send


@task(queue_name="outbound")
def notification_deliver(*, notification_id: int) -> str:
    """Enqueued in the transaction that wrote the notification; safe to run more than once."""
    return notification_send(notification_id=notification_id)


@task()
def notifications_retry_task() -> int:
    """Enqueued by `motcua scheduler`: deliveries that are due again."""
    # Imported here: services enqueues notification_deliver from this module.
    from .services import notifications_retry

    return notifications_retry(at=now())
