"""Registry work for the worker: one call's delivery, and the retry sweep the scheduler enqueues."""

from __future__ import annotations

from django_tasks import task


@task()
def registry_call_deliver(*, call_id: int) -> str:
    """Enqueued in the transaction that wrote the call (the outbox); safe to run more than once."""
    from .delivery import registry_call_send

    return registry_call_send(call_id=call_id)


@task()
def registry_calls_retry_task() -> int:
    from .delivery import registry_calls_retry

    return registry_calls_retry()
