"""The hash chain of a record's events (bundles, feedback; docs/decisions/0025): each event is
numbered after the record's version, hashed with the hash of the event before it, saved in the
caller's transaction and published on the event bus as ``<topic>.<action>``."""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Iterable
from typing import Any, Protocol, TypeVar

from . import events
from .models import ChainedEvent


class ChainHead(Protocol):
    """The record an event chain belongs to: its version numbers the events, and it keeps the
    last event's hash."""

    version: int
    last_event_hash: str

    def save(self, *args: Any, **kwargs: Any) -> None: ...


Event = TypeVar("Event", bound=ChainedEvent)


def fact(value: Any) -> Any:
    # An instant in UTC, so that the hash does not depend on the zone it was read in.
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).isoformat()
    return value


def json_digest(value: Any) -> str:
    """SHA-256 of ``value`` written as JSON with sorted keys (anything else as its text): the
    same value gives the same digest on every machine."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def event_hash(event: ChainedEvent) -> str:
    """SHA-256 over the previous hash and the event's facts (never over database ids)."""
    return json_digest([fact(getattr(event, name)) for name in event.HASHED])


def chain_append(
    head: ChainHead, event: Event, *, topic: str, action: str, save_head: bool
) -> Event:
    """Number, link and save ``event`` (its other facts already set) after ``head``'s last one,
    then publish it. ``save_head``: save the record too, before the event (its new version and
    chain head); otherwise the caller saves it in the same transaction."""
    head.version += 1
    event.seq = head.version
    event.prev_hash = head.last_event_hash
    event.hash = event_hash(event)
    head.last_event_hash = event.hash
    if save_head:
        head.save()
    event.save(force_insert=True)
    events.publish(f"{topic}.{action}", **{topic: head}, event=event, actor=event.actor)
    return event


def chain_problems(chain: Iterable[ChainedEvent]) -> list[str]:
    """Events (in order) whose hash or link does not hold: an edited, inserted or deleted one."""
    problems, previous = [], ""
    for event in chain:
        if event.prev_hash != previous:
            problems.append(f"#{event.seq}: not linked to the event before it")
        if event_hash(event) != event.hash:
            problems.append(f"#{event.seq}: its facts changed since it was recorded")
        previous = event.hash
    return problems
