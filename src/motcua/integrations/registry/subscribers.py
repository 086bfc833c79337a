from __future__ import annotations

from motcua.common.events import Event

from .tasks import registry_call_deliver


def on_registry_call_due(published: Event) -> None:
    """In the transaction that wrote the call: its delivery is enqueued with it (the outbox)."""
    call = published.data["call"]
    registry_call_deliver.enqueue(call_id=call.pk)
