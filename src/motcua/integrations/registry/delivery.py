"""Delivering one registry call, in the worker: claim (a short lease), call the registry outside
any transaction with the call's idempotency key, report back to the bundle kernel."""

from __future__ import annotations

import logging

from motcua.bundles.services import (
    registry_call_claim,
    registry_call_failed,
    registry_call_recorded,
    registry_calls_due,
)
from motcua.common.clock import now

from .client import RegistryError, registry

logger = logging.getLogger(__name__)


def registry_call_send(*, call_id: int) -> str:
    """Record the member's result in its registry once; returns what happened."""
    call = registry_call_claim(call_id, now())
    if call is None:
        return "skipped"
    try:
        reply = registry().record(
            system=call.system, operation=call.operation, key=call.idempotency_key, facts=call.facts
        )
    except RegistryError as error:
        logger.warning("registry call %s attempt %s failed: %s", call.pk, call.attempts, error)
        return registry_call_failed(
            call_id=call.pk, error=str(error), permanent=error.permanent, at=now()
        )
    except Exception as error:  # a misconfiguration: recorded on the row, retried later
        logger.exception("registry call %s failed", call.pk)
        return registry_call_failed(call_id=call.pk, error=repr(error), permanent=False, at=now())
    registry_call_recorded(
        call_id=call.pk, reply={**reply.as_result(), "duplicate": reply.duplicate}, at=now()
    )
    return "recorded"


def registry_calls_retry() -> int:
    """The sweep: enqueue every pending call whose next attempt is due."""
    from .tasks import registry_call_deliver

    due = registry_calls_due(now())
    for call_id in due:
        registry_call_deliver.enqueue(call_id=call_id)
    return len(due)
