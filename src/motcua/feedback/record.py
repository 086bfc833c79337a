"""A feedback's history: one event per change, in the change's transaction, chained by SHA-256
(as the bundles' events, docs/decisions/0025), and published on the event bus
(``feedback.<action>``) for whoever reacts (alerts by e-mail, reports)."""

from __future__ import annotations

import datetime
import hashlib
import json
from typing import Any

from motcua.accounts.models import User
from motcua.common import events

from .models import Feedback, FeedbackEvent


def event_hash(event: FeedbackEvent) -> str:
    """SHA-256 over the previous hash and the event's facts (never over database ids)."""
    facts = [
        event.prev_hash, event.seq, event.at.astimezone(datetime.UTC).isoformat(),
        event.actor_name, event.unit_id, event.action, event.from_status, event.to_status,
        event.reason, event.payload,
    ]  # fmt: skip
    text = json.dumps(facts, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def event_add(
    feedback: Feedback, *, action: str, at: datetime.datetime, actor: User | None,
    from_status: str, unit_id: int | None = None, reason: str = "",
    payload: dict[str, Any] | None = None,
) -> FeedbackEvent:  # fmt: skip
    """Record what just happened (the feedback's status is already the new one) and save the
    feedback with its new version and chain head, in the caller's transaction."""
    feedback.version += 1
    event = FeedbackEvent(
        feedback=feedback, seq=feedback.version, at=at, actor=actor,
        actor_name=actor.username if actor is not None else "system", unit_id=unit_id,
        action=action, from_status=from_status, to_status=feedback.status, reason=reason[:4000],
        payload=payload or {}, prev_hash=feedback.last_event_hash,
    )  # fmt: skip
    event.hash = event_hash(event)
    feedback.last_event_hash = event.hash
    feedback.save()
    event.save(force_insert=True)
    events.publish(f"feedback.{action}", feedback=feedback, event=event, actor=actor)
    return event


def chain_problems(feedback: Feedback) -> list[str]:
    """Events whose hash or link does not hold (an edited, inserted or deleted event)."""
    problems, previous = [], ""
    for event in feedback.events.order_by("seq"):
        if event.prev_hash != previous:
            problems.append(f"#{event.seq}: not linked to the event before it")
        if event_hash(event) != event.hash:
            problems.append(f"#{event.seq}: its facts changed since it was recorded")
        previous = event.hash
    return problems
