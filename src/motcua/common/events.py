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

A subscriber that reads the database for each event may also take them in batches
(``subscribe_batch``): ``publish_many`` (a bulk import writing thousands of actions at once)
hands it all of a batch's events in one call, so it asks one question per batch rather than one
per event; ``publish`` hands it a batch of one. A batch subscriber runs after the per-event
subscribers of the same events, in the transaction, and sees its events in the order published.
"""

from __future__ import annotations

import enum
import functools
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
BatchHandler = Callable[[list[Event]], Any]
_SUBSCRIBERS: dict[tuple[str, Phase], list[Handler]] = defaultdict(list)
_BATCH_SUBSCRIBERS: dict[str, list[BatchHandler]] = defaultdict(list)
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


def subscribe_batch(name: str, handler: BatchHandler) -> None:
    """Run ``handler`` in the transaction with every event called ``name`` of a batch, in the
    order published (one call per batch). Idempotent."""
    handlers = _BATCH_SUBSCRIBERS[name]
    if handler not in handlers:
        handlers.append(handler)


def unsubscribe_batch(name: str, handler: BatchHandler) -> None:
    handlers = _BATCH_SUBSCRIBERS[name]
    if handler in handlers:
        handlers.remove(handler)


def subscribers(name: str, phase: Phase) -> list[Handler]:
    return [*_SUBSCRIBERS[(name, phase)], *_SUBSCRIBERS[(ANY, phase)]]


def publish(name: str, **data: Any) -> Event:
    """Announce ``name``; call inside the transaction of the change it reports."""
    return publish_many([(name, data)])[0]


def publish_many(announced: list[tuple[str, dict[str, Any]]]) -> list[Event]:
    """Announce several events of one transaction, in order: each per-event subscriber runs for
    each event as ``publish`` would run it, then each batch subscriber once with its events."""
    published = []
    batches: dict[BatchHandler, list[Event]] = {}
    for name, data in announced:
        event = Event(name, data)
        published.append(event)
        for handler in subscribers(name, Phase.IN_TRANSACTION):
            handler(event)
        for batch_handler in _BATCH_SUBSCRIBERS.get(name, ()):
            batches.setdefault(batch_handler, []).append(event)
        later = subscribers(name, Phase.AFTER_COMMIT)
        if later:
            transaction.on_commit(functools.partial(_after_commit, event, later))
    for batch_handler, batch in batches.items():
        batch_handler(batch)
    return published


def _after_commit(event: Event, handlers: list[Handler]) -> None:
    for handler in handlers:
        try:
            handler(event)
        except Exception:  # the change is committed; a reaction's failure must not undo it
            log.exception("subscriber %r failed on %s", handler, event.name)
