"""A feedback's history: one event per change, in the change's transaction, chained by SHA-256
as the bundles' events are (``motcua.common.chain``, docs/decisions/0025), and published on the
event bus (``feedback.<action>``) for whoever reacts (alerts by e-mail, reports)."""

from __future__ import annotations

import datetime
from typing import Any

from motcua.accounts.models import User
from motcua.common import chain

from .models import Feedback, FeedbackEvent


def event_add(
    feedback: Feedback, *, action: str, at: datetime.datetime, actor: User | None,
    from_status: str, unit_id: int | None = None, reason: str = "",
    payload: dict[str, Any] | None = None,
) -> FeedbackEvent:  # fmt: skip
    """Record what just happened (the feedback's status is already the new one) and save the
    feedback with its new version and chain head, in the caller's transaction."""
    event = FeedbackEvent(
        feedback=feedback, at=at, actor=actor,
        actor_name=actor.username if actor is not None else "system", unit_id=unit_id,
        action=action, from_status=from_status, to_status=feedback.status, reason=reason[:4000],
        payload=payload or {},
    )  # fmt: skip
    return chain.chain_append(feedback, event, topic="feedback", action=action, save_head=True)


def chain_problems(feedback: Feedback) -> list[str]:
    """Events whose hash or link does not hold (an edited, inserted or deleted event)."""
    return chain.chain_problems(feedback.events.order_by("seq"))
