"""An in-process event bus: domain apps publish, messaging, sync and reports subscribe.

A domain app never imports the apps that react to it. It calls ``publish`` inside the transaction
of its state change; every subscriber registered for that name then runs:

- ``Phase.IN_TRANSACTION`` subscribers run at once, inside that transaction. They may only write
  rows (an outbox row and the task that delivers it): if the action is rolled back, so are they,
  and if it commits, nothing can be lost between the commit and the reaction.
- ``Phase.AFTER_COMMIT`` subscribers run once the transaction has committed (caches, counters);
  they never see a state that was rolled back.

Subscribers are registered in their app's ``AppConfig.ready``. A subscriber's failure in the
transaction phase refuses the action (nothing half-done); after commit it is logged, never raised
into the request that already succeeded.
"""

from __future__ import annotations

import enum
import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

log = logging.getLogger(__name__)


class Phase(enum.Enum):
    IN_TRANSACTION = "in_transaction"
    AFTER_COMMIT = "after_commit"


@dataclass(frozen=True)
class Event:
    """What happened, by name (``dossier.received``), with the objects a subscriber needs."""

    name: str
    data: dict[str, Any] = field(default_factory=dict)


Handler = Callable[[Event], Any]
_SUBSCRIBERS: dict[tuple[str, Phase], list[Handler]] = defaultdict(list)
ANY = "*"


def subscribe(name: str, handler: Handler, *, phase: Phase = Phase.IN_TRANSACTION) -> None:
    """Run ``handler`` for every event called ``name`` (``"*"``: every event). Idempotent."""
    handlers = _SUBSCRIBERS[(name, phase)]
    if handler not in handlers:
        handlers.append(handler)


def unsubscribe(name: str, handler: Handler, *, phase: Phase = Phase.IN_TRANSACTION) -> None:
    handlers = _SUBSCRIBERS[(name, phase)]
    if handler in handlers:
        handlers.remove(handler)


def subscribers(name: str, phase: Phase) -> list[Handler]:
    return [*_SUBSCRIBERS[(name, phase)], *_SUBSCRIBERS[(ANY, phase)]]


def publish(name: str, **data: Any) -> Event:
    """Announce ``name``; call inside the transaction of the change it reports."""
    event = Event(name, data)
    for handler in subscribers(name, Phase.IN_TRANSACTION):
        handler(event)
    later = subscribers(name, Phase.AFTER_COMMIT)
    if later:
        transaction.on_commit(lambda: _after_commit(event, later))
    return event


def _after_commit(event: Event, handlers: list[Handler]) -> None:
    for handler in handlers:
        try:
            handler(event)
        except Exception:  # the change is committed; a reaction's failure must not undo it
            log.exception("subscriber %r failed on %s", handler, event.name)
