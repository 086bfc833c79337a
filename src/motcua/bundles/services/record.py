"""A bundle's history: one event per change, in the change's transaction, chained by SHA-256,
and published on the event bus (``bundle.<action>``) for whoever reacts."""

from __future__ import annotations

import datetime
import hashlib
import json
from typing import Any

from motcua.accounts.models import User
from motcua.common import events

from ..models import Bundle, BundleEvent


def event_hash(event: BundleEvent) -> str:
    """SHA-256 over the previous hash and the event's facts (never over database ids)."""
    facts = [
        event.prev_hash, event.seq, event.at.astimezone(datetime.UTC).isoformat(), event.actor_name,
        event.action,
        event.service, event.from_status, event.to_status, event.reason, event.payload,
    ]  # fmt: skip
    text = json.dumps(facts, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def event_add(
    bundle: Bundle, *, action: str, at: datetime.datetime, actor: User | None = None,
    from_status: str | None = None, service: str = "", reason: str = "",
    payload: dict[str, Any] | None = None,
) -> BundleEvent:  # fmt: skip
    """Record what just happened to ``bundle`` (its status is already the new one); the caller
    saves the bundle in the same transaction."""
    bundle.version += 1
    event = BundleEvent(
        bundle=bundle, seq=bundle.version, at=at, actor=actor,
        actor_name=actor.username if actor is not None else "system", action=action,
        service=service, from_status=bundle.status if from_status is None else from_status,
        to_status=bundle.status, reason=reason[:2000], payload=payload or {},
        prev_hash=bundle.last_event_hash,
    )  # fmt: skip
    event.hash = event_hash(event)
    bundle.last_event_hash = event.hash
    event.save(force_insert=True)
    events.publish(f"bundle.{action}", bundle=bundle, event=event, actor=actor)
    return event


def chain_problems(bundle: Bundle) -> list[str]:
    """Events whose hash or link does not hold (an edited, inserted or deleted event)."""
    problems, previous = [], ""
    for event in bundle.events.order_by("seq"):
        if event.prev_hash != previous:
            problems.append(f"#{event.seq}: not linked to the event before it")
        if event_hash(event) != event.hash:
            problems.append(f"#{event.seq}: its facts changed since it was recorded")
        previous = event.hash
    return problems
